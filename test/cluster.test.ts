// Two Parley nodes on one PostgreSQL and one Redis: messages cross nodes, a client resumes on the other node
// with nothing lost or doubled while both nodes take sends, and tickets and revocations work across nodes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import { openPostgresStore } from '../src/store/postgres.js';
import { Client, type Frame, getToken, type RunningServer, startServer } from './helpers.js';
import { freshSchema, needs, REDIS_URL } from './support/services.js';

describe('two nodes', () => {
  const services = needs('postgres', 'redis');
  const test = services.test;
  let a: RunningServer;
  let b: RunningServer;
  let dropSchema: () => Promise<void>;
  let schemaUrl: string;

  before(async () => {
    if (services.missing) return;
    const schema = await freshSchema();
    dropSchema = schema.drop;
    schemaUrl = schema.url;
    const env = {
      PARLEY_DATABASE_URL: schema.url,
      PARLEY_REDIS_URL: REDIS_URL,
      PARLEY_REDIS_PREFIX: `parley-test-${randomBytes(6).toString('hex')}:`,
      // Nodes share the signing secret and the public URL (the issuer), so a token from one is good on the other.
      PARLEY_JWT_SECRET: randomBytes(32).toString('base64url'),
      PARLEY_PUBLIC_URL: 'http://chat.test',
      PARLEY_WS_FRAME_RATE: '100000',
    };
    a = await startServer(env);
    b = await startServer(env);
  });
  after(async () => {
    if (services.missing) return;
    await a?.cleanup();
    await b?.cleanup();
    await dropSchema?.();
  });

  /** `listen` is attached before the join, so no replayed frame can slip past it. */
  async function joined(server: RunningServer, token: string, since?: number, listen?: (client: Client) => void): Promise<Client> {
    const client = await Client.chat(server, token);
    listen?.(client);
    client.send(since === undefined ? { type: 'join', room: 'general' } : { type: 'join', room: 'general', since });
    await client.next((f) => f.type === 'joined');
    return client;
  }

  test('a message sent on one node reaches a client on the other', async () => {
    const token = await getToken(a.url);
    const onB = await joined(b, await getToken(b.url, 'janedoe'));
    const onA = await joined(a, token);
    onA.send({ type: 'send', room: 'general', body: 'across', clientId: 'x1' });
    const ack = await onA.next((f) => f.type === 'ack');
    const seen = await onB.next((f) => f.type === 'message' && f.body === 'across');
    assert.equal(seen.seq, ack.seq);
    onA.close();
    onB.close();
  });

  test('both nodes take sends while a client drops and resumes on the other node: every seq once, in order', async () => {
    const john = await getToken(a.url);
    const jane = await getToken(b.url, 'janedoe');
    const total = 600;
    const seen: Frame[] = [];
    const record = (client: Client) =>
      client.socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        if (frame.type === 'message' && frame.body.startsWith('burst ')) seen.push(frame);
      });
    let observer = await joined(b, jane, undefined, record);
    const senders = [await joined(a, john), await joined(b, john)];
    const acks: Frame[] = [];
    for (const sender of senders)
      sender.socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        if (frame.type === 'ack') acks.push(frame);
      });
    for (let i = 0; i < total; i++) {
      senders[i % 2]!.send({ type: 'send', room: 'general', body: `burst ${i}`, clientId: `burst-${i}` });
      // Let the sends flow while the loop goes on, so the drop below really lands mid-stream.
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      if (i === total / 2) {
        // Drop the observer mid-stream (once it has seen some of it) and resume on the other node from the last seq it saw.
        while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        observer.socket.terminate();
        await new Promise((resolve) => setTimeout(resolve, 20));
        observer = await joined(a, john, seen.at(-1)?.seq ?? 0, record);
      }
    }
    const deadline = Date.now() + 15_000;
    while ((acks.length < total || seen.length < total) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(acks.length, total);
    const seqs = seen.map((m) => m.seq);
    const first = Math.min(...acks.map((x) => x.seq));
    assert.deepEqual(
      seqs,
      Array.from({ length: total }, (_, i) => first + i),
      'contiguous: nothing lost, nothing doubled',
    );
    const bySeq = new Map(acks.map((x) => [x.seq, x.clientId]));
    assert.ok(
      seen.every((m) => bySeq.get(m.seq) === `burst-${m.body.slice(6)}`),
      'each seq carries the message acked with it',
    );
    for (const client of [observer, ...senders]) client.close();
  });

  test('a node that stored a message but died before publishing it: the gap is filled from the store', async () => {
    const observer = await joined(b, await getToken(b.url, 'janedoe'));
    const sender = await joined(a, await getToken(a.url));
    // Another node's commit whose publish never happened (it crashed in between): straight into the store.
    const crashed = openPostgresStore(schemaUrl, { timeoutMs: 5000, onError: () => {} });
    const [stored] = await crashed.entries.append([{ kind: 'message', room: 'general', user: 'johndoe', body: 'never published' }]);
    await crashed.close();
    sender.send({ type: 'send', room: 'general', body: 'published', clientId: 'gap-1' });
    const mine = (f: Frame) => f.type === 'message' && (f.body === 'never published' || f.body === 'published');
    const first = await observer.next(mine);
    const second = await observer.next(mine);
    assert.deepEqual([first.body, second.body], ['never published', 'published']);
    assert.equal(first.seq, (stored as { entry: { seq: number } }).entry.seq);
    assert.equal(second.seq, first.seq + 1);
    observer.close();
    sender.close();
  });

  test('a ticket issued by one node opens a socket on the other, once', async () => {
    const token = await getToken(a.url);
    const { ticket } = (await (await fetch(`${a.url}/ws-ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as {
      ticket: string;
    };
    const client = await Client.open(`${b.wsUrl}/ws?ticket=${ticket}`);
    assert.equal((await client.next()).user, 'johndoe');
    client.close();
  });

  test('a token revoked on one node drops its socket on the other within a second', async () => {
    const token = await getToken(a.url, 'janedoe');
    const onB = await joined(b, token);
    const started = Date.now();
    await fetch(`${a.url}/token/revoke`, { method: 'POST', body: new URLSearchParams({ token }) });
    assert.equal((await onB.closedWith(1500)).code, 4403);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });

  test('presence is cluster-wide: a user with tabs on both nodes is online once, and offline only when the last tab leaves', async () => {
    const presenceOf = (client: Client, user: string) =>
      client.received.filter((f) => (f as Frame).type === 'presence' && (f as Frame).user === user).map((f) => (f as Frame).state as string);
    const watcher = await joined(a, await getToken(a.url));
    const jane = await getToken(b.url, 'janedoe');
    const tabOnB = await joined(b, jane);
    const tabOnA = await joined(a, jane);
    const late = await joined(b, await getToken(b.url));
    const members = (late.received.find((f) => (f as Frame).type === 'joined') as Frame).members as string[];
    assert.deepEqual(members, ['janedoe', 'johndoe'], 'members across both nodes, each once');
    tabOnB.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(presenceOf(watcher, 'janedoe'), ['online'], 'one online, and no offline while a tab is open elsewhere');
    tabOnA.close();
    const deadline = Date.now() + 3000;
    while (presenceOf(watcher, 'janedoe').length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(presenceOf(watcher, 'janedoe'), ['online', 'offline']);
    watcher.close();
    late.close();
  });
});
