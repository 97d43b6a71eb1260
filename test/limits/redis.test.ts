import { randomBytes } from 'node:crypto';
import { RedisRateLimiter } from '../../src/limits/redis-rate-limiter.js';
import { REDIS_URL } from '../support/services.js';
import { rateLimiterContract } from './contract.js';

// A random prefix keeps this run's counters apart from any other's on the machine's Redis.
const prefix = `parley-test-${randomBytes(6).toString('hex')}:`;
rateLimiterContract('Redis', () => new RedisRateLimiter(REDIS_URL, prefix, (error) => console.error(error)), ['redis']);
