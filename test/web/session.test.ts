// The browser session over HTTP: the refresh cookie, silent refresh at /auth/refresh, and a logout that revokes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, DEMO_PASSWORDS, type RunningServer, startServer } from '../helpers.js';

/**
 * Cookies a response sets, by name: value and the raw attribute string. Clearing ones (empty value: the refresh
 * cookie's old path is cleared beside the new cookie) do not hide the cookie set under the same name.
 */
function cookies(response: Response): Map<string, { value: string; raw: string }> {
  const jar = new Map<string, { value: string; raw: string }>();
  for (const raw of response.headers.getSetCookie()) {
    const [pair] = raw.split(';');
    const index = pair!.indexOf('=');
    const [name, value] = [pair!.slice(0, index), pair!.slice(index + 1)];
    if (value !== '' || !jar.has(name)) jar.set(name, { value, raw });
  }
  return jar;
}

describe('browser session cookies', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_REFRESH_REUSE_GRACE: '1s' });
  });
  after(() => server.cleanup());

  async function login(username = 'johndoe') {
    const response = await fetch(`${server.url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username, password: DEMO_PASSWORDS[username]!, next: '/' }),
      redirect: 'manual',
    });
    assert.equal(response.status, 303);
    const jar = cookies(response);
    return { access: jar.get('parley_token')!, refresh: jar.get('parley_refresh')! };
  }

  const refresh = (refreshToken: string | undefined, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/auth/refresh`, {
      method: 'POST',
      headers: { ...(refreshToken ? { cookie: `parley_refresh=${refreshToken}` } : {}), origin: server.url, ...headers },
    });

  test('login sets the refresh token in a Strict, HttpOnly cookie sent only to /auth (refresh and logout)', async () => {
    const { access, refresh: refreshCookie } = await login();
    assert.match(access.raw, /; HttpOnly/);
    assert.match(refreshCookie.raw, /; HttpOnly/);
    assert.match(refreshCookie.raw, /; SameSite=Strict/);
    assert.match(refreshCookie.raw, /; Path=\/auth(;|$)/);
    assert.match(refreshCookie.raw, /; Max-Age=2592000/);
    assert.match(refreshCookie.value, /^[A-Za-z0-9_-]{43}$/);
  });

  test('/auth/refresh rotates both cookies and answers the new access token; the spent cookie is dead', async () => {
    const first = await login();
    const response = await refresh(first.refresh.value);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as { access_token: string; expires_in: number };
    assert.equal(body.expires_in, 900);
    const jar = cookies(response);
    assert.equal(jar.get('parley_token')!.value, body.access_token);
    assert.notEqual(jar.get('parley_refresh')!.value, first.refresh.value);
    const me = await fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(me.status, 200);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the grace for racing tabs
    const replay = await refresh(first.refresh.value);
    assert.equal(replay.status, 401);
    assert.equal(((await replay.json()) as { error: string }).error, 'invalid_grant');
    // Reuse killed the family: the rotated cookie is dead too.
    assert.equal((await refresh(jar.get('parley_refresh')!.value)).status, 401);
  });

  test('no refresh cookie → 401; a foreign Origin → 403', async () => {
    assert.equal((await refresh(undefined)).status, 401);
    const { refresh: cookie } = await login();
    assert.equal((await refresh(cookie.value, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await refresh(cookie.value)).status, 200);
  });

  test('logout revokes: the old access token is refused and the page’s live socket closes with 4403', async () => {
    const { access, refresh: refreshCookie } = await login('janedoe');
    const socket = await Client.open(`${server.wsUrl}/ws`, { headers: { cookie: `parley_token=${access.value}` }, origin: server.url });
    assert.equal((await socket.next()).type, 'welcome');
    const response = await fetch(`${server.url}/logout`, {
      method: 'POST',
      headers: { cookie: `parley_token=${access.value}; parley_refresh=${refreshCookie.value}`, origin: server.url },
      redirect: 'manual',
    });
    assert.equal(response.status, 303);
    assert.deepEqual(await socket.closedWith(1000), { code: 4403, reason: 'token revoked' });
    const me = await fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${access.value}` } });
    assert.equal(me.status, 401);
    assert.equal((await refresh(refreshCookie.value)).status, 401);
  });
});
