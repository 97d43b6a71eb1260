// The behaviour every Presence must have, run on the in-process one and on the machine's Redis: a user is online
// while any node holds them in the room; first arrival and last departure are each announced once.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Presence } from '../../src/chat/ports.js';
import { needs } from '../support/services.js';

/** `node(id)` opens one node's view of a shared presence; `expire` (Redis) lets a node's records lapse. */
export function presenceContract(engine: string, node: (id: string) => Presence, services: Parameters<typeof needs> = [], ttlMs?: number) {
  describe(`Presence contract: ${engine}`, () => {
    const test = needs(...services).test;
    let rooms = 0;
    const room = () => `room-${process.pid}-${Date.now()}-${rooms++}`;

    test('a user on two nodes is announced online once and offline once, when the last node lets go', async () => {
      const [a, b] = [node('a'), node('b')];
      const r = room();
      assert.equal(await a.arrive(r, 'ann'), true, 'first anywhere');
      assert.equal(await b.arrive(r, 'ann'), false, 'already online on a');
      assert.deepEqual(await a.online(r), ['ann']);
      assert.equal(await a.depart(r, 'ann'), false, 'still on b');
      assert.deepEqual(await b.online(r), ['ann']);
      assert.equal(await b.depart(r, 'ann'), true, 'gone everywhere');
      assert.deepEqual(await a.online(r), []);
    });

    test('users are listed once each, sorted; rooms are separate', async () => {
      const [a, b] = [node('a'), node('b')];
      const [r, other] = [room(), room()];
      await a.arrive(r, 'zed');
      await b.arrive(r, 'ann');
      await b.arrive(r, 'zed');
      await a.arrive(other, 'bob');
      assert.deepEqual(await a.online(r), ['ann', 'zed']);
      assert.deepEqual(await b.online(other), ['bob']);
    });

    if (ttlMs !== undefined) {
      test('a node that stops renewing (it died) has its users expire, announced by exactly one surviving node', async () => {
        const [dead, b, c] = [node('dead'), node('b'), node('c')];
        const r = room();
        await dead.arrive(r, 'ghost');
        await b.arrive(r, 'ann');
        await c.arrive(r, 'bob');
        await new Promise((resolve) => setTimeout(resolve, ttlMs + 50));
        // b and c heartbeat at the same moment: one of them announces the ghost.
        const [fromB, fromC] = await Promise.all([b.heartbeat(new Map([[r, ['ann']]])), c.heartbeat(new Map([[r, ['bob']]]))]);
        assert.deepEqual([...fromB, ...fromC], [{ room: r, user: 'ghost' }]);
        assert.deepEqual(await b.online(r), ['ann', 'bob'], 'renewed users stay');
      });
    }
  });
}
