import { randomBytes } from 'node:crypto';
import { RedisBus } from '../../src/bus/redis.js';
import { REDIS_URL } from '../support/services.js';
import { busContract } from './contract.js';

const prefix = `parley-test-${randomBytes(6).toString('hex')}:`;
busContract('Redis', () => new RedisBus(REDIS_URL, prefix, (error) => console.error(error)), ['redis']);
