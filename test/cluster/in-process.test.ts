// Three Parley nodes in one process over ONE store (a SQLite file) and ONE in-memory bus, the way
// socket.io-adapter tests its cluster adapter: real servers on port 0, real ws clients, no PostgreSQL or Redis,
// so it runs on every change (test/cluster.test.ts runs the same kind of checks on the real services). The
// store and the bus belong to this suite: the nodes get them as parts and leave them open when they close.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MemoryBus } from '../../src/bus/memory.js';
import { loadConfig } from '../../src/config.js';
import { MemoryPresence, type Registry } from '../../src/presence/memory.js';
import { buildServer } from '../../src/server.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { Client, type Frame, getToken, tempDir } from '../helpers.js';

interface Node {
  name: string;
  app: FastifyInstance;
  url: string;
  wsUrl: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('three nodes in one process (one store, one in-memory bus)', () => {
  const dataDir = tempDir('parley-cluster-');
  let store: Store;
  const bus = new MemoryBus();
  const nodes: Node[] = [];
  const registry: Registry = new Map();
  let a: Node;
  let b: Node;
  let c: Node;
  const tokens: Record<string, string> = {};

  before(async () => {
    const config = loadConfig(
      // Nodes share the signing secret, so a token from one is good on the others.
      {
        PARLEY_LOG_LEVEL: 'silent',
        PARLEY_JWT_SECRET: randomBytes(32).toString('base64url'),
        PARLEY_PUBLIC_URL: 'http://parley-in-process.test',
        PARLEY_WS_FRAME_RATE: '100000',
      },
      { port: '0', data: dataDir, demo: true },
    );
    store = await openStore(config);
    for (const name of ['a', 'b', 'c']) {
      // Periodic positioning is pushed out of the way: what a node catches up on after a bus outage must come
      // from the bus telling it so (onReconnect), within the test's wait.
      const app = await buildServer(config, { store, bus, presence: new MemoryPresence(name, registry), nodeId: name, positionEveryMs: 60_000 });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as { port: number };
      nodes.push({ name, app, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}` });
    }
    [a, b, c] = nodes as [Node, Node, Node];
    tokens.john = await getToken(a.url, 'johndoe');
    tokens.jane = await getToken(b.url, 'janedoe');
  });

  after(async () => {
    bus.down = false;
    for (const node of nodes) await node.app.close();
    await store?.close();
    await bus.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A client joined to `room` on `node`; `since` resumes. Every frame it gets is kept in `received`. */
  async function member(node: Node, token: string, room: string, since?: number): Promise<Client> {
    const client = await Client.chat(node, token);
    client.send(since === undefined ? { type: 'join', room } : { type: 'join', room, since });
    await client.next((f) => f.type === 'joined' && f.room === room);
    return client;
  }

  async function createRoom(node: Node, name: string): Promise<void> {
    const response = await fetch(`${node.url}/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.john}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    assert.equal(response.status, 201, await response.text());
  }

  const messagesIn = (client: Client, room: string, prefix: string): Frame[] =>
    (client.received as Frame[]).filter((f) => f.type === 'message' && f.room === room && String(f.body).startsWith(prefix));

  async function waitFor(what: string, done: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(10);
    }
  }

  test('messages sent on one node reach the members on all three exactly once, in order', async () => {
    const room = 'fanout';
    await createRoom(a, room);
    const sender = await member(a, tokens.john!, room);
    const onA = await member(a, tokens.jane!, room);
    const onB = await member(b, tokens.jane!, room);
    const onC = await member(c, tokens.john!, room);
    const total = 50;
    for (let i = 0; i < total; i++) sender.send({ type: 'send', room, body: `fan ${i}`, clientId: `fan-${i}` });
    // A last message after the batch: once it is in, any duplicate of the batch would have been seen before it.
    sender.send({ type: 'send', room, body: 'fan end', clientId: 'fan-end' });
    for (const client of [onA, onB, onC, sender]) await client.next((f) => f.type === 'message' && f.body === 'fan end');
    for (const [name, client] of Object.entries({ onA, onB, onC, sender })) {
      const got = messagesIn(client, room, 'fan ').filter((f) => f.body !== 'fan end');
      assert.deepEqual(
        got.map((f) => f.body),
        Array.from({ length: total }, (_, i) => `fan ${i}`),
        `${name}: every message once, in send order`,
      );
      const seqs = got.map((f) => f.seq as number);
      assert.deepEqual(
        seqs,
        Array.from({ length: total }, (_, i) => seqs[0]! + i),
        `${name}: contiguous seqs`,
      );
    }
    for (const client of [sender, onA, onB, onC]) client.close();
  });

  test('a client that drops mid-stream and resumes on another node (join with since) misses nothing', async () => {
    const room = 'resume';
    await createRoom(a, room);
    const senders = [await member(a, tokens.john!, room), await member(c, tokens.john!, room)];
    const seen: Frame[] = [];
    const record = (client: Client) =>
      client.socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        if (frame.type === 'message' && frame.room === room) seen.push(frame);
      });
    const first = await member(b, tokens.jane!, room);
    record(first);
    const total = 300;
    let resumed: Client | undefined;
    for (let i = 0; i < total; i++) {
      senders[i % 2]!.send({ type: 'send', room, body: `burst ${i}`, clientId: `burst-${i}` });
      if (i % 20 === 0) await sleep(1);
      if (i === total / 2) {
        await waitFor('the first messages on b', () => seen.length > 0);
        first.socket.terminate();
        await sleep(10);
        // Resume on c, from the last seq seen on b; the listener is attached before the join is sent.
        resumed = await Client.chat(c, tokens.jane!);
        record(resumed);
        resumed.send({ type: 'join', room, since: seen.at(-1)!.seq });
        await resumed.next((f) => f.type === 'joined');
      }
    }
    await waitFor(`${total} messages`, () => seen.length >= total);
    await sleep(50);
    const seqs = seen.map((f) => f.seq as number);
    assert.deepEqual(
      seqs,
      Array.from({ length: total }, (_, i) => seqs[0]! + i),
      'every seq once, in order, across the drop',
    );
    assert.deepEqual(new Set(seen.map((f) => f.body)).size, total, 'every message once');
    for (const client of [...senders, resumed!]) client.close();
  });

  test('presence is cluster-wide: members on every node, online once, offline only when the last socket anywhere leaves', async () => {
    const room = 'presence';
    await createRoom(a, room);
    const john = await Client.chat(a, tokens.john!);
    john.send({ type: 'join', room });
    assert.deepEqual((await john.next((f) => f.type === 'joined')).members, ['johndoe']);
    const janeOnB = await Client.chat(b, tokens.jane!);
    janeOnB.send({ type: 'join', room });
    assert.deepEqual((await janeOnB.next((f) => f.type === 'joined')).members, ['janedoe', 'johndoe'], 'john is on another node');
    const janeOnC = await Client.chat(c, tokens.jane!);
    janeOnC.send({ type: 'join', room });
    await janeOnC.next((f) => f.type === 'joined');
    janeOnB.close();
    janeOnC.close();
    const states: string[] = [];
    for (;;) {
      const presence = await john.next((f) => f.type === 'presence' && f.user === 'janedoe');
      states.push(presence.state as string);
      if (presence.state === 'offline') break;
    }
    assert.deepEqual(states, ['online', 'offline'], 'her second tab announced nothing; she went offline when her last tab closed');
    john.close();
  });

  test('a bus outage: local delivery goes on; what was published meanwhile reaches the other nodes after recovery, in a quiet room', async () => {
    const room = 'outage';
    await createRoom(a, room);
    const sender = await member(a, tokens.john!, room);
    const local = await member(a, tokens.jane!, room);
    const onB = await member(b, tokens.jane!, room);
    const onC = await member(c, tokens.john!, room);
    sender.send({ type: 'send', room, body: 'before', clientId: 'o-0' });
    for (const client of [local, onB, onC]) await client.next((f) => f.type === 'message' && f.body === 'before');

    bus.down = true;
    try {
      for (let i = 1; i <= 5; i++) sender.send({ type: 'send', room, body: `during ${i}`, clientId: `o-${i}` });
      // Same node: delivered while the bus is still down.
      await local.next((f) => f.type === 'message' && f.body === 'during 5');
      await sender.next((f) => f.type === 'ack' && f.clientId === 'o-5');
      await sleep(100);
      for (const client of [onB, onC]) assert.deepEqual(messagesIn(client, room, 'during'), [], 'the outage really cut the other nodes off');
    } finally {
      bus.down = false;
    }
    // No further traffic in the room: only the nodes catching up on their own can bring these.
    for (const client of [onB, onC]) {
      await client.next((f) => f.type === 'message' && f.body === 'during 5', 3000);
      assert.deepEqual(
        messagesIn(client, room, 'during').map((f) => f.body),
        ['during 1', 'during 2', 'during 3', 'during 4', 'during 5'],
      );
    }
    assert.deepEqual(
      messagesIn(local, room, 'during').map((f) => f.body),
      ['during 1', 'during 2', 'during 3', 'during 4', 'during 5'],
    );
    // And the bus carries traffic again.
    sender.send({ type: 'send', room, body: 'after', clientId: 'o-after' });
    for (const client of [onB, onC]) await client.next((f) => f.type === 'message' && f.body === 'after');
    for (const client of [sender, local, onB, onC]) client.close();
  });

  test('a token revoked on one node closes its sockets on all three with 4403', async () => {
    const token = await getToken(a.url, 'janedoe');
    const sockets = await Promise.all(nodes.map((node) => member(node, token, 'general')));
    const response = await fetch(`${b.url}/token/revoke`, { method: 'POST', body: new URLSearchParams({ token }) });
    assert.equal(response.status, 200);
    for (const socket of sockets) assert.equal((await socket.closedWith(3000)).code, 4403);
  });
});
