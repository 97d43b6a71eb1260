// The SDK and the room features: presence, edits and deletions (stream entries with their own seq, resumed
// like messages), and removal from a private room.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Edited, type Message, ParleyError } from 'parley-chat-client';
import { getToken, serverSuite } from '../helpers.js';
import { closeClients, loggedIn, next, record, sleep, until } from './support.js';

describe('client SDK: rooms, presence, edits', () => {
  const server = serverSuite({}, closeClients);

  test('presence: online when a user joins, offline when they leave', async () => {
    const john = await loggedIn(server);
    await john.join('general');
    const presence = record(john, 'presence');
    const jane = await loggedIn(server, 'janedoe');
    await jane.join('general');
    await until(() => presence.length === 1, 'online');
    jane.leave('general');
    await until(() => presence.length === 2, 'offline');
    assert.deepEqual(presence, [
      { room: 'general', user: 'janedoe', state: 'online' },
      { room: 'general', user: 'janedoe', state: 'offline' },
    ]);
    john.close();
    jane.close();
  });

  test('edit and remove: everyone gets edited/deleted with the next seq; a forbidden edit is an error event with its ref', async () => {
    const john = await loggedIn(server);
    const jane = await loggedIn(server, 'janedoe');
    await Promise.all([john.join('general'), jane.join('general')]);
    const { id, seq } = await john.send('general', 'tpyo');

    const johnEdited = next(john, 'edited');
    const janeEdited = next(jane, 'edited');
    await john.edit('general', id, 'typo');
    const edited = await janeEdited;
    assert.deepEqual({ ...edited, editedAt: 0 }, { room: 'general', id, seq: seq + 1, user: 'johndoe', body: 'typo', editedAt: 0 });
    assert.ok(Math.abs(edited.editedAt - Date.now()) < 5000);
    assert.deepEqual(await johnEdited, edited);
    assert.equal(john.lastSeq('general'), seq + 1, 'edits move the resume point too');

    const refused = next(jane, 'error');
    await jane.edit('general', id, 'not yours');
    const error = await refused;
    assert.equal(error.code, 'forbidden');
    assert.match(error.ref ?? '', /^edit:/);

    const deleted = next(jane, 'deleted');
    await john.remove('general', id);
    assert.deepEqual(await deleted, { room: 'general', id, seq: seq + 2, user: 'johndoe' });
    const [stored] = (await jane.history('general', { before: seq + 1, limit: 1 })) as [Message];
    assert.equal(stored.id, id);
    assert.equal(stored.deleted, true);
    john.close();
    jane.close();
  });

  test('edits made while a client is away are resumed with the messages: each seq once, in order', async () => {
    const john = await loggedIn(server, 'johndoe', { reconnect: { minMs: 300, maxMs: 600 } });
    await john.join('general');
    const [johnsSocket] = [...server.app.websocketServer.clients];
    assert.equal(server.app.websocketServer.clients.size, 1);
    const jane = await loggedIn(server, 'janedoe');
    await jane.join('general');
    const seen: { type: string; seq: number; body?: string }[] = [];
    john.on('message', (m) => seen.push({ type: 'message', seq: m.seq, body: m.body }));
    john.on('edited', (m) => seen.push({ type: 'edited', seq: m.seq, body: m.body }));

    const before = await jane.send('general', 'before the drop');
    await until(() => seen.length === 1, 'the first message');
    johnsSocket!.terminate();
    const away = await jane.send('general', 'while away');
    await jane.edit('general', away.id, 'while away, edited');
    const editedLive = next(john, 'edited', (e: Edited) => e.id === away.id);
    await next(john, 'joined', () => true, 3000);
    await editedLive;
    const after = await jane.send('general', 'after the return');
    await until(() => seen.some((e) => e.seq === after.seq), 'the live message');
    await sleep(200);
    assert.deepEqual(seen, [
      { type: 'message', seq: before.seq, body: 'before the drop' },
      // The replay sends the message as it stands now, then the edit entry.
      { type: 'message', seq: away.seq, body: 'while away, edited' },
      { type: 'edited', seq: away.seq + 1, body: 'while away, edited' },
      { type: 'message', seq: after.seq, body: 'after the return' },
    ]);
    john.close();
    jane.close();
  });

  test('removed from a private room: a `left` event with reason removed, calls fail, and it is not rejoined', async () => {
    const johnToken = await getToken(server.url, 'johndoe');
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${johnToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    assert.equal((await api('POST', '/rooms', { name: 'club', private: true })).status, 201);
    assert.equal((await api('PUT', '/rooms/club/members/janedoe')).status, 200);

    const jane = await loggedIn(server, 'janedoe');
    await jane.join('club');
    const errors = record(jane, 'error');
    const left = next(jane, 'left');
    assert.equal((await api('DELETE', '/rooms/club/members/janedoe')).status, 204);
    assert.deepEqual(await left, { room: 'club', reason: 'removed' });
    await assert.rejects(jane.send('club', 'still here?'), (error: unknown) => error instanceof ParleyError && error.code === 'not_joined');
    assert.equal(jane.lastSeq('club'), undefined);
    await assert.rejects(jane.join('club'), { name: 'ParleyError', code: 'forbidden' });
    assert.deepEqual(errors, []);
    jane.close();
  });
});
