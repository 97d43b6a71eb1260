// The browser pages as a user meets them: the chat behind the cookie, login, logout, registration, docs, ops.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, SignJWT } from 'jose';
import { PASSWORD_RULE, USERNAME_RULE } from '../../src/auth/accounts.js';
import { PasswordHasher } from '../../src/auth/passwords.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { eventually, getToken, type RunningServer, startServer, tokenRequest } from '../helpers.js';

const BAD_CREDENTIALS = 'Incorrect username or password.';

function post(server: RunningServer, route: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${route}`, { method: 'POST', body: new URLSearchParams(fields), headers, redirect: 'manual' });
}

function get(server: RunningServer, route: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${route}`, { headers, redirect: 'manual' });
}

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flag attributes map to ''. */
  attributes: Map<string, string>;
}

function parseSetCookie(header: string): SetCookie {
  const [pair, ...rest] = header.split(';').map((part) => part.trim());
  const eq = pair!.indexOf('=');
  const attributes = new Map<string, string>();
  for (const attribute of rest) {
    const at = attribute.indexOf('=');
    if (at === -1) attributes.set(attribute.toLowerCase(), '');
    else attributes.set(attribute.slice(0, at).toLowerCase(), attribute.slice(at + 1));
  }
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes };
}

function tokenCookies(response: Response): SetCookie[] {
  return response.headers
    .getSetCookie()
    .map(parseSetCookie)
    .filter((cookie) => cookie.name === 'parley_token');
}

/** The one parley_token cookie a successful login or registration sets, checked attribute by attribute. */
function assertSessionCookie(response: Response, username: string): string {
  const cookies = tokenCookies(response);
  assert.equal(cookies.length, 1, `one parley_token Set-Cookie, got ${JSON.stringify(response.headers.getSetCookie())}`);
  const cookie = cookies[0]!;
  assert.match(cookie.value, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'a compact JWT');
  assert.equal(decodeJwt(cookie.value).sub, username);
  assert.ok(cookie.attributes.has('httponly'), 'HttpOnly');
  assert.equal(cookie.attributes.get('samesite')?.toLowerCase(), 'lax');
  assert.equal(cookie.attributes.get('path'), '/');
  assert.equal(cookie.attributes.get('max-age'), '900');
  assert.ok(!cookie.attributes.has('secure'), 'no Secure flag on plain http');
  return cookie.value;
}

function assertRedirect(response: Response, location: string): void {
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), location);
  assert.equal(response.headers.get('cache-control'), 'no-store');
}

function assertHtml(response: Response): void {
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
}

async function login(server: RunningServer, username: string, password: string, next = '/'): Promise<Response> {
  return post(server, '/login', { username, password, next });
}

