// The SDK's team-chat calls and events against a real server: room_added, read and mention events on every
// client of a user; `read` coalesced and sent after a reconnect; ParleyApi's typed HTTP calls (rooms, DMs,
// search, the directory, the profile) with refusals as ParleyError.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Ack, login, ParleyApi, ParleyError } from 'parley-chat-client';
import { DEMO_PASSWORDS, serverSuite } from '../helpers.js';
import { closeClients, loggedIn, next, record, sleep, until } from './support.js';

describe('client SDK: user events, read positions, the HTTP API', () => {
  const server = serverSuite({}, closeClients);
  const apiFor = async (user: string) => {
    const session = await login(server.url, user, DEMO_PASSWORDS[user]!);
    return new ParleyApi({ url: server.url, token: session.accessToken, getToken: session.getToken });
  };

  test('room_added and mention reach every client of a user, joined to nothing', async () => {
    const [tab1, tab2] = [await loggedIn(server), await loggedIn(server)];
    const jane = await apiFor('janedoe');
    const added = [next(tab1, 'room_added'), next(tab2, 'room_added')];
    await until(() => tab1.status.state === 'open' && tab2.status.state === 'open', 'both open');
    const dm = await jane.openDm('johndoe');
    for (const event of await Promise.all(added)) assert.deepEqual(event, { room: dm.name, kind: 'dm', reason: 'dm', by: 'janedoe' });

    const mentioned = [next(tab1, 'mention'), next(tab2, 'mention')];
    const writer = await loggedIn(server, 'janedoe');
    await writer.join(dm.name);
    const ack = await writer.send(dm.name, 'ping @johndoe');
    for (const event of await Promise.all(mentioned)) assert.deepEqual(event, { room: dm.name, id: ack.id, seq: ack.seq, user: 'janedoe' });
    for (const client of [tab1, tab2, writer]) client.close();
  });

  test('read(room, seq): coalesced, forward only, told to the user’s other clients, sent after a reconnect', async () => {
    const reader = await loggedIn(server, 'janedoe');
    const other = await loggedIn(server, 'janedoe');
    const john = await loggedIn(server);
    await Promise.all([reader.join('general'), john.join('general')]);
    const acks: Ack[] = [];
    for (const body of ['r1', 'r2', 'r3']) acks.push(await john.send('general', body));
    const heard = record(other, 'read');
    reader.read('general', acks[0]!.seq);
    reader.read('general', acks[1]!.seq);
    reader.read('general', acks[0]!.seq); // backwards: nothing goes out
    await until(() => heard.some((r) => r.seq === acks[1]!.seq), 'the other client hears it');
    await sleep(50);
    assert.ok(heard.every((r) => r.room === 'general' && r.seq <= acks[1]!.seq));
    const api = await apiFor('janedoe');
    const general = async () => (await api.rooms()).find((r) => r.name === 'general')!;
    assert.deepEqual([(await general()).read_seq, (await general()).unread], [acks[1]!.seq, 1]);

    // Disconnected: the position waits for the next socket.
    const dropped = next(reader, 'status', (s) => s.state === 'reconnecting');
    for (const socket of server.app.websocketServer.clients) socket.terminate();
    await dropped;
    reader.read('general', acks[2]!.seq);
    await next(reader, 'status', (s) => s.state === 'open');
    const deadline = Date.now() + 5000;
    while ((await general()).unread !== 0 && Date.now() < deadline) await sleep(20);
    assert.deepEqual([(await general()).read_seq, (await general()).unread], [acks[2]!.seq, 0]);
    for (const client of [reader, other, john]) client.close();
  });

  test('ParleyApi: rooms, joining, group DMs, search, people, profile; refusals are ParleyError', async () => {
    const john = await apiFor('johndoe');
    const jane = await apiFor('janedoe');
    const created = await john.createRoom({ name: 'sdk-room', topic: 'the SDK' });
    assert.deepEqual([created.member, created.role, created.topic], [true, 'owner', 'the SDK']);
    assert.ok((await jane.rooms('public')).some((r) => r.name === 'sdk-room' && !r.member));
    assert.equal((await jane.joinRoom('sdk-room')).member, true);
    assert.ok((await jane.rooms()).some((r) => r.name === 'sdk-room'));
    await jane.setMuted('sdk-room', true);
    assert.equal((await jane.rooms()).find((r) => r.name === 'sdk-room')!.muted, true);
    await jane.leaveRoom('sdk-room');
    assert.ok(!(await jane.rooms()).some((r) => r.name === 'sdk-room'));
    assert.equal((await john.updateRoom('sdk-room', { title: 'SDK' })).title, 'SDK');

    const group = await john.openDm(['janedoe']);
    assert.equal(group.kind, 'dm');
    const writer = await loggedIn(server);
    await writer.join('sdk-room');
    const { seq } = await writer.send('sdk-room', 'searchable parcel tracking');
    const [hit] = await jane.search('parcel', { room: 'sdk-room' });
    assert.deepEqual([hit!.room, hit!.seq, hit!.user], ['sdk-room', seq, 'johndoe']);
    assert.deepEqual(await jane.history('sdk-room', { before: seq + 1, limit: 1 }).then((m) => m.map((x) => x.body)), ['searchable parcel tracking']);

    assert.equal((await jane.updateMe({ display_name: 'Jane' })).display_name, 'Jane');
    assert.deepEqual(await john.users('jan'), [{ username: 'janedoe', display_name: 'Jane' }]);
    assert.equal((await jane.me()).display_name, 'Jane');
    assert.deepEqual(
      (await john.members('sdk-room')).map((m) => m.username),
      ['johndoe'],
    );

    await assert.rejects(
      jane.updateRoom('sdk-room', { title: 'hers' }),
      (error: unknown) => error instanceof ParleyError && error.code === 'forbidden',
    );
    await assert.rejects(jane.search('   '), (error: unknown) => error instanceof ParleyError && error.code === 'invalid_request');
    await assert.rejects(jane.admin.users(), (error: unknown) => error instanceof ParleyError && error.code === 'insufficient_scope');
    writer.close();
  });
});
