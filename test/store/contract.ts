// The behaviour every store engine must have, part by part. Each engine's test file runs it against a real
// database (a SQLite file; the machine's PostgreSQL).
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { UsernameTakenError } from '../../src/domain/accounts.js';
import type { StoredEntry } from '../../src/domain/entries.js';
import { RoomExistsError } from '../../src/domain/rooms.js';
import type { Store } from '../../src/store/store.js';
import { needs } from '../support/services.js';

const stored = (result: { status: string; entry?: StoredEntry }) => {
  assert.notEqual(result.status, 'gone');
  return result.entry!;
};

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

    test('accounts: create, find, list, disable; a taken username is refused', async () => {
      const { accounts } = store;
      assert.equal(await accounts.any(), false);
      await accounts.create({ username: 'ann', passwordHash: 'h1', scopes: ['chat:read'] });
      await assert.rejects(accounts.create({ username: 'ann', passwordHash: 'h2', scopes: [] }), UsernameTakenError);
      const ann = await accounts.find('ann');
      assert.deepEqual({ ...ann, createdAt: 0 }, { username: 'ann', passwordHash: 'h1', scopes: ['chat:read'], disabled: false, createdAt: 0 });
      assert.equal(await accounts.any(), true);
      assert.equal(await accounts.find('nobody'), undefined);
      assert.equal(await accounts.setDisabled('ann', true), true);
      assert.equal((await accounts.find('ann'))!.disabled, true);
      assert.equal(await accounts.setDisabled('nobody', true), false);
      assert.deepEqual((await accounts.list()).map((u) => u.username), ['ann']);
    });

    test('accounts: an external identity has an issuer and no password hash', async () => {
      await store.accounts.create({ username: 'ext@idp', issuer: 'https://idp.example', scopes: ['chat:read'] });
      const user = await store.accounts.find('ext@idp');
      assert.equal(user!.issuer, 'https://idp.example');
      assert.equal(user!.passwordHash, undefined);
    });

    test('the general room exists from the first migration, public', async () => {
      const general = await store.rooms.find('general');
      assert.equal(general!.kind, 'public');
      assert.equal(general!.lastSeq, 0);
    });

    test('a batch gets gap-free seqs in order; a repeated clientId returns the first message', async () => {
      const results = await store.entries.append([
        { kind: 'message', room: 'general', user: 'ann', body: 'one', clientId: 'a' },
        { kind: 'message', room: 'general', user: 'ann', body: 'two' },
        { kind: 'message', room: 'general', user: 'ann', body: 'one again', clientId: 'a' },
        { kind: 'message', room: 'general', user: 'bob', body: 'bob uses a too', clientId: 'a' },
      ]);
      assert.deepEqual(results.map((r) => (r.status === 'gone' ? r.status : [r.entry.seq, r.entry.body, r.status])), [
        [1, 'one', 'stored'],
        [2, 'two', 'stored'],
        [1, 'one', 'duplicate'],
        [3, 'bob uses a too', 'stored'],
      ]);
      const again = await store.entries.append([{ kind: 'message', room: 'general', user: 'ann', body: 'a later batch', clientId: 'a' }]);
      assert.deepEqual([again[0]!.status, stored(again[0]!).seq], ['duplicate', 1]);
      assert.equal((await store.rooms.find('general'))!.lastSeq, 3);
      assert.deepEqual(await store.rooms.tops(['general', 'nowhere']), new Map([['general', 3]]));
    });

    test('after and messagesBefore page in seq order', async () => {
      await store.entries.append(Array.from({ length: 7 }, (_, i) => ({ kind: 'message' as const, room: 'general', user: 'ann', body: `m${i}` })));
      assert.deepEqual((await store.entries.after('general', 3, 3)).map((m) => m.seq), [4, 5, 6]);
      assert.deepEqual((await store.entries.messagesBefore('general', undefined, 3)).map((m) => m.seq), [8, 9, 10]);
      assert.deepEqual((await store.entries.messagesBefore('general', 4, 10)).map((m) => m.seq), [1, 2, 3]);
      const [first] = await store.entries.after('general', 0, 1);
      assert.deepEqual([first!.kind, first!.user], ['message', 'ann']);
    });

    test('edits and deletions are entries with their own seq; a deletion erases the text everywhere it was', async () => {
      const id = stored((await store.entries.append([{ kind: 'message', room: 'general', user: 'ann', body: 'tpyo' }]))[0]!).id;
      const message = await store.entries.findMessage('general', id);
      const seq = message!.seq;
      const [edit, secondEdit, deletion, again] = await store.entries.append([
        { kind: 'edit', room: 'general', user: 'ann', targetId: id, body: 'typo' },
        { kind: 'edit', room: 'general', user: 'ann', targetId: id, body: 'secret typo' },
        { kind: 'delete', room: 'general', user: 'mod', targetId: id },
        { kind: 'edit', room: 'general', user: 'ann', targetId: id, body: 'too late' },
      ]);
      assert.deepEqual([edit!.status, secondEdit!.status, deletion!.status, again!.status], ['stored', 'stored', 'stored', 'gone']);
      const stream = await store.entries.after('general', seq - 1, 10);
      assert.deepEqual(stream.map((e) => [e.kind, e.seq, e.id]), [
        ['message', seq, id],
        ['edit', seq + 1, id],
        ['edit', seq + 2, id],
        ['delete', seq + 3, id],
      ]);
      assert.deepEqual(stream.map((e) => e.body), ['', '', '', ''], 'no entry keeps the deleted text');
      const after = await store.entries.findMessage('general', id);
      assert.equal(after!.deleted, true);
      assert.equal(typeof after!.editedAt, 'number');
      // An edit stored in an earlier batch is erased too.
      const other = stored((await store.entries.append([{ kind: 'message', room: 'general', user: 'ann', body: 'draft' }]))[0]!);
      await store.entries.append([{ kind: 'edit', room: 'general', user: 'ann', targetId: other.id, body: 'confidential' }]);
      await store.entries.append([{ kind: 'delete', room: 'general', user: 'ann', targetId: other.id }]);
      assert.deepEqual((await store.entries.after('general', other.seq - 1, 10)).map((e) => e.body), ['', '', '']);
      const history = await store.entries.messagesBefore('general', undefined, 1);
      assert.deepEqual([history[0]!.id, history[0]!.deleted], [other.id, true]);
    });

    test('rooms: create with an owner, membership, visibility', async () => {
      const { rooms } = store;
      await store.accounts.create({ username: 'bob', passwordHash: 'h', scopes: [] });
      const room = await rooms.create({ name: 'secret', kind: 'private', owner: 'ann', members: [{ username: 'ann', role: 'owner' }] });
      assert.deepEqual([room.name, room.kind, room.owner, room.lastSeq], ['secret', 'private', 'ann', 0]);
      await assert.rejects(rooms.create({ name: 'secret', kind: 'public', owner: 'bob', members: [] }), RoomExistsError);
      assert.equal(await rooms.roleIn('secret', 'ann'), 'owner');
      assert.equal(await rooms.roleIn('secret', 'bob'), undefined);
      assert.deepEqual((await rooms.visibleTo('bob')).map((r) => r.name), ['general']);
      await rooms.setMember('secret', { username: 'bob', role: 'member' });
      await rooms.setMember('secret', { username: 'bob', role: 'moderator' });
      assert.deepEqual(await rooms.members('secret'), [
        { username: 'ann', role: 'owner' },
        { username: 'bob', role: 'moderator' },
      ]);
      assert.deepEqual((await rooms.visibleTo('bob')).map((r) => [r.name, r.role]), [['general', undefined], ['secret', 'moderator']]);
      assert.equal(await rooms.removeMember('secret', 'bob'), true);
      assert.equal(await rooms.removeMember('secret', 'bob'), false);
    });

    test('each row has its own outcome: a missing room is gone, the rest of the batch is stored', async () => {
      const before = (await store.rooms.find('general'))!.lastSeq;
      const [kept, missing] = await store.entries.append([
        { kind: 'message', room: 'general', user: 'ann', body: 'kept' },
        { kind: 'message', room: 'nowhere', user: 'ann', body: 'x' },
      ]);
      assert.deepEqual([kept!.status, missing!.status], ['stored', 'gone']);
      assert.equal((await store.rooms.find('general'))!.lastSeq, before + 1);
    });

    test('batches over several rooms, in any order, keep each room gap-free', async () => {
      await store.rooms.create({ name: 'aaa', kind: 'public', owner: 'ann', members: [] });
      await store.rooms.create({ name: 'zzz', kind: 'public', owner: 'ann', members: [] });
      const batch = ['zzz', 'aaa', 'zzz', 'aaa', 'aaa'].map((room, i) => ({ kind: 'message' as const, room, user: 'ann', body: `b${i}` }));
      const results = (await store.entries.append(batch)).map((r) => stored(r));
      assert.deepEqual(results.map((e) => [e.room, e.seq, e.body]), [
        ['zzz', 1, 'b0'],
        ['aaa', 1, 'b1'],
        ['zzz', 2, 'b2'],
        ['aaa', 2, 'b3'],
        ['aaa', 3, 'b4'],
      ]);
    });

    test('refresh tokens are spent once; revocations form a growing feed', async () => {
      const { tokens } = store;
      const now = Date.now();
      const token = { tokenHash: 'h'.repeat(64), family: 'fam-1', username: 'ann', scopes: ['chat:read'], expiresAt: now + 60_000, createdAt: now };
      await tokens.saveRefreshToken(token);
      assert.deepEqual(await tokens.findRefreshToken(token.tokenHash), token);
      const spentAt = Date.now();
      assert.deepEqual(await tokens.useRefreshToken(token.tokenHash, spentAt), { status: 'ok', token });
      assert.deepEqual(await tokens.useRefreshToken(token.tokenHash, spentAt + 10), { status: 'reused', token, usedAt: spentAt });
      assert.deepEqual(await tokens.useRefreshToken('x'.repeat(64), Date.now()), { status: 'unknown' });
      const last = await tokens.lastRevocationId();
      await tokens.revoke('family', 'fam-1', Date.now() + 60_000);
      await tokens.revoke('token', 'jti-1', Date.now() + 60_000);
      assert.deepEqual((await tokens.revocationsAfter(last)).map((r) => [r.kind, r.value]), [['family', 'fam-1'], ['token', 'jti-1']]);
      assert.deepEqual(await tokens.useRefreshToken(token.tokenHash, Date.now()), { status: 'revoked' });
      assert.equal(await tokens.isRevoked('jti-1', undefined), true);
      assert.equal(await tokens.isRevoked('jti-2', 'fam-1'), true);
      assert.equal(await tokens.isRevoked('jti-2', 'fam-2'), false);
      await tokens.prune(Date.now() + 120_000);
      assert.equal((await tokens.lastRevocationId()) >= last + 2, true, 'the feed position never moves back');
    });

    test('disabling and password changes set a cutoff that enabling keeps; live families are listed per user', async () => {
      const { accounts, tokens } = store;
      await accounts.create({ username: 'cutoff-user', passwordHash: 'old-hash', scopes: ['chat:read'] });
      await accounts.create({ username: 'cutoff-ext', issuer: 'https://idp.example', scopes: ['chat:read'] });
      assert.equal((await accounts.find('cutoff-user'))!.revokedBefore, undefined);
      const before = Date.now();
      assert.equal(await accounts.setDisabled('cutoff-user', true), true);
      const disabled = (await accounts.find('cutoff-user'))!;
      assert.ok(disabled.revokedBefore! > before, 'the cutoff is after everything issued before the call');
      await accounts.setDisabled('cutoff-user', false);
      assert.equal((await accounts.find('cutoff-user'))!.revokedBefore, disabled.revokedBefore, 'enabling keeps the cutoff');
      const cutoff = await accounts.setPassword('cutoff-user', 'new-hash', false);
      assert.ok(cutoff !== undefined && cutoff >= disabled.revokedBefore!);
      const changed = (await accounts.find('cutoff-user'))!;
      assert.deepEqual([changed.passwordHash, changed.revokedBefore], ['new-hash', cutoff]);
      assert.equal(await accounts.setPassword('cutoff-ext', 'hash', false), undefined, 'an external identity has no password');
      assert.equal(await accounts.setPassword('nobody-here', 'hash', false), undefined);

      const now = Date.now();
      for (const [hash, family, expiresAt] of [['a', 'f-live', now + 60_000], ['b', 'f-live', now + 60_000], ['c', 'f-old', now - 1]] as const) {
        await tokens.saveRefreshToken({ tokenHash: hash.repeat(64), family, username: 'cutoff-user', scopes: [], expiresAt });
      }
      assert.deepEqual(await tokens.liveFamilies('cutoff-user', now), ['f-live']);
    });

    test('tickets are spent once and not after expiry', async () => {
      const { tokens } = store;
      await tokens.saveTicket('t1', '{"p":1}', Date.now() + 30_000);
      await tokens.saveTicket('t2', '{"p":2}', Date.now() - 1);
      assert.equal(await tokens.redeemTicket('t1', Date.now()), '{"p":1}');
      assert.equal(await tokens.redeemTicket('t1', Date.now()), undefined);
      assert.equal(await tokens.redeemTicket('t2', Date.now()), undefined);
    });

    test('ping answers', async () => {
      await store.ping();
    });
  });
}
