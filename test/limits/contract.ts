// What every RateLimiter must do; each implementation's test file runs it against the real thing. `open` is
// called once per "node": the instances it returns must share their counts (Redis: one server; memory: one object).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe } from 'node:test';
import type { RateLimiter } from '../../src/limits/rate-limiter.js';
import { needs } from '../support/services.js';

export function rateLimiterContract(kind: string, open: () => RateLimiter, services: Parameters<typeof needs> = []) {
  describe(`RateLimiter contract: ${kind}`, () => {
    const test = needs(...services).test;
    const opened: RateLimiter[] = [];
    const limiter = () => {
      const one = open();
      opened.push(one);
      return one;
    };
    after(async () => {
      for (const one of opened) await one.close();
    });
    const key = () => `k-${randomBytes(6).toString('hex')}`;

    test('counts attempts within the window; the one past the limit is refused with the time left', async () => {
      const rate = limiter();
      const k = key();
      const verdicts = [];
      for (let i = 0; i < 4; i++) verdicts.push(await rate.hit(k, 3, 60_000));
      assert.deepEqual(
        verdicts.map((v) => [v.allowed, v.count]),
        [
          [true, 1],
          [true, 2],
          [true, 3],
          [false, 4],
        ],
      );
      for (const v of verdicts) assert.ok(v.resetInMs > 0 && v.resetInMs <= 60_000, String(v.resetInMs));
    });

    test('keys are counted apart', async () => {
      const rate = limiter();
      const [a, b] = [key(), key()];
      await rate.hit(a, 1, 60_000);
      assert.equal((await rate.hit(a, 1, 60_000)).allowed, false);
      assert.equal((await rate.hit(b, 1, 60_000)).allowed, true);
    });

    test('a window ends: the key starts again from one', async () => {
      const rate = limiter();
      const k = key();
      await rate.hit(k, 1, 100);
      assert.equal((await rate.hit(k, 1, 100)).allowed, false);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual((await rate.hit(k, 1, 100)).count, 1);
    });

    test('100 concurrent attempts through two nodes: exactly the limit is allowed', async () => {
      const [one, two] = [limiter(), limiter()];
      const k = key();
      const verdicts = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? one : two).hit(k, 30, 60_000)));
      assert.equal(verdicts.filter((v) => v.allowed).length, 30);
      assert.deepEqual(
        verdicts.map((v) => v.count).sort((x, y) => x - y),
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
    });
  });
}
