// The benchmark's instruments: the peers speak what they claim (checked with the real clients, ws and
// socket.io-client), refuse what Parley refuses, and the bench's raw client agrees with them. No timings.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { JwtCheck, mintToken } from '../../bench/peers/jwt.js';
import { startSocketIo } from '../../bench/peers/socketio.js';
import type { Started } from '../../bench/peers/started.js';
import { startWs } from '../../bench/peers/ws.js';
import { markdown } from '../../bench/report.js';
import type { ResultsFile } from '../../bench/results.js';
import { findBun, ServerProcess } from '../../bench/server-process.js';
import { Histogram } from '../../bench/stats.js';
import { targetFor } from '../../bench/targets.js';
import { UpgradeRefused, WireSocket } from '../../bench/wire.js';

const secret = new TextEncoder().encode('a-bench-test-secret-of-32-bytes-or-more');
const jwt = new JwtCheck(secret);

/** Resolves with the first `count` text frames of a `ws` client. */
function frames(ws: WebSocket, count: number): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve) => ws.on('message', (data) => got.push(String(data)) === count && resolve(got)));
}

describe('bench peer: ws', () => {
  let server: Started;
  let token: string;
  before(async () => {
    server = await startWs(jwt);
    token = await mintToken(secret);
  });
  after(() => server.stop());

  test('refuses a missing or foreign token before the handshake', async () => {
    await assert.rejects(WireSocket.open({ port: server.port, path: '/echo' }), (e) => e instanceof UpgradeRefused && e.status === 401);
    const foreign = await mintToken(new TextEncoder().encode('another-secret-entirely-32-bytes-long'));
    const headers = { Authorization: `Bearer ${foreign}` };
    await assert.rejects(WireSocket.open({ port: server.port, path: '/echo', headers }), (e) => e instanceof UpgradeRefused && e.status === 401);
  });

  test('echoes like /secured-ws, to the ws client and to the raw client alike', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/echo`, { headers: { Authorization: `Bearer ${token}` } });
    const got = frames(ws, 2);
    ws.once('open', () => ws.send('hi'));
    assert.deepEqual(await got, ['Welcome johndoe!', 'You wrote: hi']);
    ws.close();

    const target = targetFor('ws', server.port, token);
    const raw = await target.openEcho();
    raw.sendText(target.echoFrame('hello'));
    assert.equal(target.echoText(await raw.next()), 'You wrote: hello');
    await raw.close();
  });

  test('relays a send to every member, the sender included', async () => {
    const target = targetFor('ws', server.port, token);
    const [a, b] = await Promise.all([target.openChat(), target.openChat()]);
    a.sendText(target.sendFrame('tag:1; hi', 'c1'));
    for (const ws of [a, b])
      assert.deepEqual(pick(JSON.parse(await ws.next())), { type: 'message', room: 'general', user: 'johndoe', body: 'tag:1; hi' });
    await Promise.all([a.close(), b.close()]);
  });
});

describe('bench peer: Socket.IO', () => {
  let server: Started;
  let token: string;
  before(async () => {
    server = await startSocketIo(jwt);
    token = await mintToken(secret);
  });
  after(() => server.stop());

  test('socket.io-client with auth.token is welcomed and echoed; a bad token is refused', async () => {
    const client = io(`http://127.0.0.1:${server.port}`, {
      transports: ['websocket'],
      auth: { token },
      query: { mode: 'echo' },
      reconnection: false,
    });
    const got: string[] = [];
    await new Promise<void>((resolve) =>
      client.on('message', (text: string) => {
        got.push(text);
        if (got.length === 1) client.emit('message', 'hi');
        else resolve();
      }),
    );
    assert.deepEqual(got, ['Welcome johndoe!', 'You wrote: hi']);
    client.close();

    const bad = io(`http://127.0.0.1:${server.port}`, { transports: ['websocket'], auth: { token: 'nope' }, reconnection: false });
    const error = await new Promise<Error>((resolve) => bad.on('connect_error', resolve));
    assert.equal(error.message, 'unauthorized');
    bad.close();
  });

  test('the raw client speaks the same protocol: echo, and a room broadcast that socket.io-client receives', async () => {
    const target = targetFor('socketio', server.port, token);
    const raw = await target.openEcho();
    raw.sendText(target.echoFrame('hello'));
    assert.equal(target.echoText(await raw.next()), 'You wrote: hello');
    await raw.close();

    const member = io(`http://127.0.0.1:${server.port}`, { transports: ['websocket'], auth: { token }, reconnection: false });
    await new Promise((resolve) => member.once('welcome', resolve));
    const received = new Promise((resolve) => member.once('message', resolve));
    const sender = await target.openChat();
    sender.sendText(target.sendFrame('tag:2; hi', 'c2'));
    assert.deepEqual(pick((await received) as Record<string, unknown>), { type: 'message', room: 'general', user: 'johndoe', body: 'tag:2; hi' });
    member.close();
    await sender.close();
  });
});

