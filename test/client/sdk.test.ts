// The client SDK against a real server: messages and acks between two clients, history, typing, errors as
// named values. Imported through the package's "exports" entry, as an application would.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Ack, connect, login, type Message, ParleyError, type Status } from 'parley-chat-client';
import WebSocket from 'ws';
import { getToken, serverSuite } from '../helpers.js';
import { closeClients, loggedIn, next, record, track, until } from './support.js';

describe('client SDK', () => {
  const server = serverSuite({}, closeClients);

  test('connects with a bearer subprotocol; send resolves with the ack, the other client gets the message', async () => {
    const session = await login(server.url, 'johndoe', 'secret');
    const john = track(connect({ url: server.url, token: session.accessToken, getToken: session.getToken, WebSocket }));
    const statuses = record(john, 'status');
    const jane = await loggedIn(server, 'janedoe');
    const joined = await john.join('general');
    assert.equal(joined.room, 'general');
    assert.ok(joined.members.includes('johndoe'));
    assert.deepEqual(
      statuses.map((s) => s.state),
      ['connecting', 'open'],
    );
    const open = statuses[1] as Extract<Status, { state: 'open' }>;
    assert.equal(open.user, 'johndoe');
    assert.ok(open.expiresAt > Date.now());
    await jane.join('general');

    const seenByJane = next(jane, 'message', (m) => m.body === 'hello <b>jane</b>');
    const seenByJohn = next(john, 'message', (m) => m.body === 'hello <b>jane</b>');
    const ack = await john.send('general', 'hello <b>jane</b>');
    assert.match(ack.clientId, /^[0-9a-f]{24}$/);
    const message = await seenByJane;
    assert.equal(message.id, ack.id);
    assert.equal(message.seq, ack.seq);
    assert.equal(message.user, 'johndoe');
    assert.equal(message.room, 'general');
    assert.ok(Math.abs(message.ts - Date.now()) < 5000);
    assert.equal((message as Message & { type?: string }).type, undefined, 'events carry the message, not the frame');
    assert.equal((await seenByJohn).seq, ack.seq, 'the sender sees its own message too');
    assert.equal(john.lastSeq('general'), ack.seq);

    const reply = next(john, 'message', (m) => m.user === 'janedoe');
    const replyAck = await jane.send('general', 'hi john');
    assert.equal((await reply).seq, replyAck.seq);
    assert.equal(replyAck.seq, ack.seq + 1);
    john.close();
    jane.close();
    assert.deepEqual(statuses.at(-1), { state: 'closed', code: 1000, reason: 'closed by the client' });
  });

  test('join replays recent messages in order; history pages back before a seq', async () => {
    const john = await loggedIn(server);
    await john.join('general');
    const acks: Ack[] = [];
    for (let i = 1; i <= 5; i++) acks.push(await john.send('general', `page ${i}`));
    john.close();

    const jane = await loggedIn(server, 'janedoe');
    const replayed = record(jane, 'message');
    await jane.join('general');
    await until(() => replayed.at(-1)?.seq === acks[4]!.seq, 'the replay');
    const seqs = replayed.map((m) => m.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'in seq order',
    );
    assert.equal(new Set(seqs).size, seqs.length, 'each once');
    assert.deepEqual(
      replayed.slice(-5).map((m) => m.body),
      ['page 1', 'page 2', 'page 3', 'page 4', 'page 5'],
    );

    const page = await jane.history('general', { before: acks[4]!.seq, limit: 2 });
    assert.deepEqual(
      page.map((m) => [m.seq, m.body]),
      [
        [acks[2]!.seq, 'page 3'],
        [acks[3]!.seq, 'page 4'],
      ],
    );
    const newest = await jane.history('general', { limit: 1 });
    assert.equal(newest[0]?.id, acks[4]!.id);
    jane.close();
  });

  test('a kept position the server has never reached (since_ahead): the room is joined afresh and the app is told', async () => {
    const john = await loggedIn(server, 'johndoe');
    const jane = await loggedIn(server, 'janedoe');
    await jane.join('general');
    const top = (await jane.send('general', 'before the restore')).seq;
    const errors = record(john, 'error');
    const recent = next(john, 'message', (m) => m.body === 'before the restore');
    const joined = await john.join('general', { since: top + 1000 });
    assert.equal(joined.room, 'general');
    assert.equal((await recent).seq, top, 'the recent messages come again, below the kept position');
    assert.deepEqual(
      errors.map((e) => e.code),
      ['since_ahead'],
    );
    const live = next(john, 'message', (m) => m.body === 'after the restore');
    await jane.send('general', 'after the restore');
    assert.equal((await live).seq, top + 1);
    assert.equal(john.lastSeq('general'), top + 1);
  });

  test('typing reaches the other members', async () => {
    const john = await loggedIn(server);
    const jane = await loggedIn(server, 'janedoe');
    await Promise.all([john.join('general'), jane.join('general')]);
    const typing = next(john, 'typing');
    jane.typing('general');
    assert.deepEqual(await typing, { room: 'general', user: 'janedoe' });
    john.close();
    jane.close();
  });

  test('failures are ParleyErrors with the server’s code: unknown room, read-only scope, not joined, closed', async () => {
    const john = await loggedIn(server);
    await assert.rejects(john.join('nowhere'), (error: unknown) => error instanceof ParleyError && error.code === 'no_such_room');
    await assert.rejects(john.send('general', 'not joined yet'), { name: 'ParleyError', code: 'not_joined' });
    john.close();
    await assert.rejects(john.join('general'), { name: 'ParleyError', code: 'closed' });

    const reader = track(connect({ url: server.url, token: await getToken(server.url, 'johndoe', 'secret', 'chat:read'), WebSocket }));
    await reader.join('general');
    const errors = record(reader, 'error');
    await assert.rejects(reader.send('general', 'read-only'), { name: 'ParleyError', code: 'forbidden' });
    assert.deepEqual(errors, [], 'an error that answered a call is not also an error event');
    assert.equal(reader.status.state, 'open', 'the socket stays usable');
    reader.close();
  });

  test('a send made before the socket is open goes out once the room is joined', async () => {
    const john = await loggedIn(server);
    const joined = john.join('general');
    const ack = john.send('general', 'early bird');
    assert.equal(john.status.state, 'connecting');
    await joined;
    const { seq } = await ack;
    assert.equal(john.lastSeq('general'), seq);
    john.close();
  });

  test('without credentials the upgrade is refused; with reconnect off the client reports closed', async () => {
    const anonymous = track(connect({ url: server.url, WebSocket, reconnect: false }));
    const closed = await next(anonymous, 'status', (s) => s.state === 'closed');
    assert.equal(closed.state, 'closed');
    assert.equal((closed as { code?: number }).code, 1006);
  });
});
