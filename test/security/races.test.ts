// Spending something once, under 20 concurrent attempts (replay of cases that held): a socket ticket opens one
// socket, a refresh token (grant or cookie) rotates once — and within the reuse grace the login survives the race.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { DEMO_PASSWORDS, getToken, type RunningServer, startServer, tokenRequest } from '../helpers.js';
import { Bystander } from './support.js';

const RACERS = 20;

describe('one ticket, one refresh token: exactly one of 20 concurrent uses wins', () => {
  let server: RunningServer;
  let bystander: Bystander;
  before(async () => {
    server = await startServer();
    bystander = await Bystander.join(server);
  });
  after(async () => {
    bystander.close();
    await server.cleanup();
  });

  /** Resolves with the HTTP status of a refused upgrade, or 101 for an opened socket (then closed). */
  const handshake = (url: string) =>
    new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.on('open', () => {
        socket.close();
        resolve(101);
      });
      socket.on('unexpected-response', (_request, response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      socket.on('error', reject);
    });

  test('a ticket: one socket opens, 19 are refused 401', async () => {
    const token = await getToken(server.url);
    const issued = await fetch(`${server.url}/ws-ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const { ticket } = (await issued.json()) as { ticket: string };
    const statuses = await Promise.all(Array.from({ length: RACERS }, () => handshake(`${server.wsUrl}/ws?ticket=${ticket}`)));
    assert.deepEqual([...statuses].sort(), [101, ...Array<number>(RACERS - 1).fill(401)]);
    await bystander.assertServed();
  });

  test('a refresh token at /token: one new pair, 19 invalid_grant, and the winner’s login lives on', async () => {
    const grant = (await (await tokenRequest(server.url, { username: 'johndoe', password: DEMO_PASSWORDS.johndoe! })).json()) as {
      refresh_token: string;
    };
    const answers = await Promise.all(
      Array.from({ length: RACERS }, () => tokenRequest(server.url, { grant_type: 'refresh_token', refresh_token: grant.refresh_token })),
    );
    const winners = answers.filter((r) => r.status === 200);
    assert.equal(winners.length, 1);
    for (const loser of answers.filter((r) => r.status !== 200)) {
      assert.equal(loser.status, 400);
      assert.equal(((await loser.json()) as { error: string }).error, 'invalid_grant');
    }
    const next = (await winners[0]!.json()) as { refresh_token: string };
    // Racers inside the grace are not thieves: the rotated token still works.
    assert.equal((await tokenRequest(server.url, { grant_type: 'refresh_token', refresh_token: next.refresh_token })).status, 200);
    await bystander.assertServed();
  });

  test('the refresh cookie at /auth/refresh: one 200, 19 refused 401', async () => {
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'johndoe', password: DEMO_PASSWORDS.johndoe!, next: '/' }),
      redirect: 'manual',
    });
    const refresh = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((pair) => pair.startsWith('parley_refresh=') && pair !== 'parley_refresh=')!;
    const answers = await Promise.all(
      Array.from({ length: RACERS }, () => fetch(`${server.url}/auth/refresh`, { method: 'POST', headers: { cookie: refresh, origin: server.url } })),
    );
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, ...Array<number>(RACERS - 1).fill(401)]);
    await bystander.assertServed();
  });
});
