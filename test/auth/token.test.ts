// POST /token as RFC 6749 describes it, and the bearer-protected /users/me.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { getToken, type RunningServer, startServer, tokenRequest } from '../helpers.js';

describe('POST /token', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.cleanup());

  test('the password grant answers a signed JWT with the recipe fields', async () => {
    const response = await tokenRequest(server.url, { username: 'johndoe', password: 'secret' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 900);
    assert.equal(body.scope, 'chat:read chat:write');
    const token = body.access_token as string;
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(token);
    assert.equal(claims.sub, 'johndoe');
    assert.equal(claims.iss, server.url, 'the issuer is the public URL: here, the address the server listens on');
    assert.equal(claims.aud, 'parley');
    assert.equal(claims.scope, 'chat:read chat:write');
    // `iat` has milliseconds; `exp` is whole seconds, 900 after the second the token was issued in.
    assert.equal(claims.exp! - Math.floor(claims.iat!), 900);
    assert.match(claims.jti!, /^[0-9a-f-]{36}$/);
  });

  test('grant_type=password may be explicit', async () => {
    const response = await tokenRequest(server.url, { grant_type: 'password', username: 'janedoe', password: 'secret2' });
    assert.equal(response.status, 200);
    assert.equal(decodeJwt(((await response.json()) as { access_token: string }).access_token).sub, 'janedoe');
  });

  test('wrong password and unknown user get the same invalid_grant answer', async () => {
    const wrong = await tokenRequest(server.url, { username: 'johndoe', password: 'nope' });
    const unknown = await tokenRequest(server.url, { username: 'nobody', password: 'secret' });
    for (const response of [wrong, unknown]) {
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.deepEqual(await response.json(), { error: 'invalid_grant', error_description: 'incorrect username or password' });
    }
  });

  test('a missing field is invalid_request naming it', async () => {
    const response = await tokenRequest(server.url, { username: 'johndoe' });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: 'invalid_request', error_description: 'missing parameter: password' });
    const noUser = await tokenRequest(server.url, { password: 'secret' });
    assert.equal(((await noUser.json()) as { error: string }).error, 'invalid_request');
  });

  test('an unknown grant_type is unsupported_grant_type', async () => {
    const response = await tokenRequest(server.url, { grant_type: 'foo', username: 'johndoe', password: 'secret' });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'unsupported_grant_type');
  });

  test('a JSON body is refused with a clear 400', async () => {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'johndoe', password: 'secret' }),
    });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), {
      error: 'invalid_request',
      error_description: 'the token endpoints take application/x-www-form-urlencoded bodies',
    });
  });

  test('a repeated parameter is invalid_request (RFC 6749 §3.2)', async () => {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=johndoe&username=janedoe&password=secret',
    });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: 'invalid_request', error_description: 'parameter username is repeated' });
  });

  test('scopes: a subset is granted, unknown or unheld scopes are invalid_scope', async () => {
    const readOnly = await tokenRequest(server.url, { username: 'johndoe', password: 'secret', scope: 'chat:read' });
    assert.equal(((await readOnly.json()) as { scope: string }).scope, 'chat:read');
    const unknown = await tokenRequest(server.url, { username: 'johndoe', password: 'secret', scope: 'chat:read root' });
    assert.equal(unknown.status, 400);
    assert.deepEqual(await unknown.json(), { error: 'invalid_scope', error_description: 'unknown scope: root' });
    const admin = await tokenRequest(server.url, { username: 'johndoe', password: 'secret', scope: 'admin' });
    assert.equal(admin.status, 400);
    assert.equal(((await admin.json()) as { error: string }).error, 'invalid_scope');
  });
});

describe('POST /token rate limit', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_LOGIN_RATE_LIMIT: '3' });
  });
  after(() => server.cleanup());

  test('repeated guesses for one user are slowed with 429; other users go on', async () => {
    for (let i = 0; i < 3; i++) {
      assert.equal((await tokenRequest(server.url, { username: 'johndoe', password: `guess${i}` })).status, 400);
    }
    const limited = await tokenRequest(server.url, { username: 'johndoe', password: 'secret' });
    assert.equal(limited.status, 429);
    assert.ok(limited.headers.get('retry-after'));
    assert.equal(limited.headers.get('cache-control'), 'no-store', 'a token-endpoint answer, 429 included, is never cached');
    assert.equal(((await limited.json()) as { error: string }).error, 'too_many_requests');
    assert.equal((await tokenRequest(server.url, { username: 'janedoe', password: 'secret2' })).status, 200);
  });
});

describe('GET /users/me', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.cleanup());

  test('answers the bearer token’s user', async () => {
    const token = await getToken(server.url);
    const response = await fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { username: string; scopes: string[] };
    assert.equal(body.username, 'johndoe');
    assert.deepEqual(body.scopes, ['chat:read', 'chat:write']);
  });

  test('no token → 401 with a Bearer challenge; a forged one → invalid_token', async () => {
    const none = await fetch(`${server.url}/users/me`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const forged = await fetch(`${server.url}/users/me`, { headers: { authorization: 'Bearer abc.def.ghi' } });
    assert.equal(forged.status, 401);
    assert.equal(forged.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  });
});
