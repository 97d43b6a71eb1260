import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.js';
import { rateLimiterContract } from './contract.js';

// One process: its "nodes" share the instance, as servers built in one process would share nothing else.
const shared = new MemoryRateLimiter();
rateLimiterContract('in-process', () => Object.assign(Object.create(shared) as MemoryRateLimiter, { close: async () => {} }));

test('in-process limiter: ended windows are swept, so made-up keys cannot grow the map without bound', async () => {
  let now = 0;
  const rate = new MemoryRateLimiter(() => now);
  for (let i = 0; i < 5000; i++) await rate.hit(`k${i}`, 1, 1000);
  now = 2000;
  for (let i = 0; i < 5000; i++) await rate.hit(`j${i}`, 1, 1000);
  const size = (rate as unknown as { windows: Map<string, unknown> }).windows.size;
  assert.ok(size <= 5000 + 1024, `size ${size}`);
});