describe('the chat page', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.cleanup());

  test('without a cookie redirects to the login page', async () => {
    const response = await get(server, '/');
    assertRedirect(response, '/login?next=/');
  });

  test('a garbage, forged, expired or alg=none cookie redirects like no cookie', async () => {
    const key = Buffer.from(fs.readFileSync(path.join(server.dataDir, 'jwt-signing.key'), 'utf8').trim(), 'base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = { scope: 'chat:read chat:write' };
    const sign = (signingKey: Uint8Array, iat: number, exp: number) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject('johndoe')
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(crypto.randomUUID())
        .setIssuer(server.url)
        .setAudience('parley')
        .sign(signingKey);
    const expired = await sign(key, now - 3600, now - 60);
    const forged = await sign(randomBytes(32), now, now + 900);
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const algNone = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'johndoe', exp: now + 900, jti: 'x', iss: server.url, aud: 'parley' })}.`;
    // The real key does sign a working cookie: the refusals below are about the token, not the test's signing.
    const genuine = await sign(key, now, now + 900);
    assert.equal((await get(server, '/', { cookie: `parley_token=${genuine}` })).status, 200);

    for (const value of ['garbage', 'a.b.c', expired, forged, algNone]) {
      const response = await get(server, '/', { cookie: `parley_token=${value}` });
      assertRedirect(response, '/login?next=/');
    }
  });

  test('a bearer header is not a page login: only the cookie is', async () => {
    const token = await getToken(server.url);
    assertRedirect(await get(server, '/', { authorization: `Bearer ${token}` }), '/login?next=/');
  });
});

describe('login', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.cleanup());

  test('GET /login is an HTML form posting to /login', async () => {
    const response = await get(server, '/login');
    assert.equal(response.status, 200);
    assertHtml(response);
    const body = await response.text();
    assert.match(body, /<form method="post" action="\/login">/);
    assert.match(body, /<input id="username" name="username"/);
    assert.match(body, /<input id="password" name="password" type="password"/);
    assert.match(body, /<input type="hidden" name="next" value="\/">/);
    assert.match(body, /<a id="register-link" href="\/register\?next=%2F">Create an account<\/a>/);
    assert.ok(!body.includes('No one has an account yet'), 'no first-run guidance once users exist');
  });

  test('GET /login keeps a local next in the form and drops a foreign one', async () => {
    const local = await (await get(server, '/login?next=%2Frooms%3Fx%3D1')).text();
    assert.match(local, /name="next" value="\/rooms\?x=1"/);
    const foreign = await (await get(server, '/login?next=%2F%2Fevil.example')).text();
    assert.match(foreign, /name="next" value="\/"/);
    assert.ok(!foreign.includes('evil.example'));
  });

  test('correct credentials set the HttpOnly session cookie and redirect to next; the chat page then opens', async () => {
    const response = await login(server, 'johndoe', 'secret', '/');
    assertRedirect(response, '/');
    const token = assertSessionCookie(response, 'johndoe');

    const chat = await get(server, '/', { cookie: `parley_token=${token}` });
    assert.equal(chat.status, 200);
    assertHtml(chat);
    assert.equal(chat.headers.get('cache-control'), 'no-store');
    const body = await chat.text();
    assert.match(body, /Signed in as <strong id="me">johndoe<\/strong>/);
    assert.match(body, /<form method="post" action="\/auth\/logout">/);
    assert.match(body, /<script type="module" src="\/assets\/chat.js"><\/script>/);
  });

  test('the cookie token also works as a bearer token for the API', async () => {
    const token = assertSessionCookie(await login(server, 'janedoe', 'secret2'), 'janedoe');
    const me = await fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { username: string }).username, 'janedoe');
  });

  test('the chat page HTML-escapes the username', async () => {
    const odd = `<b>o'neil&"co</b>`;
    const store = openSqliteStore(server.dataDir);
    try {
      const passwordHash = await new PasswordHasher().hash('correct horse');
      await store.accounts.create({ username: odd, passwordHash, scopes: ['chat:read', 'chat:write'] });
    } finally {
      await store.close();
    }
    const token = assertSessionCookie(await login(server, odd, 'correct horse'), odd);
    const body = await (await get(server, '/', { cookie: `parley_token=${token}` })).text();
    assert.ok(body.includes('Signed in as <strong id="me">&lt;b&gt;o&#39;neil&amp;&quot;co&lt;/b&gt;</strong>'), body);
    assert.ok(!body.includes('<b>'));
  });

  test('next must be a local path: foreign targets go to /', async () => {
    for (const next of [
      '//evil.example',
      'https://evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      '/\t/evil.example',
      'evil.example',
      '',
    ]) {
      const response = await login(server, 'johndoe', 'secret', next);
      assertRedirect(response, '/');
      assertSessionCookie(response, 'johndoe');
    }
  });

  test('a local next with a query is kept', async () => {
    const response = await login(server, 'johndoe', 'secret', '/somewhere?x=1');
    assertRedirect(response, '/somewhere?x=1');
  });

  test('no next at all goes to /', async () => {
    const response = await post(server, '/login', { username: 'johndoe', password: 'secret' });
    assertRedirect(response, '/');
  });

  test('bad credentials answer 401 with the login form again and no cookie', async () => {
    const attempts: Record<string, string>[] = [
      { username: 'johndoe', password: 'wrong' },
      { username: 'nobody', password: 'secret' },
      { username: 'johndoe' },
      { username: 'johndoe', password: '' },
      { password: 'secret' },
    ];
    for (const fields of attempts) {
      const response = await post(server, '/login', { ...fields, next: '/somewhere' });
      assert.equal(response.status, 401, JSON.stringify(fields));
      assertHtml(response);
      assert.deepEqual(response.headers.getSetCookie(), []);
      assert.equal(response.headers.get('location'), null);
      const body = await response.text();
      assert.ok(body.includes(`<p class="error" role="alert">${BAD_CREDENTIALS}</p>`), body);
      assert.match(body, /<form method="post" action="\/login">/);
      assert.match(body, /name="next" value="\/somewhere"/);
      assert.ok(
        body.includes(`name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${fields.username ?? ''}"`),
      );
      assert.ok(!body.includes(fields.password || 'secret'), 'the password is never echoed');
    }
  });

  test('the re-filled username is HTML-escaped', async () => {
    const response = await login(server, '<script>alert(1)</script>"', 'wrong');
    assert.equal(response.status, 401);
    const body = await response.text();
    assert.ok(!body.includes('<script>'), 'no raw <script> in the page');
    assert.ok(body.includes('value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;"'), body);
  });

  test('a cross-site form post is refused; the server’s own Origin is accepted', async () => {
    const evil = await post(server, '/login', { username: 'johndoe', password: 'secret', next: '/' }, { origin: 'http://evil.example' });
    assert.equal(evil.status, 403);
    assert.deepEqual(evil.headers.getSetCookie(), []);
    assertHtml(evil);
    assert.match(await evil.text(), /<p>This form was sent from another site, so it was refused\. Open Parley itself and try again\.<\/p>/);

    const own = await post(server, '/login', { username: 'johndoe', password: 'secret', next: '/' }, { origin: server.url });
    assertRedirect(own, '/');
    assertSessionCookie(own, 'johndoe');

    const opaque = await post(server, '/login', { username: 'johndoe', password: 'secret' }, { origin: 'null' });
    assert.equal(opaque.status, 403, 'a sandboxed or file: page (Origin: null) is cross-site too');
  });

  test('Origin: null passes only when the browser says the post came from this very site', async () => {
    // Under Referrer-Policy: no-referrer a browser sends Origin: null on our own form posts; Sec-Fetch-Site tells them apart.
    const fields = { username: 'johndoe', password: 'secret', next: '/' };
    const own = await post(server, '/login', fields, { origin: 'null', 'sec-fetch-site': 'same-origin' });
    assertRedirect(own, '/');
    assertSessionCookie(own, 'johndoe');
    for (const site of ['cross-site', 'same-site', 'none']) {
      const response = await post(server, '/login', fields, { origin: 'null', 'sec-fetch-site': site });
      assert.equal(response.status, 403, site);
      assert.deepEqual(response.headers.getSetCookie(), []);
    }
    const foreign = await post(server, '/login', fields, { origin: 'http://evil.example', 'sec-fetch-site': 'same-origin' });
    assert.equal(foreign.status, 403, 'a real foreign Origin is never excused');
  });

  test('logout clears the cookie and redirects to /login, flagged signed out', async () => {
    const response = await post(server, '/logout', {}, { origin: server.url });
    assertRedirect(response, '/login?signed_out=1');
    const cookies = tokenCookies(response);
    assert.equal(cookies.length, 1, JSON.stringify(response.headers.getSetCookie()));
    const cookie = cookies[0]!;
    assert.equal(cookie.value, '');
    assert.equal(cookie.attributes.get('path'), '/');
    const maxAge = cookie.attributes.get('max-age');
    const expires = cookie.attributes.get('expires');
    assert.ok(
      maxAge === '0' || (expires !== undefined && Date.parse(expires) <= Date.now()),
      `clears the cookie: ${JSON.stringify(response.headers.getSetCookie())}`,
    );
  });

  test('a cross-site logout is refused', async () => {
    const response = await post(server, '/logout', {}, { origin: 'http://evil.example' });
    assert.equal(response.status, 403);
    assert.deepEqual(response.headers.getSetCookie(), []);
  });

  test('a disabled user cannot log in, and their cookie stops opening the chat', async () => {
    const token = assertSessionCookie(await login(server, 'janedoe', 'secret2'), 'janedoe');
    // A second connection to the same SQLite file (WAL), as the CLI would open while the server runs.
    const store = openSqliteStore(server.dataDir);
    try {
      assert.equal(await store.accounts.setDisabled('janedoe', true), true);
      const refused = await login(server, 'janedoe', 'secret2');
      assert.equal(refused.status, 401);
      assert.deepEqual(refused.headers.getSetCookie(), []);
      assert.ok((await refused.text()).includes(BAD_CREDENTIALS), 'the same answer as a wrong password (no enumeration)');
      // The server hears of the disable through the revocation feed (polled every 500 ms).
      await eventually(async () => assertRedirect(await get(server, '/', { cookie: `parley_token=${token}` }), '/login?next=/'), 1500);
    } finally {
      await store.accounts.setDisabled('janedoe', false);
      await store.close();
    }
    // Enabling lets her log in again, but the cookie from before the disable stays dead.
    const again = assertSessionCookie(await login(server, 'janedoe', 'secret2'), 'janedoe');
    assert.equal((await get(server, '/', { cookie: `parley_token=${again}` })).status, 200);
    assertRedirect(await get(server, '/', { cookie: `parley_token=${token}` }), '/login?next=/');
  });

  test('a page login grants `admin` to an admin only (the admin page needs it); /admin is theirs alone', async () => {
    const store = openSqliteStore(server.dataDir);
    try {
      const passwordHash = await new PasswordHasher().hash('boss-password-1');
      await store.accounts.create({ username: 'boss', passwordHash, scopes: ['chat:read', 'chat:write', 'admin'] });
      await store.accounts.create({ username: 'reader', passwordHash, scopes: ['chat:read'] });
    } finally {
      await store.close();
    }
    const scopes = (token: string) => String(decodeJwt(token).scope).split(' ');
    const boss = assertSessionCookie(await login(server, 'boss', 'boss-password-1'), 'boss');
    assert.deepEqual(scopes(boss), ['chat:read', 'chat:write', 'admin']);
    // Nothing the user does not hold: a reader stays a reader, a member gets no admin.
    assert.deepEqual(scopes(assertSessionCookie(await login(server, 'reader', 'boss-password-1'), 'reader')), ['chat:read']);
    const jane = assertSessionCookie(await login(server, 'janedoe', 'secret2'), 'janedoe');
    assert.deepEqual(scopes(jane), ['chat:read', 'chat:write']);
    // /token without a scope still grants the defaults only, admin or not (RFC 6749 §3.3, unchanged).
    assert.deepEqual(decodeJwt(await getToken(server.url, 'boss', 'boss-password-1')).scope, 'chat:read chat:write');

    const page = await get(server, '/admin', { cookie: `parley_token=${boss}` });
    assert.equal(page.status, 200);
    assertHtml(page);
    assert.match(await page.text(), /<script type="module" src="\/assets\/admin.js"><\/script>/);
    assert.match(await (await get(server, '/', { cookie: `parley_token=${boss}` })).text(), /id="admin-link"/);
    assert.doesNotMatch(await (await get(server, '/', { cookie: `parley_token=${jane}` })).text(), /admin-link/);
    const refused = await get(server, '/admin', { cookie: `parley_token=${jane}` });
    assert.equal(refused.status, 403);
    assertHtml(refused);
    assertRedirect(await get(server, '/admin'), '/login?next=/admin');
  });
});

