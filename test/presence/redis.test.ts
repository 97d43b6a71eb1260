import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { RedisPresence } from '../../src/presence/redis.js';
import { REDIS_URL } from '../support/services.js';
import { presenceContract } from './contract.js';

const prefix = `parley-test-${randomBytes(6).toString('hex')}:`;
const TTL_MS = 400;
const opened: RedisPresence[] = [];
after(async () => {
  for (const presence of opened) await presence.close();
});
presenceContract(
  'Redis',
  (id) => {
    const presence = new RedisPresence(REDIS_URL, prefix, id, TTL_MS, (error) => console.error(error));
    opened.push(presence);
    return presence;
  },
  ['redis'],
  TTL_MS,
);
