// The behaviour every Store must have. Each engine's test file runs it against a real database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../../src/store/store.js';
import { UsernameTakenError } from '../../src/store/store.js';

export function storeContract(engine: string, open: () => Promise<Store>, dispose: () => Promise<void> = async () => {}) {
  describe(`Store contract: ${engine}`, () => {
    let store: Store;
    before(async () => {
      store = await open();
      await store.migrate();
      await store.migrate(); // idempotent on every start
    });
    after(async () => {
      await store.close();
      await dispose();
    });

    test('users: create, find, list, disable; a taken username is refused', async () => {
      await store.createUser({ username: 'ann', passwordHash: 'h1', scopes: ['chat:read'] });
      await assert.rejects(store.createUser({ username: 'ann', passwordHash: 'h2', scopes: [] }), UsernameTakenError);
      const ann = await store.findUser('ann');
      assert.deepEqual({ ...ann, createdAt: 0 }, { username: 'ann', passwordHash: 'h1', scopes: ['chat:read'], disabled: false, createdAt: 0 });
      assert.equal(await store.findUser('nobody'), undefined);
      assert.equal(await store.setUserDisabled('ann', true), true);
      assert.equal((await store.findUser('ann'))!.disabled, true);
      assert.equal(await store.setUserDisabled('nobody', true), false);
      assert.deepEqual((await store.listUsers()).map((u) => u.username), ['ann']);
    });

    test('the general room exists from the first migration', async () => {
      assert.deepEqual((await store.listRooms()).map((r) => r.name), ['general']);
      assert.equal((await store.findRoom('general'))!.lastSeq, 0);
    });

    test('a batch gets gap-free seqs in order; a repeated clientId returns the first message', async () => {
      const results = await store.appendMessages([
        { room: 'general', user: 'ann', body: 'one', clientId: 'a' },
        { room: 'general', user: 'ann', body: 'two' },
        { room: 'general', user: 'ann', body: 'one again', clientId: 'a' },
        { room: 'general', user: 'bob', body: 'bob uses a too', clientId: 'a' },
      ]);
      assert.deepEqual(results.map((r) => [r.message.seq, r.message.body, r.duplicate]), [
        [1, 'one', false],
        [2, 'two', false],
        [1, 'one', true],
        [3, 'bob uses a too', false],
      ]);
      assert.equal((await store.findRoom('general'))!.lastSeq, 3);
    });

    test('messagesAfter and messagesBefore page in seq order', async () => {
      await store.appendMessages(Array.from({ length: 7 }, (_, i) => ({ room: 'general', user: 'ann', body: `m${i}` })));
      assert.deepEqual((await store.messagesAfter('general', 3, 3)).map((m) => m.seq), [4, 5, 6]);
      assert.deepEqual((await store.messagesBefore('general', undefined, 3)).map((m) => m.seq), [8, 9, 10]);
      assert.deepEqual((await store.messagesBefore('general', 4, 10)).map((m) => m.seq), [1, 2, 3]);
      const [first] = await store.messagesAfter('general', 0, 1);
      assert.equal(first!.user, 'ann');
      assert.equal(typeof first!.ts, 'number');
    });

    test('a batch naming a missing room fails whole: nothing of it is stored', async () => {
      const before = (await store.findRoom('general'))!.lastSeq;
      await assert.rejects(store.appendMessages([
        { room: 'general', user: 'ann', body: 'lost with the batch' },
        { room: 'nowhere', user: 'ann', body: 'x' },
      ]));
      assert.equal((await store.findRoom('general'))!.lastSeq, before);
    });

    test('ping answers', async () => {
      await store.ping();
    });
  });
}
