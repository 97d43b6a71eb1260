// One client must not make the server hold memory for it without end: a socket that does not read is closed 1013
// whatever it sends, frames waiting behind a stalled join are bounded (4030), a reader that stopped reading is
// found by the heartbeat even if it sends pongs on its own, and replays to sockets that read nothing hold
// little each. Resource cases measure the server in its own process and assert bounds (bytes, counts), not times.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloseCodes } from 'parley-chat-protocol';
import WebSocket from 'ws';
import type { Store } from '../../src/store/store.js';
import { Client, type Frame, getToken, type RunningServer, startServer } from '../helpers.js';
import { type ChildServer, startChildServer } from '../support/child-server.js';
import { budgetRefusals, METRICS_ENV } from '../support/metrics.js';

const MB = 1024 * 1024;
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
/** Stops reading: what arrives stays in the kernel, then in the server's send buffer. */
const stopReading = (client: Client) => (client.socket as unknown as { _socket: Socket })._socket.pause();
const startReading = (client: Client) => (client.socket as unknown as { _socket: Socket })._socket.resume();

/** Runs `step` every few ms until `done` says so (or `maxMs` passes), sampling the server's RSS; returns the peak. */
async function feed(server: ChildServer, step: () => void, done: () => Promise<boolean>, maxMs = 15_000): Promise<number> {
  let peak = server.rss();
  const until = Date.now() + maxMs;
  let checked = Date.now();
  while (Date.now() < until) {
    step();
    peak = Math.max(peak, server.rss());
    if (Date.now() - checked > 100) {
      checked = Date.now();
      if (await done()) return peak;
    }
    await sleep(2);
  }
  throw new Error(`the budget was not enforced within ${maxMs} ms (peak RSS ${(peak / MB).toFixed(0)} MB)`);
}