describe('login attempts are rate limited per username', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_LOGIN_RATE_LIMIT: '3' });
  });
  after(() => server.cleanup());

  test('a guessed username runs out of attempts; another username does not', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await login(server, 'johndoe', `guess-${i}`)).status, 401);
    const limited = await login(server, 'johndoe', 'secret');
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.headers.getSetCookie(), []);
    const other = await login(server, 'janedoe', 'secret2');
    assertRedirect(other, '/');
  });

  test('a browser past the limit gets the form again, saying to wait', async () => {
    const fields = { username: 'limited-page', password: 'guess' };
    for (let i = 0; i < 3; i++) await post(server, '/login', fields);
    const limited = await post(server, '/login', fields, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    assert.equal(limited.status, 429);
    assertHtml(limited);
    assert.ok(limited.headers.get('retry-after'));
    assert.match(await limited.text(), /<p class="error" role="alert">Too many attempts: try again in \d+ seconds\.<\/p>/);
  });
});

describe('a server with no accounts yet', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({}, undefined, { demo: false });
  });
  after(() => server.cleanup());

  test('the login page says how to create the first account', async () => {
    const body = await (await get(server, '/login')).text();
    assert.match(body, /<h2>Welcome to a new Parley<\/h2>/);
    assert.match(
      body,
      /No one has an account yet\. To begin, <a href="\/register\?next=%2F">create the first account here<\/a>, or run <code>npx parley user add NAME --admin<\/code> on the server\./,
    );
  });
});

