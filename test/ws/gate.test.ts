// The upgrade gate and the recipe's /secured-ws: every refusal happens before the handshake.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { Client, eventually, expectRefusal, getToken, type RunningServer, startServer } from '../helpers.js';

describe('the upgrade gate on /secured-ws', () => {
  let server: RunningServer;
  let token: string;
  let key: Uint8Array;
  const echo = () => `${server.wsUrl}/secured-ws`;
  const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });

  /** A token signed like Parley's, with claims a test chooses. */
  async function sign(claims: { sub?: string; aud?: string; iss?: string; exp?: number }, signingKey = key) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: 'chat:read chat:write' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub ?? 'johndoe')
      .setIssuedAt(now - 10)
      .setExpirationTime(claims.exp ?? now + 600)
      .setJti('7f0e1c5a-0000-4000-8000-000000000001')
      .setIssuer(claims.iss ?? server.url)
      .setAudience(claims.aud ?? 'parley')
      .sign(signingKey);
  }

  before(async () => {
    server = await startServer({ PARLEY_ALLOWED_ORIGINS: 'https://app.example' });
    token = await getToken(server.url);
    key = Buffer.from(fs.readFileSync(path.join(server.dataDir, 'jwt-signing.key'), 'utf8').trim(), 'base64url');
  });
  after(() => server.cleanup());

  test('a valid bearer token is welcomed and echoed, exactly as the recipe', async () => {
    const client = await Client.open(echo(), bearer(token));
    assert.equal(await client.next(), 'Welcome johndoe!');
    client.send('hello');
    assert.equal(await client.next(), 'You wrote: hello');
    client.send('{"not":"parsed"}');
    assert.equal(await client.next(), 'You wrote: {"not":"parsed"}');
    client.close();
  });

  test('no credentials → 401 with WWW-Authenticate: Bearer, never upgraded', async () => {
    const refusal = await expectRefusal(echo());
    assert.equal(refusal.status, 401);
    assert.equal(refusal.headers['www-authenticate'], 'Bearer');
    assert.equal(JSON.parse(refusal.body).error, 'unauthorized');
  });

  test('another scheme → 403', async () => {
    const refusal = await expectRefusal(echo(), { headers: { authorization: 'Basic am9obmRvZTpzZWNyZXQ=' } });
    assert.equal(refusal.status, 403);
    assert.equal(JSON.parse(refusal.body).error, 'unsupported_scheme');
  });

  for (const header of ['Bearer', 'Bearer ', `Bearer ${'a'} b`, 'Bearer a b c', '', 'Bearer "quoted"']) {
    test(`malformed header ${JSON.stringify(header)} → 401 invalid_request`, async () => {
      const refusal = await expectRefusal(echo(), { headers: { authorization: header } });
      assert.equal(refusal.status, 401);
      assert.equal(refusal.headers['www-authenticate'], 'Bearer error="invalid_request"');
    });
  }

  const invalid: [string, () => Promise<string>][] = [
    ['garbage', async () => 'not-a-jwt'],
    ['a bad signature', async () => sign({}, new Uint8Array(32).fill(7))],
    ['an expired token', async () => sign({ exp: Math.floor(Date.now() / 1000) - 5 })],
    ['a wrong audience', async () => sign({ aud: 'someone-else' })],
    ['a wrong issuer', async () => sign({ iss: 'evil' })],
    [
      'alg none',
      async () =>
        new UnsecuredJWT({ scope: 'chat:read' })
          .setSubject('johndoe')
          .setAudience('parley')
          .setIssuer(server.url)
          .setExpirationTime('10m')
          .setJti('x')
          .encode(),
    ],
    [
      'a tampered payload',
      async () => {
        const [h, , s] = token.split('.');
        const payload = Buffer.from(JSON.stringify({ sub: 'janedoe', aud: 'parley', iss: server.url, exp: 9999999999, jti: 'x' })).toString(
          'base64url',
        );
        return `${h}.${payload}.${s}`;
      },
    ],
    ['an unknown user', async () => sign({ sub: 'ghost' })],
  ];
  for (const [name, make] of invalid) {
    test(`${name} → 401 error="invalid_token"`, async () => {
      const refusal = await expectRefusal(echo(), bearer(await make()));
      assert.equal(refusal.status, 401);
      assert.equal(refusal.headers['www-authenticate'], 'Bearer error="invalid_token"');
      assert.equal(JSON.parse(refusal.body).error, 'invalid_token');
    });
  }

  test('a token we signed ourselves with the right key is accepted (the forgeries above fail for their flaw)', async () => {
    const client = await Client.open(echo(), bearer(await sign({ sub: 'janedoe' })));
    assert.equal(await client.next(), 'Welcome janedoe!');
    client.close();
  });

  test('a foreign Origin → 403 before the upgrade; own and allowed origins pass', async () => {
    const refusal = await expectRefusal(echo(), { ...bearer(token), origin: 'http://evil.example' });
    assert.equal(refusal.status, 403);
    assert.equal(JSON.parse(refusal.body).error, 'forbidden_origin');
    for (const origin of [server.url, 'https://app.example']) {
      const client = await Client.open(echo(), { ...bearer(token), origin });
      assert.equal(await client.next(), 'Welcome johndoe!');
      client.close();
    }
  });

  test('the access cookie authenticates a browser-style handshake; its Origin is checked too', async () => {
    const cookie = { cookie: `parley_token=${token}` };
    const client = await Client.open(echo(), { headers: cookie, origin: server.url });
    assert.equal(await client.next(), 'Welcome johndoe!');
    client.close();
    const hijack = await expectRefusal(echo(), { headers: cookie, origin: 'http://evil.example' });
    assert.equal(hijack.status, 403);
  });

  test('a binary frame on the text-only echo closes with 1003', async () => {
    const client = await Client.open(echo(), bearer(token));
    await client.next();
    client.socket.send(Buffer.from([1, 2, 3]));
    assert.equal((await client.closedWith()).code, 1003);
  });

  test('a user disabled by another process (the CLI) is refused within the feed interval, even with an unexpired token', async () => {
    const janeToken = await getToken(server.url, 'janedoe');
    const store = openSqliteStore(server.dataDir);
    try {
      await store.accounts.setDisabled('janedoe', true);
      // The node hears of it through the revocation feed (polled every 500 ms), as it does of every revocation.
      const refusal = await eventually(() => expectRefusal(echo(), bearer(janeToken)), 1500);
      assert.equal(refusal.status, 401);
      assert.equal(refusal.headers['www-authenticate'], 'Bearer error="invalid_token"');
    } finally {
      await store.accounts.setDisabled('janedoe', false);
      await store.close();
    }
  });

  test('the server keeps serving after every refusal above', async () => {
    const client = await Client.open(echo(), bearer(token));
    assert.equal(await client.next(), 'Welcome johndoe!');
    client.close();
  });
});

describe('an open socket outlives nothing: token expiry', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_ACCESS_TOKEN_TTL: '2s' });
  });
  after(() => server.cleanup());

  test('the socket is closed with 4001 when the access token expires', async () => {
    const client = await Client.open(`${server.wsUrl}/secured-ws`, { headers: { authorization: `Bearer ${await getToken(server.url)}` } });
    assert.equal(await client.next(), 'Welcome johndoe!');
    const closed = await client.closedWith(5000);
    assert.deepEqual(closed, { code: 4001, reason: 'token expired' });
  });
});
