// The behaviour every Bus must have; each engine's test file runs it against the real thing.
import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import type { Bus } from '../../src/bus/bus.js';
import { needs } from '../support/services.js';

export function busContract(engine: string, open: () => Bus, services: Parameters<typeof needs> = []) {
  describe(`Bus contract: ${engine}`, () => {
    const test = needs(...services).test;
    const buses: Bus[] = [];
    const bus = () => {
      const opened = open();
      buses.push(opened);
      return opened;
    };
    after(async () => {
      for (const b of buses) await b.close();
    });

    /** Collects what a handler receives, and waits for a count. */
    function inbox() {
      const got: string[] = [];
      return {
        got,
        handler: (payload: string) => got.push(payload),
        async count(n: number) {
          const deadline = Date.now() + 3000;
          while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
          return got;
        },
      };
    }

    test('once subscribe resolves, every payload published after it arrives, in publish order', async () => {
      const [a, b] = [bus(), bus()];
      const box = inbox();
      await b.subscribe('room:x', box.handler);
      for (let i = 0; i < 50; i++) a.publish('room:x', `p${i}`);
      assert.deepEqual(
        await box.count(50),
        Array.from({ length: 50 }, (_, i) => `p${i}`),
      );
    });

    test('channels are separate; two handlers on one channel both receive; unsubscribing one keeps the other', async () => {
      const [a, b] = [bus(), bus()];
      const one = inbox();
      const two = inbox();
      const other = inbox();
      const stopOne = await b.subscribe('room:y', one.handler);
      await b.subscribe('room:y', two.handler);
      await b.subscribe('room:z', other.handler);
      a.publish('room:y', 'first');
      await two.count(1);
      stopOne();
      a.publish('room:y', 'second');
      assert.equal((await two.count(2)).length, 2);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(one.got, ['first']);
      assert.equal(other.got.length, 0);
    });

    test('a bus that is reachable says it is up', async () => {
      const a = bus();
      const deadline = Date.now() + 3000;
      while (!a.up && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(a.up, true);
    });
  });
}
