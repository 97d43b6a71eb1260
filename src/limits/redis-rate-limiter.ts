// The budgets of every node at once, in Redis: one counter per key, incremented and given its expiry in one
// Lua script, so concurrent attempts on different nodes are counted exactly and no counter outlives its window.
import { Redis } from 'ioredis';
import type { RateLimiter, Verdict } from './rate-limiter.js';

// INCR, then PEXPIRE on the window's first attempt; a counter found without an expiry (impossible unless someone
// else wrote it) is given one rather than counting forever.
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

type WithHit = Redis & { parleyRateHit(key: string, windowMs: number): Promise<[number, number]> };

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: WithHit;

  constructor(
    url: string,
    /** Keeps several Parleys (or test runs) on one Redis apart. */
    private readonly prefix: string,
    onError: (error: unknown) => void,
  ) {
    // A login must not hang while Redis is away: the command fails within a bound and the caller answers 503.
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    }) as WithHit;
    this.redis.on('error', onError);
    this.redis.defineCommand('parleyRateHit', { numberOfKeys: 1, lua: HIT });
  }

  async hit(key: string, limit: number, windowMs: number): Promise<Verdict> {
    const [count, ttl] = await this.redis.parleyRateHit(`${this.prefix}rate:${key}`, windowMs);
    return { allowed: count <= limit, count, resetInMs: ttl };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
