// The /ws chat protocol: join, send/ack after storing, fan-out, resume by seq, and hostile frames.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROOM_NAME_RULE } from 'parley-chat-protocol';
import { Client, type Frame, getToken, type RunningServer, startServer } from '../helpers.js';

describe('/ws chat', () => {
  let server: RunningServer;
  let john: string;
  let jane: string;

  before(async () => {
    server = await startServer();
    john = await getToken(server.url, 'johndoe');
    jane = await getToken(server.url, 'janedoe');
  });
  after(() => server.cleanup());

  async function joined(token: string, since?: number): Promise<Client> {
    const client = await Client.chat(server, token);
    client.send(since === undefined ? { type: 'join', room: 'general' } : { type: 'join', room: 'general', since });
    await client.next((f) => f.type === 'joined');
    return client;
  }

  const isMessage = (body: string) => (f: Frame) => f.type === 'message' && f.body === body;

  test('welcome names the user and the token expiry', async () => {
    const client = await Client.open(`${server.wsUrl}/ws`, { headers: { authorization: `Bearer ${john}` } });
    const welcome = await client.next();
    assert.equal(welcome.type, 'welcome');
    assert.equal(welcome.user, 'johndoe');
    assert.ok(welcome.expiresAt > Date.now());
    client.close();
  });

  test('a message reaches every member, the sender gets an ack with the stored id and seq', async () => {
    const a = await joined(john);
    const b = await joined(jane);
    a.send({ type: 'send', room: 'general', body: 'hello <b>jane</b>', clientId: 'c-1' });
    // The sender sees its own message (broadcast) before the ack: both follow the commit.
    const own = await a.next(isMessage('hello <b>jane</b>'));
    const ack = await a.next((f) => f.type === 'ack');
    const seen = await b.next(isMessage('hello <b>jane</b>'));
    assert.equal(ack.clientId, 'c-1');
    assert.equal(seen.id, ack.id);
    assert.equal(seen.seq, ack.seq);
    assert.equal(seen.user, 'johndoe');
    assert.equal(seen.room, 'general');
    assert.ok(Math.abs(seen.ts - Date.now()) < 5000);
    assert.equal(own.seq, ack.seq);
    a.close();
    b.close();
  });

  test("one socket's messages are stored in the order it sent them, mentions or not", async () => {
    // A mention costs a lookup before storing; a plain message behind it must not overtake it.
    const a = await joined(john);
    const bodies = Array.from({ length: 12 }, (_, n) => (n % 3 === 0 ? `ordered ${n} @janedoe` : `ordered ${n}`));
    for (const [n, body] of bodies.entries()) a.send({ type: 'send', room: 'general', body, clientId: `order-${n}` });
    const seqs = new Map<string, number>();
    while (seqs.size < bodies.length) {
      const ack = await a.next((f) => f.type === 'ack');
      seqs.set(ack.clientId, ack.seq);
    }
    const inSentOrder = bodies.map((_, n) => seqs.get(`order-${n}`)!);
    assert.deepEqual(
      inSentOrder,
      [...inSentOrder].sort((x, y) => x - y),
      'seq follows the order sent',
    );
    a.close();
  });

  test('joined lists who is online, each user once', async () => {
    const a = await joined(john);
    const a2 = await joined(john);
    const b = await Client.chat(server, jane);
    b.send({ type: 'join', room: 'general' });
    const frame = await b.next((f) => f.type === 'joined');
    assert.deepEqual(frame.members, ['janedoe', 'johndoe']);
    for (const c of [a, a2, b]) c.close();
  });

  test('a resend with the same clientId is acked with the first id and stored once', async () => {
    const a = await joined(john);
    a.send({ type: 'send', room: 'general', body: 'once', clientId: 'dup-1' });
    const first = await a.next((f) => f.type === 'ack');
    a.send({ type: 'send', room: 'general', body: 'once', clientId: 'dup-1' });
    const second = await a.next((f) => f.type === 'ack');
    assert.equal(second.id, first.id);
    assert.equal(second.seq, first.seq);
    const history = await fetch(`${server.url}/rooms/general/messages?limit=100`, { headers: { authorization: `Bearer ${john}` } });
    const messages = (await history.json()) as Frame[];
    assert.equal(messages.filter((m) => m.body === 'once').length, 1);
    a.close();
  });

  test('join with since replays exactly what was missed, then continues live', async () => {
    const a = await joined(john);
    a.send({ type: 'send', room: 'general', body: 'mark', clientId: 'mark' });
    const mark = await a.next((f) => f.type === 'ack');
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      sent.push(`missed ${i}`);
      a.send({ type: 'send', room: 'general', body: `missed ${i}`, clientId: `m-${i}` });
    }
    for (let i = 0; i < 5; i++) await a.next((f) => f.type === 'ack');
    const b = await joined(jane, mark.seq);
    const replayed: Frame[] = [];
    for (let i = 0; i < 5; i++) replayed.push(await b.next((f) => f.type === 'message'));
    assert.deepEqual(
      replayed.map((m) => m.body),
      sent,
    );
    assert.deepEqual(
      replayed.map((m) => m.seq),
      [1, 2, 3, 4, 5].map((n) => mark.seq + n),
    );
    a.send({ type: 'send', room: 'general', body: 'live', clientId: 'live' });
    const live = await b.next((f) => f.type === 'message');
    assert.equal(live.body, 'live');
    assert.equal(live.seq, mark.seq + 6);
    a.close();
    b.close();
  });

  test('a since past the room’s newest entry is refused (since_ahead), not left to withhold what comes', async () => {
    const a = await joined(john);
    a.send({ type: 'send', room: 'general', body: 'the top', clientId: 'top' });
    const top = await a.next((f) => f.type === 'ack');
    const b = await Client.chat(server, jane);
    b.send({ type: 'join', room: 'general', since: top.seq + 500, ref: 'far' });
    const refused = await b.next((f) => f.type === 'error');
    assert.deepEqual({ code: refused.code, ref: refused.ref, retryable: refused.retryable }, { code: 'since_ahead', ref: 'far', retryable: false });
    assert.equal(
      refused.message,
      `general has nothing after seq ${top.seq}, and you asked for what came after ${top.seq + 500}: this is not the history you kept (a new or restored database); join without since`,
    );
    // At the top exactly is the ordinary resume; the socket was never harmed.
    b.send({ type: 'join', room: 'general', since: top.seq });
    await b.next((f) => f.type === 'joined');
    a.send({ type: 'send', room: 'general', body: 'after the top', clientId: 'after-top' });
    assert.equal((await b.next((f) => f.type === 'message')).body, 'after the top');
    a.close();
    b.close();
  });

  test('history pages backwards, oldest first within the page', async () => {
    const a = await joined(john);
    const acks: Frame[] = [];
    for (let i = 0; i < 3; i++) {
      a.send({ type: 'send', room: 'general', body: `page ${i}`, clientId: `p-${i}` });
      acks.push(await a.next((f) => f.type === 'ack'));
    }
    a.send({ type: 'history', room: 'general', before: acks[2]!.seq, limit: 2, ref: 'h1' });
    const page = await a.next((f) => f.type === 'history');
    assert.equal(page.ref, 'h1');
    assert.deepEqual(
      page.messages.map((m: Frame) => m.body),
      ['page 0', 'page 1'],
    );
    a.close();
  });

  test('bad frames get a named error and the socket stays usable', async () => {
    const a = await joined(john);
    const cases: [unknown, string, string][] = [
      [{ type: 'dance', ref: 'r1' }, 'unknown_type', 'unknown frame type'],
      [{ type: 'send', room: 'general', body: '', ref: 'r2' }, 'invalid_frame', 'send: body: must not have fewer than 1 characters'],
      [{ type: 'send', room: 'general', body: 'x'.repeat(4001), ref: 'r3' }, 'invalid_frame', 'send: body: must not have more than 4000 characters'],
      [{ type: 'join', room: 'No Such!', ref: 'r4' }, 'invalid_frame', `join: room: ${ROOM_NAME_RULE}`],
      [{ type: 'join', room: 'nowhere', ref: 'r5' }, 'no_such_room', 'no room named nowhere'],
      [{ type: 'send', room: 'nowhere', body: 'x', ref: 'r6' }, 'not_joined', 'join nowhere first'],
    ];
    for (const [frame, code, message] of cases) {
      a.send(frame);
      const error = await a.next((f) => f.type === 'error');
      assert.deepEqual({ code: error.code, message: error.message, ref: error.ref }, { code, message, ref: (frame as Frame).ref });
    }
    a.send({ type: 'ping', ref: 'still-here' });
    assert.equal((await a.next((f) => f.type === 'pong')).ref, 'still-here');
    a.close();
  });

  test('a frame that is not JSON closes with 1008; a too-big frame with 1009; others are unaffected', async () => {
    const bystander = await joined(jane);
    const a = await joined(john);
    a.send('this is not json');
    assert.equal((await a.next((f) => f.type === 'error')).code, 'bad_frame');
    assert.deepEqual(await a.closedWith(), { code: 1008, reason: 'frames must be JSON text objects' });
    const b = await joined(john);
    b.send(JSON.stringify({ type: 'send', room: 'general', body: 'x'.repeat(70 * 1024) }));
    assert.deepEqual(await b.closedWith(), { code: 1009, reason: 'frame too big' });
    const c = await joined(john);
    c.send({ type: 'send', room: 'general', body: 'after the storm', clientId: 'storm' });
    assert.equal((await bystander.next(isMessage('after the storm'))).user, 'johndoe');
    c.close();
    bystander.close();
  });

  test('a read-only token can join and read but not send', async () => {
    const readOnly = await getToken(server.url, 'janedoe', 'secret2', 'chat:read');
    const reader = await joined(readOnly);
    reader.send({ type: 'send', room: 'general', body: 'nope', clientId: 'ro' });
    const error = await reader.next((f) => f.type === 'error');
    assert.deepEqual([error.code, error.ref], ['forbidden', 'ro']);
    const writer = await joined(john);
    writer.send({ type: 'send', room: 'general', body: 'for readers', clientId: 'fr' });
    assert.equal((await reader.next(isMessage('for readers'))).user, 'johndoe');
    reader.close();
    writer.close();
  });

  test('in-band refresh: a new token for the same user is adopted; another user’s closes 1008', async () => {
    const a = await joined(john);
    a.send({ type: 'refresh', token: await getToken(server.url, 'johndoe'), ref: 'rf' });
    const refreshed = await a.next((f) => f.type === 'refreshed');
    assert.equal(refreshed.ref, 'rf');
    a.send({ type: 'refresh', token: 'garbage' });
    assert.equal((await a.next((f) => f.type === 'error')).code, 'invalid_token');
    a.send({ type: 'refresh', token: jane });
    assert.equal((await a.next((f) => f.type === 'error')).code, 'forbidden');
    assert.equal((await a.closedWith()).code, 1008);
  });

  test('server shutdown closes sockets with 1001', async () => {
    const other = await startServer();
    const client = await Client.chat(other, await getToken(other.url));
    await other.cleanup();
    assert.deepEqual(await client.closedWith(), { code: 1001, reason: 'server shutting down: reconnect elsewhere' });
  });
});

describe('flood control', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_WS_FRAME_RATE: '5' });
  });
  after(() => server.cleanup());

  test('a socket that floods past its budget (5/s, bursts of 20) is closed with 4029; others go on', async () => {
    const bystander = await Client.chat(server, await getToken(server.url, 'janedoe'));
    const flooder = await Client.chat(server, await getToken(server.url, 'johndoe'));
    for (let i = 0; i < 30; i++) flooder.send({ type: 'ping', ref: String(i) });
    assert.deepEqual(await flooder.closedWith(), { code: 4029, reason: 'rate limited' });
    // At most the burst was served (frames still queued when the socket closed get no answer).
    assert.ok(flooder.received.filter((f) => (f as Frame).type === 'pong').length <= 20);
    bystander.send({ type: 'ping', ref: 'ok' });
    assert.equal((await bystander.next((f) => f.type === 'pong')).ref, 'ok');
    bystander.close();
  });

  test('the recipe echo has the same budget', async () => {
    const client = await Client.open(`${server.wsUrl}/secured-ws`, { headers: { authorization: `Bearer ${await getToken(server.url)}` } });
    for (let i = 0; i < 30; i++) client.send(`x${i}`);
    assert.equal((await client.closedWith()).code, 4029);
  });
});