describe('errors a browser navigates into', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.cleanup());

  test('an unknown address is a 404 page for a browser and JSON for everyone else', async () => {
    const page = await get(server, '/no/such/page?x=1', { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    assert.equal(page.status, 404);
    assertHtml(page);
    const body = await page.text();
    assert.match(body, /<h1>Page not found<\/h1>/);
    assert.match(body, /There is no page at \/no\/such\/page\. Check the address, or go back to the chat\./);
    assert.match(body, /<a href="\/">Back to the chat<\/a>/);
    const api = await get(server, '/no/such/page');
    assert.equal(api.status, 404);
    assert.deepEqual(await api.json(), { error: 'not_found', error_description: 'nothing at /no/such/page' });
    const fetched = await get(server, '/rooms', { accept: 'application/json' });
    assert.equal(fetched.headers.get('content-type'), 'application/json; charset=utf-8');
  });

  test('an escaped path cannot inject markup into the page', async () => {
    const page = await get(server, '/%3Cscript%3Ealert(1)%3C%2Fscript%3E', { accept: 'text/html' });
    assert.equal(page.status, 404);
    const body = await page.text();
    assert.ok(!body.includes('<script>alert'), body);
  });
});

describe('registration', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.cleanup());

  test('GET /register is an HTML form posting to /register', async () => {
    const response = await get(server, '/register');
    assert.equal(response.status, 200);
    assertHtml(response);
    const body = await response.text();
    assert.match(body, /<form method="post" action="\/register">/);
    assert.match(
      body,
      /<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-rule">/,
    );
    // The rules are shown beside the fields, in the words the server uses when it refuses one.
    assert.ok(body.includes(`<p class="hint" id="username-rule">${USERNAME_RULE}</p>`), body);
    assert.ok(body.includes(`<p class="hint" id="password-rule">${PASSWORD_RULE}</p>`), body);
  });

  test('a new user is created, signed in, and can use the password grant', async () => {
    const response = await post(server, '/register', { username: 'new.user-1', password: 'long enough', next: '/somewhere' }, { origin: server.url });
    assertRedirect(response, '/somewhere');
    const cookie = assertSessionCookie(response, 'new.user-1');
    const chat = await get(server, '/', { cookie: `parley_token=${cookie}` });
    assert.equal(chat.status, 200);
    assert.match(await chat.text(), /Signed in as <strong id="me">new.user-1<\/strong>/);

    const token = await tokenRequest(server.url, { username: 'new.user-1', password: 'long enough' });
    assert.equal(token.status, 200);
    const body = (await token.json()) as { access_token: string; scope: string };
    assert.equal(decodeJwt(body.access_token).sub, 'new.user-1');
    assert.equal(body.scope, 'chat:read chat:write');
  });

  test('registration also refuses a foreign next', async () => {
    const response = await post(server, '/register', { username: 'another', password: 'long enough', next: '//evil.example' });
    assertRedirect(response, '/');
  });

  test('a taken username is 409 and keeps the old password', async () => {
    const response = await post(server, '/register', { username: 'johndoe', password: 'a new password' });
    assert.equal(response.status, 409);
    assertHtml(response);
    assert.deepEqual(response.headers.getSetCookie(), []);
    assert.ok((await response.text()).includes('The username johndoe is taken.'));
    assert.equal((await tokenRequest(server.url, { username: 'johndoe', password: 'secret' })).status, 200);
    assert.equal((await tokenRequest(server.url, { username: 'johndoe', password: 'a new password' })).status, 400);
  });

  test('usernames are case-insensitive: JohnDoe cannot pose as johndoe, and may log in as johndoe', async () => {
    const response = await post(server, '/register', { username: 'JohnDoe', password: 'a new password' });
    assert.equal(response.status, 409);
    const token = await tokenRequest(server.url, { username: 'JohnDoe', password: 'secret' });
    assert.equal(token.status, 200);
    assert.equal(decodeJwt(((await token.json()) as { access_token: string }).access_token).sub, 'johndoe');
  });

  test('invalid usernames are 400', async () => {
    for (const username of ['a', 'ab', 'bad name', 'x'.repeat(33), '<script>', 'émile', '']) {
      const response = await post(server, '/register', { username, password: 'long enough' });
      assert.equal(response.status, 400, username);
      assert.deepEqual(response.headers.getSetCookie(), []);
      const body = await response.text();
      assert.ok(body.includes('Usernames are 3 to 32 letters, digits, dots, dashes or underscores.'));
      assert.ok(!body.includes('<script>'));
    }
    assert.equal((await tokenRequest(server.url, { username: 'bad name', password: 'long enough' })).status, 400);
  });

  test('a password under 8 characters is 400', async () => {
    for (const password of ['', 'short', '1234567']) {
      const response = await post(server, '/register', { username: 'shorty', password });
      assert.equal(response.status, 400);
      assert.deepEqual(response.headers.getSetCookie(), []);
      assert.ok((await response.text()).includes('Passwords need 8 to 1024 characters.'));
    }
    const exactly8 = await post(server, '/register', { username: 'shorty', password: '12345678' });
    assertRedirect(exactly8, '/');
  });

  test('a cross-site registration post is refused', async () => {
    const response = await post(server, '/register', { username: 'csrf-victim', password: 'long enough' }, { origin: 'http://evil.example' });
    assert.equal(response.status, 403);
    assert.equal((await tokenRequest(server.url, { username: 'csrf-victim', password: 'long enough' })).status, 400);
  });
});

