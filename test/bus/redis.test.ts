import { randomBytes } from 'node:crypto';
import { RedisBus } from '../../src/bus/redis.js';
import { REDIS_URL, redisAvailable } from '../support/services.js';
import { busContract } from './contract.js';

const prefix = `parley-test-${randomBytes(6).toString('hex')}:`;
if (await redisAvailable()) {
  busContract('Redis', () => new RedisBus(REDIS_URL, prefix, (error) => console.error(error)));
}
