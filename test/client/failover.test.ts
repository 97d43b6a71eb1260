// The SDK across several servers of one cluster: two Parleys in this process sharing one store and one bus (the
// in-process cluster), a client given both URLs. When its server drains (SIGTERM's path), the client moves to the
// other at once; a send refused retryably while the node drains is sent again with its clientId and stored once;
// token refresh goes to whichever server answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { connect, login, type ParleyClient } from 'parley-chat-client';
import WebSocket from 'ws';
import { MemoryBus } from '../../src/bus/memory.js';
import { loadConfig } from '../../src/config.js';
import { MemoryPresence, type Registry } from '../../src/presence/memory.js';
import { buildServer } from '../../src/server.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { DEMO_PASSWORDS, type RunningServer, startServer, tempDir } from '../helpers.js';
import { closeClients, loggedIn, record, track, until } from './support.js';

describe('client SDK: failover across the nodes of a cluster', () => {
  const nodes: { app: FastifyInstance; url: string }[] = [];
  let store: Store;
  const bus = new MemoryBus();
  const registry: Registry = new Map();

  before(async () => {
    const env = {
      PARLEY_LOG_LEVEL: 'silent',
      PARLEY_JWT_SECRET: randomBytes(32).toString('base64url'),
      PARLEY_PUBLIC_URL: 'http://parley-failover.test', // one issuer for both nodes
      PARLEY_DRAIN_DELAY: '0',
    };
    const config = loadConfig(env, { port: '0', data: tempDir(), demo: true });
    store = await openStore(config);
    for (const id of ['a', 'b']) {
      const app = await buildServer(config, { store, bus, presence: new MemoryPresence(id, registry), nodeId: id });
      await app.listen({ host: '127.0.0.1', port: 0 });
      nodes.push({ app, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` });
    }
  });
  after(async () => {
    closeClients();
    for (const node of nodes) await node.app.close();
    await store.close();
  });

  async function client(user = 'johndoe'): Promise<ParleyClient> {
    const urls = nodes.map((node) => node.url);
    const session = await login(urls, user, DEMO_PASSWORDS[user]!);
    return track(connect({ url: urls, token: session.accessToken, getToken: session.getToken, WebSocket, reconnect: { minMs: 50, maxMs: 200 } }));
  }

  test('a node draining moves its clients to the next URL at once; sends made meanwhile are stored once, in order', async () => {
    const [first, second] = nodes;
    const jane = await client('janedoe');
    await jane.join('general');
    const john = await client();
    await john.join('general');
    const received = record(jane, 'message');
    const statuses = record(john, 'status');

    // Both clients start on the first URL. Drain it while John keeps sending.
    const draining = first!.app.drain();
    const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => john.send('general', `during the drain ${i}`)));
    await draining;
    await until(() => received.filter((m) => m.body.startsWith('during the drain')).length === 20, 'every message reaches jane');

    const seqs = acks.map((ack) => ack.seq);
    assert.equal(new Set(seqs).size, 20, 'each send stored once');
    const bodies = received.filter((m) => m.body.startsWith('during the drain')).map((m) => m.body);
    assert.equal(new Set(bodies).size, 20, 'each delivered once');
    const moved = statuses.find((s) => s.state === 'reconnecting');
    assert.equal(moved?.state === 'reconnecting' && moved.code, 1001, 'the drained node closed with 1001');
    assert.equal(moved?.state === 'reconnecting' && moved.delayMs, 0, 'and the client moved on at once');
    await until(() => john.status.state === 'open', 'john reconnected');
    // The next socket went to the second node (the first refuses new sockets while draining).
    const last = await john.send('general', 'after the move');
    assert.ok(last.seq > Math.max(...seqs));
    assert.ok(second);
  });
});

describe('client SDK: a send refused retryably is sent again, and stored once', () => {
  let server: RunningServer;
  let failing = 0;
  before(async () => {
    server = await startServer({}, undefined, {
      // The real store, whose next appends fail the way a database that went away does.
      wrapStore: (store) => {
        const entries = Object.create(store.entries) as Store['entries'];
        entries.append = async (batch) => {
          if (failing > 0) {
            failing--;
            throw new Error('connection terminated');
          }
          return store.entries.append(batch);
        };
        return Object.assign(Object.create(store) as Store, { entries });
      },
    });
  });
  after(async () => {
    closeClients();
    await server.cleanup();
  });

  test('two failed attempts, then the ack with one id and seq; the message is stored and delivered once', async () => {
    const john = await loggedIn(server);
    await john.join('general');
    const refusals = record(john, 'frame');
    const received = record(john, 'message');
    failing = 2;
    const ack = await john.send('general', 'worth retrying');
    const errors = refusals.filter((f) => f.type === 'error');
    assert.deepEqual(
      errors.map((f) => f.type === 'error' && [f.code, f.retryable]),
      [
        ['unavailable', true],
        ['unavailable', true],
      ],
    );
    await until(() => received.some((m) => m.body === 'worth retrying'), 'the message arrives');
    assert.deepEqual(
      received.filter((m) => m.body === 'worth retrying').map((m) => m.seq),
      [ack.seq],
    );
  });
});
