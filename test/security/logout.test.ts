// Every end of a session ends it: a logout revokes the whole login (its refresh family) whichever cookie reaches
// it — the access cookie names the family (`fam`), the refresh cookie (Path=/auth) reaches /auth/logout — and
// clears both cookies with the attributes they were set with. In Chromium, with its own cookie jar: after a
// logout in one tab the captured refresh cookie is dead, the other tab's socket closes 4403 and it lands on
// /login, and it cannot post.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserSuite, joined, skip, timeout } from '../browser/harness.js';
import { Client, DEMO_PASSWORDS, type RunningServer, serverSuite } from '../helpers.js';
import { assertError, Bystander } from './support.js';

interface Cookie {
  value: string;
  attributes: string[];
}

/** The cookies a response sets, by `name;path` (a cookie's identity), with their attributes. */
function setCookies(response: Response): Map<string, Cookie> {
  const jar = new Map<string, Cookie>();
  for (const raw of response.headers.getSetCookie()) {
    const [pair, ...attributes] = raw.split(';').map((part) => part.trim());
    const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
    const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
    jar.set(`${name};${path}`, { value, attributes: attributes.filter((a) => !/^(expires|max-age)=/i.test(a)).sort() });
  }
  return jar;
}

async function login(server: RunningServer, username: string) {
  const response = await fetch(`${server.url}/login`, {
    method: 'POST',
    body: new URLSearchParams({ username, password: DEMO_PASSWORDS[username]!, next: '/' }),
    redirect: 'manual',
  });
  assert.equal(response.status, 303);
  const jar = setCookies(response);
  return { access: jar.get('parley_token;/')!, refresh: jar.get('parley_refresh;/auth')!, jar };
}

const refresh = (server: RunningServer, token: string) =>
  fetch(`${server.url}/auth/refresh`, { method: 'POST', headers: { cookie: `parley_refresh=${token}`, origin: server.url } });

async function logout(server: RunningServer, path: string, cookie: string) {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { cookie, origin: server.url }, redirect: 'manual' });
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), '/login?signed_out=1');
  return response;
}

describe('logout over HTTP: whichever cookie arrives, the login dies', () => {
  const server = serverSuite();

  test('POST /logout with only the access cookie (what a browser sends there) revokes the family: its refresh token is dead', async () => {
    const bystander = await Bystander.join(server);
    const { access, refresh: refreshCookie } = await login(server, 'johndoe');
    const socket = await Client.open(`${server.wsUrl}/ws`, { headers: { cookie: `parley_token=${access.value}` }, origin: server.url });
    await logout(server, '/logout', `parley_token=${access.value}`);
    assert.deepEqual(await socket.closedWith(), { code: 4403, reason: 'token revoked' });
    await assertError(await refresh(server, refreshCookie.value), 401, 'invalid_grant', /revoked/);
    await bystander.assertServed();
    bystander.close();
  });

  test('POST /auth/logout with only the refresh cookie (the access cookie expired) revokes the family: its access tokens die too', async () => {
    const { access, refresh: refreshCookie } = await login(server, 'johndoe');
    const socket = await Client.open(`${server.wsUrl}/ws`, { headers: { cookie: `parley_token=${access.value}` }, origin: server.url });
    await logout(server, '/auth/logout', `parley_refresh=${refreshCookie.value}`);
    assert.deepEqual(await socket.closedWith(), { code: 4403, reason: 'token revoked' });
    await assertError(await refresh(server, refreshCookie.value), 401, 'invalid_grant');
    const me = await fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${access.value}` } });
    await assertError(me, 401, 'invalid_token', /revoked/);
  });

  test('logout clears both cookies with the attributes they were set with (and the refresh cookie’s old path)', async () => {
    const { access, refresh: refreshCookie, jar } = await login(server, 'janedoe');
    assert.deepEqual(access.attributes, ['HttpOnly', 'Path=/', 'SameSite=Lax']);
    assert.deepEqual(refreshCookie.attributes, ['HttpOnly', 'Path=/auth', 'SameSite=Strict']);
    assert.equal(jar.get('parley_refresh;/auth/refresh')?.value, '', 'a refresh cookie left at the old path is cleared');
    const cleared = setCookies(await logout(server, '/auth/logout', `parley_token=${access.value}; parley_refresh=${refreshCookie.value}`));
    assert.deepEqual(cleared.get('parley_token;/'), { value: '', attributes: access.attributes });
    assert.deepEqual(cleared.get('parley_refresh;/auth'), { value: '', attributes: refreshCookie.attributes });
    assert.equal(cleared.get('parley_refresh;/auth/refresh')?.value, '');
  });
});

describe('logout in Chromium, with its own cookie jar', { skip, timeout: 5 * timeout }, () => {
  const { server, harness } = browserSuite();

  test('after a logout in tab 1: the captured refresh cookie is dead, tab 2 is closed 4403, lands on /login and cannot post', {
    timeout,
  }, async () => {
    const bystander = await Bystander.join(server);
    const { context, page: first } = await harness.loggedIn('johndoe');
    // Tab 2 notes its sockets' close codes where a navigation does not wipe them (observing, not changing, the page).
    await context.addInitScript(() => {
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          this.addEventListener('close', (event) => {
            const seen = JSON.parse(sessionStorage.getItem('closes') ?? '[]') as number[];
            sessionStorage.setItem('closes', JSON.stringify([...seen, event.code]));
          });
        }
      };
    });
    const second = await context.newPage();
    await second.goto(`${server.url}/`);
    await joined(second);
    const captured = await context.cookies();
    const refreshCookie = captured.find((c) => c.name === 'parley_refresh')!;
    const accessCookie = captured.find((c) => c.name === 'parley_token')!;
    assert.equal(refreshCookie.path, '/auth');

    await Promise.all([first.waitForURL(`${server.url}/login?signed_out=1`), first.getByRole('button', { name: 'Log out' }).click()]);

    await assertError(await refresh(server, refreshCookie.value), 401, 'invalid_grant', /revoked/);
    await second.waitForURL(/\/login/);
    await second.waitForSelector('form[action="/login"]');
    assert.deepEqual(JSON.parse((await second.evaluate(() => sessionStorage.getItem('closes'))) ?? '[]'), [4403]);
    assert.deepEqual(
      (await context.cookies()).filter((c) => c.name.startsWith('parley_')),
      [],
      'the logout cleared both cookies from the jar',
    );

    // Even with the old cookies put back into the jar (a copy of them), tab 2 gets nowhere.
    await context.addCookies([accessCookie, refreshCookie]);
    const attempts = await second.evaluate(async () => {
      const post = await fetch('/rooms', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'after-logout' }),
      });
      const silent = await fetch('/auth/refresh', { method: 'POST' });
      const socket = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/ws`, ['parley.v1']);
        ws.onopen = () => resolve('open');
        ws.onclose = (event) => resolve(`closed ${event.code}`);
      });
      return { post: post.status, silent: silent.status, socket };
    });
    assert.deepEqual(attempts, { post: 401, silent: 401, socket: 'closed 1006' });
    await second.goto(`${server.url}/`);
    await second.waitForSelector('form[action="/login"]');
    assert.match(second.url(), /\/login\?next=/);
    assert.deepEqual(harness.pageErrors, []);
    await bystander.assertServed();
    bystander.close();
  });
});