describe('bench peer: Bun', () => {
  const bun = findBun();
  let server: ServerProcess | undefined;
  let token: string;
  before(async () => {
    if (!bun.path) return;
    server = await ServerProcess.start('bun', { BENCH_JWT_SECRET: new TextDecoder().decode(secret) }, {});
    token = await mintToken(secret);
  });
  after(() => server?.stop());

  test('refuses without a token, echoes and relays with one', { skip: bun.path ? false : `no bun binary: ${bun.reason}` }, async () => {
    await assert.rejects(WireSocket.open({ port: server!.port, path: '/echo' }), (e) => e instanceof UpgradeRefused && e.status === 401);
    const target = targetFor('bun', server!.port, token);
    const echo = await target.openEcho();
    echo.sendText('hello');
    assert.equal(await echo.next(), 'You wrote: hello');
    const [a, b] = await Promise.all([target.openChat(), target.openChat()]);
    a.sendText(target.sendFrame('tag:3; hi', 'c3'));
    for (const ws of [a, b])
      assert.deepEqual(pick(JSON.parse(await ws.next())), { type: 'message', room: 'general', user: 'johndoe', body: 'tag:3; hi' });
    await Promise.all([echo.close(), a.close(), b.close()]);
    const memory = await server!.memory();
    assert.ok(memory.rss > 0);
  });
});

describe('bench arithmetic', () => {
  test('histogram percentiles are within a bucket (1%) of the truth', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10);
    assert.ok(Math.abs(h.percentile(0.5) - 50) <= 0.5 + 1e-9);
    assert.ok(Math.abs(h.percentile(0.99) - 99) <= 1 + 1e-9);
  });

  test('the report shows Parley ÷ peer ratios and marks latency lower bounds', () => {
    const results: ResultsFile = {
      date: '2026-01-01T00:00:00Z',
      node: 'v20',
      cpus: 2,
      pinned: true,
      quick: false,
      rounds: 3,
      elapsedSeconds: 1,
      cases: [
        {
          scenario: 'fanout',
          title: 'fan-out',
          subject: 'parley',
          metrics: [
            { key: 'rate', label: 'deliveries/s', better: 'higher' },
            { key: 'p99Ms', label: 'p99', better: 'lower' },
          ],
          columns: {
            parley: { label: 'Parley', runs: [], median: { rate: 2000, p99Ms: 50, delivered: 1 } },
            ws: { label: 'ws', runs: [], median: { rate: 1000, p99Ms: 2000, delivered: 0.9 } },
          },
        },
      ],
    };
    const text = markdown(results);
    assert.match(text, /\| deliveries\/s \| 2,000 \| \*\*2\.00×\*\* \(1,000\) \|/);
    assert.match(text, /\*\*0\.03×\*\* \(≥ 2,000\)/);
  });
});

const pick = (m: Record<string, unknown>) => ({ type: m.type ?? 'message', room: m.room, user: m.user, body: m.body });
