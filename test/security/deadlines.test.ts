// A connection that has not authenticated costs the server a file descriptor and a parser: it gets deadlines
// (headers, the whole request, the WebSocket handshake) and a per-address budget. Deadlines here are shortened
// through the settings; assertions are on what happened (closed, answered 408, served others), with only loose
// upper bounds on when.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../../src/store/store.js';
import { Client, expectRefusal, getToken, type RunningServer, serverSuite, startServer } from '../helpers.js';
import { budgetRefusals, METRICS_ENV } from '../support/metrics.js';

interface Outcome {
  /** What the server wrote before closing. */
  answer: string;
  closedAfterMs: number;
}

/** Connects, writes `first`, then one more byte of `drip` every `everyMs` until the server closes the connection. */
function dripping(url: string, first: string, drip: string, everyMs = 200, giveUpMs = 15_000): Promise<Outcome> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(Number(port), '127.0.0.1');
    let answer = '';
    let at = 0;
    socket.write(first);
    const timer = setInterval(() => {
      if (Date.now() - started > giveUpMs) {
        clearInterval(timer);
        socket.destroy();
        reject(new Error(`still open after ${giveUpMs} ms`));
      } else if (drip && socket.writable) {
        socket.write(drip[at++ % drip.length]!);
      }
    }, everyMs);
    socket.on('data', (data) => (answer += data.toString()));
    socket.on('error', () => {}); // a reset is a close too
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
  });
}

const TIMEOUT_BODY = { error: 'request_timeout', error_description: 'the request took too long to arrive' };

function assertTimedOut(outcome: Outcome, withinMs: number): void {
  assert.match(outcome.answer, /^HTTP\/1\.1 408 /);
  assert.deepEqual(JSON.parse(outcome.answer.slice(outcome.answer.indexOf('\r\n\r\n') + 4)), TIMEOUT_BODY);
  assert.ok(outcome.closedAfterMs < withinMs, `closed after ${outcome.closedAfterMs} ms`);
}

describe('deadlines', () => {
  let server: RunningServer;
  /** While set, the gate's account lookup for janedoe does not come back: a handshake that never completes. */
  let stallJane = false;
  const never = new Promise<never>(() => {});

  before(async () => {
    server = await startServer({ PARLEY_HEADERS_TIMEOUT: '1s', PARLEY_REQUEST_TIMEOUT: '2s', ...METRICS_ENV }, undefined, {
      wrapStore: (store) => {
        const accounts = Object.create(store.accounts) as Store['accounts'];
        accounts.find = async (username) => (stallJane && username === 'janedoe' ? never : store.accounts.find(username));
        return Object.defineProperty(Object.create(store) as Store, 'accounts', { value: accounts });
      },
    });
  });
  after(() => server?.cleanup());

  const healthy = async () => assert.equal((await fetch(`${server.url}/healthz`)).status, 200);

  test('a body dripped a byte at a time is cut at the request deadline; others are served meanwhile', async () => {
    const drip = dripping(
      server.url,
      'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n',
      'username=johndoe&password=secret&',
    );
    await sleep(500);
    await healthy();
    assertTimedOut(await drip, 10_000);
    await healthy();
  });

  test('headers dripped, or nothing sent at all, are cut at the headers deadline', async () => {
    const [headers, silent] = await Promise.all([dripping(server.url, 'GET /healthz HTTP/1.1\r\n', 'X-Slow: yes\r\n'), dripping(server.url, '', '')]);
    assertTimedOut(headers, 10_000);
    assertTimedOut(silent, 10_000);
    assert.ok((await budgetRefusals(server.url, 'deadline')) >= 3, 'the body, the headers and the silent connection');
  });

  test('a WebSocket handshake stuck behind its headers is cut too', async () => {
    const token = await getToken(server.url, 'janedoe');
    stallJane = true;
    try {
      const { port } = new URL(server.url);
      const handshake =
        `GET /ws HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
      const closed = await new Promise<number>((resolve, reject) => {
        const started = Date.now();
        const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(handshake));
        socket.on('error', () => {});
        socket.on('close', () => resolve(Date.now() - started));
        setTimeout(() => reject(new Error('the stalled handshake is still open after 15 s')), 15_000).unref();
      });
      assert.ok(closed < 10_000, `closed after ${closed} ms`);
    } finally {
      stallJane = false;
    }
    // Everyone else's handshakes go through.
    assert.equal((await expectRefusal(`${server.wsUrl}/ws`)).status, 401);
    await healthy();
  });

  test('an open WebSocket is not subject to the HTTP deadlines', async () => {
    const client = await Client.chat(server, await getToken(server.url));
    await sleep(3000); // past the request deadline
    client.send({ type: 'ping', ref: 'later' });
    assert.equal((await client.next((f) => f.type === 'pong')).ref, 'later');
    client.close();
  });
});

describe('connections per address', () => {
  const server = serverSuite({ PARLEY_MAX_CONNECTIONS_PER_ADDRESS: '5', ...METRICS_ENV });

  function connect(): Promise<net.Socket> {
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  /** A new connection asking for /healthz: whether it was answered (rather than reset). */
  function probe(): Promise<boolean> {
    const { port } = new URL(server.url);
    return new Promise((resolve) => {
      let answer = '';
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      socket.on('data', (data) => (answer += data.toString()));
      socket.on('error', () => {});
      socket.on('close', () => resolve(answer.startsWith('HTTP/1.1 200')));
    });
  }

  /** A token over a connection of its own that closes after the answer (fetch would keep one open in its pool). */
  function tokenOnce(): Promise<string> {
    return new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/x-www-form-urlencoded' };
      const request = http.request(`${server.url}/token`, { method: 'POST', agent: false, headers });
      request.once('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve((JSON.parse(body) as { access_token: string }).access_token));
      });
      request.once('error', reject);
      request.end('username=johndoe&password=secret');
    });
  }

  test('past the budget a new connection is reset; a place frees up when one closes; sockets do not count', async () => {
    const token = await tokenOnce();
    // WebSockets are the user's budget, not the address's.
    const sockets = await Promise.all([1, 2, 3, 4, 5, 6].map(() => Client.chat(server, token)));
    const idle: net.Socket[] = [];
    try {
      for (let i = 0; i < 5; i++) idle.push(await connect());
      await sleep(100);
      assert.equal(await probe(), false, 'the sixth connection is reset');
      idle.pop()!.destroy();
      await sleep(100);
      assert.equal(await probe(), true);
    } finally {
      for (const socket of idle) socket.destroy();
      for (const socket of sockets) socket.close();
    }
    await sleep(100);
    assert.equal(await budgetRefusals(server.url, 'connections_per_address'), 1);
  });
});
