// One user may hold PARLEY_MAX_SOCKETS_PER_USER sockets (default 20) on a node, both endpoints together: the next
// handshake is refused before the upgrade with 429 `too_many_sockets` and Retry-After, even when they all arrive at
// once, and a place frees up when a socket closes. Other users are not affected.
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { Client, expectRefusal, getToken, serverSuite } from '../helpers.js';
import { budgetRefusals, METRICS_ENV, metric } from '../support/metrics.js';

const MAX = 20;
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** Opens a socket; resolves with it, or with the HTTP status of a refusal. */
function attempt(url: string, token: string): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, bearer(token));
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    socket.once('error', reject);
  });
}

describe('sockets per user', () => {
  const server = serverSuite(METRICS_ENV); // the default budget

  test(`the ${MAX + 1}st socket of a user is refused before the upgrade; closing one frees a place`, async () => {
    const token = await getToken(server.url);
    const sockets: Client[] = [];
    for (let i = 0; i < MAX / 2; i++) sockets.push(await Client.chat(server, token));
    for (let i = 0; i < MAX / 2; i++) sockets.push(await Client.open(`${server.wsUrl}/secured-ws`, bearer(token)));

    for (const path of ['/ws', '/secured-ws']) {
      const refusal = await expectRefusal(`${server.wsUrl}${path}`, bearer(token));
      assert.equal(refusal.status, 429);
      assert.equal(refusal.headers['retry-after'], '10');
      assert.equal(refusal.headers['cache-control'], 'no-store');
      assert.deepEqual(JSON.parse(refusal.body), {
        error: 'too_many_sockets',
        error_description: `johndoe already has ${MAX} sockets open on this server (the most one user may); close one and try again`,
      });
    }

    // Another user is not affected.
    const jane = await Client.chat(server, await getToken(server.url, 'janedoe'));
    jane.close();

    sockets.pop()!.close();
    let again: WebSocket | number = 429;
    // The place is given back when the server sees the close.
    for (let tries = 0; again === 429 && tries < 50; tries++) {
      await sleep(20);
      again = await attempt(`${server.wsUrl}/ws`, token);
    }
    assert.ok(again instanceof WebSocket, `refused with ${String(again)} after a socket closed`);
    again.close();
    for (const socket of sockets) socket.close();
    assert.ok((await budgetRefusals(server.url, 'sockets_per_user')) >= 2);
  });

  test('handshakes arriving all at once cannot get past the budget', async () => {
    const token = await getToken(server.url, 'janedoe');
    // Wait until the last test's sockets are gone from the count.
    for (let tries = 0; tries < 100; tries++) {
      if ((await metric(server.url, 'parley_sockets_open')) === 0) break;
      await sleep(20);
    }
    const results = await Promise.all(Array.from({ length: MAX + 15 }, () => attempt(`${server.wsUrl}/ws`, token)));
    const opened = results.filter((r): r is WebSocket => r instanceof WebSocket);
    assert.equal(opened.length, MAX);
    assert.deepEqual(
      results.filter((r) => !(r instanceof WebSocket)),
      Array(15).fill(429),
    );
    for (const socket of opened) socket.close();
  });

  test('handshakes refused at the gate or failing after it give their place back', async () => {
    const token = await getToken(server.url);
    for (let i = 0; i < MAX + 5; i++) assert.equal((await expectRefusal(`${server.wsUrl}/ws`, bearer('not-a-token'))).status, 401);
    // Through the gate (a place is taken), then refused by the WebSocket handshake itself (an unknown version).
    for (let i = 0; i < MAX + 5; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.get(`${server.url}/ws`, {
          headers: {
            authorization: `Bearer ${token}`,
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '99',
            'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          },
        });
        request.once('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.once('error', reject);
      });
      assert.equal(status, 400);
    }
    let socket: WebSocket | number = 429;
    for (let tries = 0; socket === 429 && tries < 50; tries++) {
      socket = await attempt(`${server.wsUrl}/ws`, token);
      if (socket === 429) await sleep(20);
    }
    assert.ok(socket instanceof WebSocket, `refused with ${String(socket)}`);
    socket.close();
  });
});
