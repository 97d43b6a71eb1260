// The behaviour every Store must have. Each engine's test file runs it against a real database.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { needs } from '../support/services.js';
import type { Store } from '../../src/store/store.js';
import { RoomExistsError, UsernameTakenError } from '../../src/store/store.js';

export function storeContract(
  engine: string,
  open: () => Promise<Store>,
  dispose: () => Promise<void> = async () => {},
  services: Parameters<typeof needs> = [],
) {
  describe(`Store contract: ${engine}`, () => {
    const gate = needs(...services);
    const test = gate.test;
    let store: Store;
    before(async () => {
      if (gate.missing) return;
      store = await open();
      await store.migrate();
      await store.migrate(); // idempotent on every start
    });
    after(async () => {
      if (gate.missing) return;
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

    test('the general room exists from the first migration, public', async () => {
      const general = await store.findRoom('general');
      assert.equal(general!.kind, 'public');
      assert.equal(general!.lastSeq, 0);
    });

    test('a batch gets gap-free seqs in order; a repeated clientId returns the first message', async () => {
      const results = await store.appendEntries([
        { kind: 'message', room: 'general', user: 'ann', body: 'one', clientId: 'a' },
        { kind: 'message', room: 'general', user: 'ann', body: 'two' },
        { kind: 'message', room: 'general', user: 'ann', body: 'one again', clientId: 'a' },
        { kind: 'message', room: 'general', user: 'bob', body: 'bob uses a too', clientId: 'a' },
      ]);
      assert.deepEqual(results.map((r) => (r.status === 'gone' ? r.status : [r.entry.seq, (r.entry as { body: string }).body, r.status])), [
        [1, 'one', 'stored'],
        [2, 'two', 'stored'],
        [1, 'one', 'duplicate'],
        [3, 'bob uses a too', 'stored'],
      ]);
      assert.equal((await store.findRoom('general'))!.lastSeq, 3);
    });

    test('entriesAfter and messagesBefore page in seq order', async () => {
      await store.appendEntries(Array.from({ length: 7 }, (_, i) => ({ kind: 'message' as const, room: 'general', user: 'ann', body: `m${i}` })));
      assert.deepEqual((await store.entriesAfter('general', 3, 3)).map((m) => m.seq), [4, 5, 6]);
      assert.deepEqual((await store.messagesBefore('general', undefined, 3)).map((m) => m.seq), [8, 9, 10]);
      assert.deepEqual((await store.messagesBefore('general', 4, 10)).map((m) => m.seq), [1, 2, 3]);
      const [first] = await store.entriesAfter('general', 0, 1);
      assert.equal(first!.type, 'message');
      assert.equal(first!.user, 'ann');
    });

    test('edits and deletions are entries with their own seq; the message changes in place', async () => {
      const [sent] = await store.appendEntries([{ kind: 'message', room: 'general', user: 'ann', body: 'tpyo' }]);
      const id = (sent as { entry: { id: string; seq: number } }).entry.id;
      const seq = (sent as { entry: { seq: number } }).entry.seq;
      const [edit, deletion, again] = await store.appendEntries([
        { kind: 'edit', room: 'general', user: 'ann', targetId: id, body: 'typo' },
        { kind: 'delete', room: 'general', user: 'mod', targetId: id },
        { kind: 'edit', room: 'general', user: 'ann', targetId: id, body: 'too late' },
      ]);
      assert.equal(edit!.status, 'stored');
      assert.equal(deletion!.status, 'stored');
      assert.equal(again!.status, 'gone');
      const stream = await store.entriesAfter('general', seq - 1, 10);
      assert.deepEqual(stream.map((e) => [e.type, e.seq, e.id]), [
        ['message', seq, id],
        ['edited', seq + 1, id],
        ['deleted', seq + 2, id],
      ]);
      const message = await store.findMessage('general', id);
      assert.equal(message!.deleted, true);
      assert.equal(message!.body, '', 'a deleted message keeps no content');
      assert.equal(typeof message!.editedAt, 'number');
      const history = await store.messagesBefore('general', undefined, 1);
      assert.deepEqual([history[0]!.id, history[0]!.deleted], [id, true]);
    });

    test('rooms: create with an owner, membership, visibility', async () => {
      await store.createUser({ username: 'bob', passwordHash: 'h', scopes: [] });
      const room = await store.createRoom({ name: 'secret', kind: 'private', owner: 'ann', members: [{ username: 'ann', role: 'owner' }] });
      assert.deepEqual([room.name, room.kind, room.owner, room.lastSeq], ['secret', 'private', 'ann', 0]);
      await assert.rejects(store.createRoom({ name: 'secret', kind: 'public', owner: 'bob', members: [] }), RoomExistsError);
      assert.equal(await store.roleIn('secret', 'ann'), 'owner');
      assert.equal(await store.roleIn('secret', 'bob'), undefined);
      assert.deepEqual((await store.visibleRooms('bob')).map((r) => r.name), ['general']);
      await store.setMember('secret', { username: 'bob', role: 'member' });
      await store.setMember('secret', { username: 'bob', role: 'moderator' });
      assert.deepEqual(await store.members('secret'), [
        { username: 'ann', role: 'owner' },
        { username: 'bob', role: 'moderator' },
      ]);
      assert.deepEqual((await store.visibleRooms('bob')).map((r) => [r.name, r.role]), [['general', undefined], ['secret', 'moderator']]);
      assert.equal(await store.removeMember('secret', 'bob'), true);
      assert.equal(await store.removeMember('secret', 'bob'), false);
    });

    test('a batch naming a missing room fails whole: nothing of it is stored', async () => {
      const before = (await store.findRoom('general'))!.lastSeq;
      await assert.rejects(store.appendEntries([
        { kind: 'message', room: 'general', user: 'ann', body: 'lost with the batch' },
        { kind: 'message', room: 'nowhere', user: 'ann', body: 'x' },
      ]));
      assert.equal((await store.findRoom('general'))!.lastSeq, before);
    });

    test('refresh tokens are spent once; revocations form a growing feed', async () => {
      const token = { tokenHash: 'h'.repeat(64), family: 'fam-1', username: 'ann', scopes: ['chat:read'], expiresAt: Date.now() + 60_000 };
      await store.saveRefreshToken(token);
      assert.deepEqual(await store.findRefreshToken(token.tokenHash), token);
      const spentAt = Date.now();
      assert.deepEqual(await store.useRefreshToken(token.tokenHash, spentAt), { status: 'ok', token });
      assert.deepEqual(await store.useRefreshToken(token.tokenHash, spentAt + 10), { status: 'reused', token, usedAt: spentAt });
      assert.deepEqual(await store.useRefreshToken('x'.repeat(64), Date.now()), { status: 'unknown' });
      const last = await store.lastRevocationId();
      await store.revoke('family', 'fam-1', Date.now() + 60_000);
      await store.revoke('token', 'jti-1', Date.now() + 60_000);
      assert.deepEqual((await store.revocationsAfter(last)).map((r) => [r.kind, r.value]), [['family', 'fam-1'], ['token', 'jti-1']]);
      assert.deepEqual(await store.useRefreshToken(token.tokenHash, Date.now()), { status: 'revoked' });
      assert.equal(await store.isRevoked('jti-1', undefined), true);
      assert.equal(await store.isRevoked('jti-2', 'fam-1'), true);
      assert.equal(await store.isRevoked('jti-2', 'fam-2'), false);
      await store.prune(Date.now() + 120_000);
      assert.equal(await store.lastRevocationId() >= last + 2, true, 'the feed position never moves back');
    });

    test('tickets are spent once and not after expiry', async () => {
      await store.saveTicket('t1', '{"p":1}', Date.now() + 30_000);
      await store.saveTicket('t2', '{"p":2}', Date.now() - 1);
      assert.equal(await store.redeemTicket('t1', Date.now()), '{"p":1}');
      assert.equal(await store.redeemTicket('t1', Date.now()), undefined);
      assert.equal(await store.redeemTicket('t2', Date.now()), undefined);
    });

    test('ping answers', async () => {
      await store.ping();
    });
  });
}