describe('a client that does not read', () => {
  let server: ChildServer;
  before(async () => {
    // A small buffer budget, and a frame rate that lets one client push ~60 MB/s: without the budget, the
    // server's memory would grow by that much for each of these clients.
    server = await startChildServer({ PARLEY_WS_MAX_BUFFERED: '256k', PARLEY_WS_FRAME_RATE: '2000', PARLEY_MAX_SOCKETS_PER_USER: '100' });
  });
  after(() => server?.stop());

  test('on /secured-ws: closed 1013, memory bounded, a bystander served', async (t) => {
    const token = await getToken(server.url);
    const hogs = await Promise.all([1, 2].map(() => Client.open(`${server.wsUrl}/secured-ws`, bearer(token))));
    hogs.forEach(stopReading);
    const closedBefore = await budgetRefusals(server.url, 'slow_consumer');
    const baseline = server.rss();
    const frame = 'x'.repeat(60 * 1024);
    const peak = await feed(
      server,
      () => {
        for (const hog of hogs) if (hog.socket.readyState === WebSocket.OPEN) hog.socket.send(frame);
      },
      async () => (await budgetRefusals(server.url, 'slow_consumer')) >= closedBefore + hogs.length,
    );
    const bystander = await Client.open(`${server.wsUrl}/secured-ws`, bearer(token));
    assert.equal(await bystander.next(), 'Welcome johndoe!');
    bystander.send('still there?');
    assert.equal(await bystander.next(), 'You wrote: still there?');
    bystander.close();
    hogs.forEach(startReading);
    for (const hog of hogs) assert.deepEqual(await hog.closedWith(20_000), { code: 1013, reason: CloseCodes.slowConsumer.reason });
    // Each hog: 256 KiB in the send buffer; the rest is garbage from the frames read and dropped.
    t.diagnostic(`RSS ${(baseline / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB`);
    assert.ok(peak - baseline < 120 * MB, `RSS grew by ${((peak - baseline) / MB).toFixed(0)} MB`);
  });

  test('on /ws: live traffic and answers to its own pings alike, closed 1013; the room goes on', async (t) => {
    const hogToken = await getToken(server.url, 'janedoe');
    const hog = await Client.chat({ wsUrl: server.wsUrl } as RunningServer, hogToken);
    hog.send({ type: 'join', room: 'general' });
    await hog.next((f) => f.type === 'joined');
    stopReading(hog);
    const sender = await Client.chat({ wsUrl: server.wsUrl } as RunningServer, await getToken(server.url));
    sender.send({ type: 'join', room: 'general' });
    await sender.next((f) => f.type === 'joined');
    const closedBefore = await budgetRefusals(server.url, 'slow_consumer');
    const baseline = server.rss();
    const body = 'b'.repeat(4000);
    let sent = 0;
    let acked = 0;
    sender.socket.on('message', (data) => {
      if ((JSON.parse(data.toString()) as Frame).type === 'ack') acked++;
    });
    const peak = await feed(
      server,
      () => {
        // The hog asks for pongs it never reads; the sender keeps 50 messages in flight.
        if (hog.socket.readyState === WebSocket.OPEN) hog.socket.send(JSON.stringify({ type: 'ping' }));
        while (sent - acked < 50) sender.send({ type: 'send', room: 'general', body, clientId: `m${sent++}` });
      },
      async () => (await budgetRefusals(server.url, 'slow_consumer')) > closedBefore,
    );
    // The sender was served throughout, and still is.
    const before = acked;
    sender.send({ type: 'send', room: 'general', body: 'after the hog', clientId: 'last' });
    await sender.next((f) => f.type === 'ack' && f.clientId === 'last', 10_000);
    assert.ok(before > 50, `the sender got ${before} acks`);
    startReading(hog);
    assert.deepEqual(await hog.closedWith(20_000), { code: 1013, reason: CloseCodes.slowConsumer.reason });
    t.diagnostic(`RSS ${(baseline / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB`);
    assert.ok(peak - baseline < 120 * MB, `RSS grew by ${((peak - baseline) / MB).toFixed(0)} MB`);
    sender.close();
  });

  test('sockets replaying a big room without reading hold about the replay high-water mark each', async (t) => {
    const token = await getToken(server.url);
    const writer = await Client.chat({ wsUrl: server.wsUrl } as RunningServer, token);
    writer.send({ type: 'join', room: 'general' });
    await writer.next((f) => f.type === 'joined');
    // ~5 MB of history.
    const total = 1200;
    const body = 'h'.repeat(4000);
    let acked = 0;
    writer.socket.on('message', (data) => {
      if ((JSON.parse(data.toString()) as Frame).type === 'ack') acked++;
    });
    for (let sent = 0; sent < total; ) {
      // Few in flight: a batch's entries reach the writer in one tick, and its own budget is 256 KiB too.
      while (sent < total && sent - acked < 40) writer.send({ type: 'send', room: 'general', body, clientId: `h${sent++}` });
      await sleep(5);
    }
    while (acked < total) await sleep(10);
    const readers = 40;
    const baseline = server.rss();
    let peak = baseline;
    const stalled: Client[] = [];
    for (let i = 0; i < readers; i++) {
      const client = await Client.chat({ wsUrl: server.wsUrl } as RunningServer, token);
      stopReading(client);
      client.send({ type: 'join', room: 'general', since: 0 });
      stalled.push(client);
      peak = Math.max(peak, server.rss());
    }
    for (let i = 0; i < 20; i++) {
      await sleep(50);
      peak = Math.max(peak, server.rss());
    }
    t.diagnostic(`RSS ${(baseline / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB`);
    // Unpaced, each would hold a 500-entry page (~4 MB of strings) plus its send buffer; paced, 64 KiB and change.
    assert.ok(peak - baseline < 64 * MB, `RSS grew by ${((peak - baseline) / MB).toFixed(0)} MB for ${readers} stalled replays`);
    writer.send({ type: 'send', room: 'general', body: 'still served', clientId: 'after' });
    await writer.next((f) => f.type === 'ack' && f.clientId === 'after', 10_000);
    for (const client of stalled) client.socket.terminate();
    writer.close();
  });
});

