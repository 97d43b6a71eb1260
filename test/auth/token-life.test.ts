// The whole life of a token on a long-lived socket: refresh rotation and reuse detection, revocation that
// drops live sockets, expiry warnings with in-band refresh, tickets, the subprotocol, and precedence.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretHash } from '../../src/auth/secrets.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { Client, DEMO_PASSWORDS, expectRefusal, getToken, type RunningServer, startServer, tokenRequest } from '../helpers.js';

interface TokenBody {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
}

async function grant(url: string, fields: Record<string, string>): Promise<TokenBody> {
  const response = await tokenRequest(url, fields);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as TokenBody;
}

const login = (url: string, username = 'johndoe') => grant(url, { username, password: DEMO_PASSWORDS[username]! });
const refresh = (url: string, refreshToken: string) => tokenRequest(url, { grant_type: 'refresh_token', refresh_token: refreshToken });
const me = (url: string, token: string) => fetch(`${url}/users/me`, { headers: { authorization: `Bearer ${token}` } });
const revoke = (url: string, token: string) => fetch(`${url}/token/revoke`, { method: 'POST', body: new URLSearchParams({ token }) });

describe('refresh tokens, revocation and live sockets', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_REFRESH_REUSE_GRACE: '1s' });
  });
  after(() => server.cleanup());

  const chat = (token: string) => Client.chat(server, token);

  test('the password grant returns an opaque refresh token; a refresh rotates both tokens', async () => {
    const first = await login(server.url);
    assert.match(first.refresh_token, /^[A-Za-z0-9_-]{43}$/);
    const response = await refresh(server.url, first.refresh_token);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const second = (await response.json()) as TokenBody;
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(second.scope, 'chat:read chat:write');
    assert.equal((await me(server.url, second.access_token)).status, 200);
  });

  test('a refresh may narrow the scope, never widen it', async () => {
    const narrow = await grant(server.url, { username: 'johndoe', password: 'secret', scope: 'chat:read' });
    const widened = await refresh(server.url, narrow.refresh_token);
    assert.equal(((await widened.json()) as TokenBody).scope, 'chat:read');
    const again = await login(server.url);
    const wider = await tokenRequest(server.url, {
      grant_type: 'refresh_token',
      refresh_token: again.refresh_token,
      scope: 'chat:read chat:write admin',
    });
    assert.equal(wider.status, 400);
    assert.equal(((await wider.json()) as { error: string }).error, 'invalid_scope');
  });

  test('reusing a spent refresh token revokes the whole family and drops its live sockets with 4403', async () => {
    const first = await login(server.url);
    const second = (await (await refresh(server.url, first.refresh_token)).json()) as TokenBody;
    const socket = await chat(second.access_token);
    const bystander = await chat((await login(server.url)).access_token);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the grace for racing tabs
    const replay = await refresh(server.url, first.refresh_token);
    assert.equal(replay.status, 400);
    assert.deepEqual(await replay.json(), {
      error: 'invalid_grant',
      error_description: 'the refresh token was already used; every token of this login is now revoked',
    });
    const started = Date.now();
    assert.deepEqual(await socket.closedWith(1000), { code: 4403, reason: 'token revoked' });
    assert.ok(Date.now() - started < 1000);
    assert.equal((await me(server.url, second.access_token)).status, 401);
    const latest = await refresh(server.url, second.refresh_token);
    assert.deepEqual(await latest.json(), { error: 'invalid_grant', error_description: 'the refresh token is revoked' });
    // Another login of the same user is untouched.
    bystander.send({ type: 'ping', ref: 'alive' });
    assert.equal((await bystander.next((f) => f.type === 'pong')).ref, 'alive');
    bystander.close();
  });

  test('two uses of one refresh token at once (two tabs): one rotates, the other is refused, the login lives', async () => {
    const session = await login(server.url);
    const [a, b] = await Promise.all([refresh(server.url, session.refresh_token), refresh(server.url, session.refresh_token)]);
    const answers = [a, b].sort((x, y) => x.status - y.status);
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 400],
    );
    const winner = (await answers[0]!.json()) as TokenBody;
    assert.deepEqual(await answers[1]!.json(), {
      error: 'invalid_grant',
      error_description: 'the refresh token was just used; use the one that replaced it',
    });
    assert.equal((await me(server.url, winner.access_token)).status, 200);
    assert.equal((await refresh(server.url, winner.refresh_token)).status, 200, 'the family was not revoked');
  });

  test('RFC 7009: revoking a refresh token ends its login; always 200, even for garbage', async () => {
    const session = await login(server.url);
    const socket = await chat(session.access_token);
    const response = await revoke(server.url, session.refresh_token);
    assert.equal(response.status, 200);
    assert.equal((await socket.closedWith(1000)).code, 4403);
    assert.equal((await refresh(server.url, session.refresh_token)).status, 400);
    assert.equal((await revoke(server.url, 'not-a-token')).status, 200);
    assert.equal((await revoke(server.url, 'a.b.c')).status, 200);
    const missing = await fetch(`${server.url}/token/revoke`, { method: 'POST', body: new URLSearchParams({}) });
    assert.equal(missing.status, 400);
  });

  test('revoking an access token closes the sockets on it, and only those', async () => {
    const a = await getToken(server.url);
    const b = await getToken(server.url);
    const onA = await chat(a);
    const echoOnA = await Client.open(`${server.wsUrl}/secured-ws`, { headers: { authorization: `Bearer ${a}` } });
    assert.equal(await echoOnA.next(), 'Welcome johndoe!');
    const onB = await chat(b);
    assert.equal((await revoke(server.url, a)).status, 200);
    assert.equal((await onA.closedWith(1000)).code, 4403);
    assert.equal((await echoOnA.closedWith(1000)).code, 4403);
    assert.equal((await me(server.url, a)).status, 401);
    const refusal = await expectRefusal(`${server.wsUrl}/ws`, { headers: { authorization: `Bearer ${a}` } });
    assert.equal(refusal.status, 401);
    assert.equal(JSON.parse(refusal.body).error_description, 'the token was revoked');
    onB.send({ type: 'ping' });
    await onB.next((f) => f.type === 'pong');
    onB.close();
  });

  test('disabling a user elsewhere (the CLI, another node) drops their sockets within a second', async () => {
    const socket = await chat(await getToken(server.url, 'janedoe'));
    const other = openSqliteStore(server.dataDir);
    try {
      await other.accounts.setDisabled('janedoe', true);
      const started = Date.now();
      assert.equal((await socket.closedWith(1500)).code, 4403);
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    } finally {
      await other.accounts.setDisabled('janedoe', false);
      await other.close();
    }
  });
});

