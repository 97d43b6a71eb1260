// CORS for the web apps in PARLEY_ALLOWED_ORIGINS: preflights and answers on the token, ticket, discovery and API
// routes carry that origin (never `*`, never credentials); other origins and other routes get no CORS headers;
// and a page on another origin in a real Chromium logs in, gets a ticket and opens the socket.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Harness, skip, timeout } from '../browser/harness.js';
import { getToken, type RunningServer, startServer } from '../helpers.js';

const APP = 'https://app.example';

function preflight(server: RunningServer, path: string, origin: string, method: string, headers = 'authorization') {
  return fetch(`${server.url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));
}

describe('CORS over HTTP', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_ALLOWED_ORIGINS: APP });
  });
  after(() => server.cleanup());

  test('a preflight for POST /token from an allowed origin is answered with that origin and no credentials', async () => {
    const response = await preflight(server, '/token', APP, 'POST', 'content-type');
    assert.equal(response.status, 204);
    assert.deepEqual(corsHeaders(response), {
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-expose-headers': 'www-authenticate, retry-after',
      'access-control-max-age': '600',
    });
    assert.match(response.headers.get('vary') ?? '', /Origin/);
  });

  for (const [path, method] of [
    ['/token/revoke', 'POST'],
    ['/ws-ticket', 'POST'],
    ['/.well-known/oauth-authorization-server', 'GET'],
    ['/users/me', 'GET'],
    ['/rooms', 'POST'],
    ['/rooms/general/messages', 'GET'],
    ['/rooms/general/members/janedoe', 'DELETE'],
  ] as const) {
    test(`${method} ${path} is open to the allowed origin`, async () => {
      const response = await preflight(server, path, APP, method);
      assert.equal(response.status, 204);
      assert.equal(response.headers.get('access-control-allow-origin'), APP);
      assert.ok(response.headers.get('access-control-allow-methods')?.split(', ').includes(method));
      assert.equal(response.headers.get('access-control-allow-credentials'), null);
    });
  }

  test('a preflight from any other origin gets no CORS headers', async () => {
    for (const origin of ['https://evil.example', 'http://app.example', 'https://app.example:8443', 'null']) {
      const response = await preflight(server, '/token', origin, 'POST');
      assert.equal(response.status, 403, origin);
      assert.deepEqual(corsHeaders(response), {}, origin);
      assert.deepEqual(await response.json(), {
        error: 'forbidden_origin',
        error_description: `cross-origin call refused: the origin ${origin} is not among the server's allowed origins (PARLEY_ALLOWED_ORIGINS)`,
      });
    }
  });

  test('pages, forms, the cookie refresh and the docs are not opened, even to the allowed origin', async () => {
    for (const [path, method] of [
      ['/login', 'POST'],
      ['/register', 'POST'],
      ['/logout', 'POST'],
      ['/auth/refresh', 'POST'],
      ['/', 'GET'],
      ['/docs', 'GET'],
      ['/metrics', 'GET'],
    ]) {
      const response = await preflight(server, path!, APP, method!);
      assert.equal(response.status, 403, path);
      assert.deepEqual(corsHeaders(response), {}, path);
      assert.equal(
        ((await response.json()) as { error_description: string }).error_description,
        `cross-origin call refused: ${method} ${path} is not open to other origins (the token, ticket, discovery and bearer API routes are)`,
      );
    }
  });

  test('actual answers carry the origin, refusals too (so the app can read the error); other origins get none', async () => {
    const granted = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { origin: APP },
      body: new URLSearchParams({ username: 'johndoe', password: 'secret' }),
    });
    assert.equal(granted.status, 200);
    assert.equal(granted.headers.get('access-control-allow-origin'), APP);
    assert.equal(granted.headers.get('access-control-allow-credentials'), null);

    const refused = await fetch(`${server.url}/users/me`, { headers: { origin: APP } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), APP);
    assert.match(refused.headers.get('access-control-expose-headers') ?? '', /www-authenticate/);

    const token = await getToken(server.url);
    const foreign = await fetch(`${server.url}/users/me`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${token}` } });
    assert.equal(foreign.status, 200, 'CORS is for browsers to enforce; a bearer call itself is not refused');
    assert.deepEqual(corsHeaders(foreign), {});
  });
});

/** A second origin on loopback: serves one empty page, as a single-page app's host would. */
async function pageHost(): Promise<{ port: number; close(): Promise<void> }> {
  const host = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>app</title><p>an app on another origin</p>');
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  return { port: (host.address() as AddressInfo).port, close: () => new Promise((resolve) => host.close(() => resolve())) };
}

describe('CORS in Chromium', { skip, timeout: 10 * timeout }, () => {
  let server: RunningServer;
  let app: { port: number; close(): Promise<void> };
  let harness: Harness;
  before(
    async () => {
      app = await pageHost();
      server = await startServer({ PARLEY_ALLOWED_ORIGINS: `http://127.0.0.1:${app.port}` });
      harness = new Harness(() => server);
      await harness.launch();
    },
    { timeout },
  );
  after(async () => {
    await harness?.close();
    await server?.cleanup();
    await app?.close();
  });

  test('a page on an allowed origin gets a token and a ticket, and opens the socket', { timeout }, async () => {
    const { page } = await harness.newPage();
    await page.goto(`http://127.0.0.1:${app.port}/`);
    // In the page: the password grant, a ticket for the bearer token, the socket's welcome.
    const result = await page.evaluate(async (api) => {
      const grant = await fetch(`${api}/token`, { method: 'POST', body: new URLSearchParams({ username: 'johndoe', password: 'secret' }) });
      const { access_token } = (await grant.json()) as { access_token: string };
      const issued = await fetch(`${api}/ws-ticket`, { method: 'POST', headers: { authorization: `Bearer ${access_token}` } });
      const { ticket } = (await issued.json()) as { ticket: string };
      const welcome = await new Promise<string>((resolve, reject) => {
        const socket = new WebSocket(`${api.replace('http', 'ws')}/ws?ticket=${encodeURIComponent(ticket)}`);
        socket.onmessage = (event) => {
          resolve(String(event.data));
          socket.close();
        };
        socket.onclose = (event) => reject(new Error(`closed ${event.code}`));
      });
      // With credentials the browser must keep the answer from the page: cookies are same-site only.
      const withCookies = await fetch(`${api}/users/me`, { credentials: 'include', headers: { authorization: `Bearer ${access_token}` } }).then(
        () => 'read',
        () => 'blocked',
      );
      return { grant: grant.status, ticket: issued.status, welcome: JSON.parse(welcome) as { type: string; user: string }, withCookies };
    }, server.url);
    assert.equal(result.grant, 200);
    assert.equal(result.ticket, 200);
    assert.equal(result.welcome.type, 'welcome');
    assert.equal(result.welcome.user, 'johndoe');
    assert.equal(result.withCookies, 'blocked');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('the same page on an origin not in the list cannot read the token answer', { timeout }, async () => {
    const { page } = await harness.newPage();
    const messages: string[] = [];
    page.on('console', (message) => void messages.push(message.text()));
    await page.goto(`http://localhost:${app.port}/`);
    const outcome = await page.evaluate(async (api) => {
      try {
        await fetch(`${api}/token`, { method: 'POST', body: new URLSearchParams({ username: 'johndoe', password: 'secret' }) });
        return 'read';
      } catch (error) {
        return `blocked: ${(error as Error).name}`;
      }
    }, server.url);
    assert.equal(outcome, 'blocked: TypeError');
    assert.ok(
      messages.some((m) => /CORS policy/.test(m)),
      messages.join('\n'),
    );
  });
});