describe('registration closed', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_REGISTRATION: 'closed' });
  });
  after(() => server.cleanup());

  test('GET and POST /register are 404 and create nobody', async () => {
    assert.equal((await get(server, '/register')).status, 404);
    const response = await post(server, '/register', { username: 'sneaky', password: 'long enough' });
    assert.equal(response.status, 404);
    assert.deepEqual(response.headers.getSetCookie(), []);
    assert.equal((await tokenRequest(server.url, { username: 'sneaky', password: 'long enough' })).status, 400);
  });

  test('the login page does not link to /register', async () => {
    const body = await (await get(server, '/login')).text();
    assert.match(body, /<form method="post" action="\/login">/);
    assert.ok(!body.includes('/register'), body);
  });

  test('login still works', async () => {
    assertRedirect(await login(server, 'johndoe', 'secret'), '/');
  });
});

describe('docs, OpenAPI and ops endpoints', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.cleanup());

  test('GET /docs serves Swagger UI', async () => {
    const response = await fetch(`${server.url}/docs`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await response.text(), /swagger-ui/i);
  });

  test('GET /openapi.json describes the API', async () => {
    const response = await fetch(`${server.url}/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const spec = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.match(spec.openapi, /^3\./);
    for (const route of ['/token', '/users/me', '/rooms', '/rooms/{room}/messages', '/healthz']) {
      assert.ok(route in spec.paths, `${route} in ${Object.keys(spec.paths).join(' ')}`);
    }
    assert.ok(spec.paths['/token']!.post, 'POST /token');
    assert.ok(spec.paths['/rooms/{room}/messages']!.get, 'GET /rooms/{room}/messages');
    for (const page of ['/', '/login', '/register', '/logout']) assert.ok(!(page in spec.paths), `page ${page} is not API`);
  });

  test('GET /healthz and /readyz', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), '{"status":"ok"}');
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { store: true, bus: true, revocations: true, accepting: true } });
  });

  test('pages carry the security headers', async () => {
    for (const route of ['/login', '/register']) {
      const response = await get(server, route);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', route);
      assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN', route);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer', route);
      assert.equal(response.headers.get('cache-control'), 'no-store', route);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, route);
      assert.match(csp, /script-src 'self'(;|$)/, route);
      assert.match(csp, /frame-ancestors 'self'/, route);
      assert.match(csp, /object-src 'none'/, route);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'plain http on loopback must not be upgraded');
      assert.equal(response.headers.get('strict-transport-security'), null, 'HSTS belongs to the TLS proxy');
    }
    const redirect = await get(server, '/');
    assert.equal(redirect.headers.get('x-content-type-options'), 'nosniff');
  });

  test('the page assets are served', async () => {
    const css = await get(server, '/assets/parley.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    // The page scripts, each bundled with the SDK, and their source maps; nothing else under dist/ is served.
    for (const path of ['/assets/chat.js', '/assets/login.js']) {
      const js = await get(server, path);
      assert.equal(js.status, 200, path);
      assert.match(js.headers.get('content-type') ?? '', /javascript/);
      assert.equal((await get(server, `${path}.map`)).status, 200, `${path}.map`);
    }
    for (const path of [
      '/assets/server.js',
      '/assets/config.js',
      '/assets/src/server.js',
      '/assets/../package.json',
      '/assets/%2e%2e/package.json',
    ]) {
      assert.equal((await get(server, path)).status, 404, path);
    }
  });
});