describe('expiry on open sockets', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_ACCESS_TOKEN_TTL: '3s', PARLEY_EXPIRY_WARNING: '2s' });
  });
  after(() => server.cleanup());

  test('the server warns `expiring`; an in-band refresh keeps the socket open past the old exp', async () => {
    const session = await login(server.url);
    const socket = await Client.chat(server, session.access_token);
    const warning = await socket.next((f) => f.type === 'expiring', 3000);
    const next = (await (await refresh(server.url, session.refresh_token)).json()) as TokenBody;
    socket.send({ type: 'refresh', token: next.access_token, ref: 'r' });
    const refreshed = await socket.next((f) => f.type === 'refreshed');
    assert.ok(refreshed.expiresAt > warning.at);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, warning.at - Date.now()) + 300));
    socket.send({ type: 'ping', ref: 'after-old-exp' });
    assert.equal((await socket.next((f) => f.type === 'pong')).ref, 'after-old-exp');
    socket.close();
  });

  test('without a refresh the socket closes with 4001 at exp', async () => {
    const socket = await Client.chat(server, (await login(server.url)).access_token);
    await socket.next((f) => f.type === 'expiring', 3000);
    assert.deepEqual(await socket.closedWith(3000), { code: 4001, reason: 'token expired' });
  });

  test('an expired token or another user’s cannot refresh the socket', async () => {
    const socket = await Client.chat(server, (await login(server.url)).access_token);
    socket.send({ type: 'refresh', token: (await login(server.url, 'janedoe')).access_token });
    assert.equal((await socket.next((f) => f.type === 'error')).code, 'forbidden');
    assert.equal((await socket.closedWith()).code, 1008);
  });
});