describe('frames waiting behind a stalled join', () => {
  let server: RunningServer;
  /** Replays of room `stalled` wait for this. */
  let release: () => void = () => {};
  const stall = new Promise<void>((resolve) => (release = resolve));

  before(async () => {
    server = await startServer({ PARLEY_WS_MAX_PENDING_FRAMES: '20', PARLEY_WS_MAX_PENDING: '64k' }, undefined, {
      wrapStore: (store) => {
        // The real store, answering replays of one room only once the test says so (a stalled read).
        const entries = Object.create(store.entries) as Store['entries'];
        entries.after = async (room, after, limit) => {
          if (room === 'stalled') await stall;
          return store.entries.after(room, after, limit);
        };
        return Object.defineProperty(Object.create(store) as Store, 'entries', { value: entries });
      },
    });
    const token = await getToken(server.url);
    const created = await fetch(`${server.url}/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'stalled' }),
    });
    assert.equal(created.status, 201);
  });
  after(async () => {
    release();
    await server?.cleanup();
  });

  async function stalledJoin(): Promise<Client> {
    const client = await Client.chat(server, await getToken(server.url));
    client.send({ type: 'join', room: 'stalled', since: 0 });
    await client.next((f) => f.type === 'joined');
    return client;
  }

  test('more frames than PARLEY_WS_MAX_PENDING_FRAMES: closed 4030 with a reason; others are served', async () => {
    const client = await stalledJoin();
    const bystander = await Client.chat(server, await getToken(server.url, 'janedoe'));
    bystander.send({ type: 'join', room: 'general' });
    await bystander.next((f) => f.type === 'joined');
    for (let i = 0; i < 25; i++) client.send({ type: 'ping', ref: `p${i}` });
    assert.deepEqual(await client.closedWith(), { code: 4030, reason: 'too many frames waiting: wait for answers before sending more' });
    assert.equal(client.received.filter((f) => (f as Frame).type === 'pong').length, 0, 'nothing behind the join was handled');
    bystander.send({ type: 'send', room: 'general', body: 'unaffected', clientId: 'u1' });
    await bystander.next((f) => f.type === 'ack' && f.clientId === 'u1');
    bystander.close();
  });

  test('more bytes waiting than PARLEY_WS_MAX_PENDING: closed 4030 too', async () => {
    const client = await stalledJoin();
    const padded = JSON.stringify({ type: 'history', room: 'stalled', ref: 'x'.repeat(40) }).padEnd(40 * 1024);
    client.send(padded);
    client.send(padded);
    assert.equal((await client.closedWith()).code, 4030);
  });

  test('frames within the budget wait and are all answered once the replay goes on', async () => {
    const client = await stalledJoin();
    for (let i = 0; i < 10; i++) client.send({ type: 'ping', ref: `w${i}` });
    release();
    for (let i = 0; i < 10; i++) assert.equal((await client.next((f) => f.type === 'pong')).ref, `w${i}`);
    client.close();
  });
});

describe('the heartbeat', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_WS_HEARTBEAT: '1s', ...METRICS_ENV });
  });
  after(() => server?.cleanup());

  test('pongs a client sends on its own do not keep a socket that reads nothing alive; a reading one lives on', async () => {
    const token = await getToken(server.url);
    const reading = await Client.open(`${server.wsUrl}/secured-ws`, bearer(token));
    await reading.next();
    const deaf = await Client.open(`${server.wsUrl}/secured-ws`, bearer(token));
    await deaf.next();
    stopReading(deaf);
    // Unsolicited pongs, and guesses at the ping's payload, five times a second.
    let pongs = 0;
    while ((await budgetRefusals(server.url, 'dead_socket')) < 1) {
      assert.ok(pongs < 100, 'the deaf socket was not dropped within 20 s');
      deaf.socket.pong(Buffer.from([pongs & 0xff, 0, 0, 0, 0, 0]));
      pongs++;
      await sleep(200);
    }
    startReading(deaf);
    assert.equal((await deaf.closedWith()).code, 1006, 'terminated: no close frame for a peer that does not read');
    // The reading socket answered every ping and is still served.
    reading.send('hello');
    assert.equal(await reading.next(), 'You wrote: hello');
    assert.equal(reading.closed, undefined);
    reading.close();
  });
});