describe('authenticating a socket without headers or cookies', () => {
  let server: RunningServer;
  let john: string;
  before(async () => {
    server = await startServer();
    john = await getToken(server.url);
  });
  after(() => server.cleanup());

  async function ticket(token: string): Promise<{ ticket: string; expires_in: number }> {
    const response = await fetch(`${server.url}/ws-ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    return (await response.json()) as { ticket: string; expires_in: number };
  }

  test('a one-time ticket opens one socket, once', async () => {
    const issued = await ticket(john);
    assert.equal(issued.expires_in, 30);
    const url = `${server.wsUrl}/ws?ticket=${issued.ticket}`;
    const client = await Client.open(url);
    assert.equal((await client.next()).user, 'johndoe');
    const again = await expectRefusal(url);
    assert.equal(again.status, 401);
    assert.equal(JSON.parse(again.body).error_description, 'the ticket is unknown, used or expired');
    client.close();
  });

  test('an expired ticket is refused; a ticket needs a bearer token to get', async () => {
    const store = openSqliteStore(server.dataDir);
    try {
      const principal = { username: 'johndoe', scopes: ['chat:read'], expiresAt: Date.now() + 60_000, tokenId: 'x', issuer: 'parley' };
      await store.tokens.saveTicket(secretHash('stale-ticket'), JSON.stringify(principal), Date.now() - 1);
    } finally {
      await store.close();
    }
    assert.equal((await expectRefusal(`${server.wsUrl}/ws?ticket=stale-ticket`)).status, 401);
    assert.equal((await fetch(`${server.url}/ws-ticket`, { method: 'POST' })).status, 401);
  });

  test('the subprotocol carries the token; the server selects parley.v1 and never echoes the token', async () => {
    const client = await Client.open(`${server.wsUrl}/ws`, {}, ['parley.v1', `parley.bearer.${john}`]);
    assert.equal(client.socket.protocol, 'parley.v1');
    assert.equal((await client.next()).user, 'johndoe');
    client.close();
    const alone = await expectRefusal(`${server.wsUrl}/ws`, {}, [`parley.bearer.${john}`]);
    assert.equal(alone.status, 401);
    assert.equal(alone.headers['www-authenticate'], 'Bearer error="invalid_request"');
    const said = 'malformed bearer subprotocol: offer "parley.v1" and exactly one "parley.bearer.<token>" in Sec-WebSocket-Protocol';
    assert.equal(JSON.parse(alone.body).error_description, said);
    const twice = await expectRefusal(`${server.wsUrl}/ws`, {}, ['parley.v1', `parley.bearer.${john}`, 'parley.bearer.another']);
    assert.deepEqual([twice.status, JSON.parse(twice.body).error_description], [401, said]);
    const forged = await expectRefusal(`${server.wsUrl}/ws`, {}, ['parley.v1', 'parley.bearer.abc.def.ghi']);
    assert.equal(forged.headers['www-authenticate'], 'Bearer error="invalid_token"');
  });

  test('precedence: header > subprotocol > ticket > cookie; two different users → 400', async () => {
    const jane = await getToken(server.url, 'janedoe');
    const conflict = await expectRefusal(`${server.wsUrl}/ws?ticket=${(await ticket(jane)).ticket}`, {
      headers: { authorization: `Bearer ${john}` },
    });
    assert.equal(conflict.status, 400);
    assert.deepEqual(JSON.parse(conflict.body), {
      error: 'invalid_request',
      error_description: 'the credentials in this request belong to different users',
    });
    const viaHeader = await Client.open(`${server.wsUrl}/ws`, {
      headers: { authorization: `Bearer ${john}`, cookie: 'parley_token=stale.garbage.cookie' },
    });
    assert.equal((await viaHeader.next()).user, 'johndoe');
    viaHeader.close();
    const badHeader = await expectRefusal(`${server.wsUrl}/ws`, {
      headers: { authorization: 'Bearer not.valid.jwt', cookie: `parley_token=${john}` },
    });
    assert.equal(badHeader.status, 401);
  });
});
