// The end of every login of a user: `user disable` kills every token issued before it and `user enable` does not
// bring them back (to the millisecond: tokens from the same second on either side of the cutoff are told apart);
// `parley user passwd` ends every login; a password change through the API ends every OTHER login and renews
// the caller's. Live sockets of the ended logins close with 4403; a bystander keeps chatting.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { Client, DEMO_PASSWORDS, eventually, type RunningServer, startServer, tokenRequest } from '../helpers.js';
import { parley } from '../support/cli.js';
import { assertError, Bystander } from './support.js';

interface Pair {
  access_token: string;
  refresh_token: string;
}

async function pair(server: RunningServer, username: string, password = DEMO_PASSWORDS[username]!): Promise<Pair> {
  const response = await tokenRequest(server.url, { username, password });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Pair;
}

const me = (server: RunningServer, token: string) => fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${token}` } });
const refreshGrant = (server: RunningServer, refreshToken: string) =>
  tokenRequest(server.url, { grant_type: 'refresh_token', refresh_token: refreshToken });
const iatOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number }).iat;

async function chat(server: RunningServer, token: string): Promise<Client> {
  const client = await Client.chat(server, token);
  client.send({ type: 'join', room: 'general' });
  await client.next((f) => f.type === 'joined');
  return client;
}

describe('disable, enable, passwd, and a password change end logins for good', () => {
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

  test('disable then enable: the tokens from before stay dead (access, refresh, ticket), the socket closed 4403; a new login works', async () => {
    const old = await pair(server, 'johndoe');
    const ticket = (
      (await (await fetch(`${server.url}/ws-ticket`, { method: 'POST', headers: { authorization: `Bearer ${old.access_token}` } })).json()) as {
        ticket: string;
      }
    ).ticket;
    const socket = await chat(server, old.access_token);
    const run = await parley(['--data', server.dataDir, 'user', 'disable', 'johndoe']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await socket.closedWith(), { code: 4403, reason: 'token revoked' });
    assert.equal((await parley(['--data', server.dataDir, 'user', 'enable', 'johndoe'])).code, 0);

    await assertError(await me(server, old.access_token), 401, 'invalid_token', /issued before the account's sessions were ended/);
    const refusal = await fetch(`${server.url}/secured-ws`, { headers: { authorization: `Bearer ${old.access_token}` } });
    assert.notEqual(refusal.status, 101);
    await assertError(await refreshGrant(server, old.refresh_token), 400, 'invalid_grant', /issued before/);
    const viaTicket = await Client.open(`${server.wsUrl}/ws?ticket=${ticket}`).then(
      (client) => {
        client.close();
        return 'opened';
      },
      () => 'refused',
    );
    assert.equal(viaTicket, 'refused');
    const fresh = await pair(server, 'johndoe');
    assert.equal((await me(server, fresh.access_token)).status, 200);
    (await chat(server, fresh.access_token)).close();
    await bystander.assertServed();
  });

  test('to the millisecond: a token from just before the disable dies, one from just after the enable lives, in the same second', async () => {
    const store = openSqliteStore(server.dataDir); // a second connection, as the CLI opens one
    try {
      for (let attempt = 1; ; attempt++) {
        // Start early in a second, so both tokens can fall in it.
        while (Date.now() % 1000 > 200) await new Promise((resolve) => setTimeout(resolve, 5));
        const before = await pair(server, 'janedoe');
        await store.accounts.setDisabled('janedoe', true);
        await store.accounts.setDisabled('janedoe', false);
        const after = await pair(server, 'janedoe');
        if (Math.floor(iatOf(before.access_token)) !== Math.floor(iatOf(after.access_token))) {
          assert.ok(attempt < 5, 'could not fit the scenario into one second');
          continue;
        }
        assert.ok(iatOf(before.access_token) < iatOf(after.access_token), 'iat carries milliseconds');
        // The change was made by another connection: the node hears of it through the feed (every 500 ms).
        await eventually(async () => assert.equal((await me(server, before.access_token)).status, 401), 1500);
        assert.equal((await me(server, after.access_token)).status, 200);
        assert.equal((await refreshGrant(server, before.refresh_token)).status, 400);
        assert.equal((await refreshGrant(server, after.refresh_token)).status, 200);
        break;
      }
    } finally {
      await store.close();
    }
    // The bystander is janedoe too: her socket was closed by the disable; a new one is served.
    bystander.close();
    bystander = await Bystander.join(server);
    await bystander.assertServed();
  });

  test('parley user passwd: rules enforced, every login ended (sockets 4403), only the new password works', async () => {
    const old = await pair(server, 'johndoe');
    const socket = await chat(server, old.access_token);
    const short = await parley(['--data', server.dataDir, 'user', 'passwd', 'johndoe', '--password-stdin'], { stdin: 'short\n' });
    assert.equal(short.code, 2);
    assert.match(short.stderr, /^parley: Passwords need 8 to 1024 characters/);
    const nobody = await parley(['--data', server.dataDir, 'user', 'passwd', 'nobody', '--password-stdin'], { stdin: 'long enough\n' });
    assert.equal(nobody.code, 2);
    assert.match(nobody.stderr, /^parley: no user named nobody/);
    assert.equal(socket.closed, undefined, 'a refused passwd changes nothing');

    const run = await parley(['--data', server.dataDir, 'user', 'passwd', 'johndoe', '--password-stdin'], { stdin: 'a new secret\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'changed the password of johndoe; every login of johndoe has ended\n');
    assert.deepEqual(await socket.closedWith(), { code: 4403, reason: 'token revoked' });
    await assertError(await me(server, old.access_token), 401, 'invalid_token');
    await assertError(await refreshGrant(server, old.refresh_token), 400, 'invalid_grant');
    await assertError(await tokenRequest(server.url, { username: 'johndoe', password: DEMO_PASSWORDS.johndoe! }), 400, 'invalid_grant');
    const fresh = await pair(server, 'johndoe', 'a new secret');
    assert.equal((await me(server, fresh.access_token)).status, 200);
    await bystander.assertServed();
  });
});

describe('PATCH /users/me: a user changes their own password', () => {
  let server: RunningServer;
  let bystander: Bystander;
  const patch = (token: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/users/me`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify(body),
    });

  before(async () => {
    server = await startServer();
    bystander = await Bystander.join(server);
  });
  after(async () => {
    bystander.close();
    await server.cleanup();
  });

  test('bad requests are refused with a sentence and change nothing', async () => {
    const caller = await pair(server, 'johndoe');
    await assertError(
      await patch(caller.access_token, { current_password: 'wrong', password: 'a brand new one' }),
      400,
      'wrong_password',
      /current password is not correct/,
    );
    await assertError(await patch(caller.access_token, { password: 'a brand new one' }), 400, 'invalid_request', /current_password/);
    await assertError(await patch(caller.access_token, { current_password: 'secret', password: 'short' }), 400, 'invalid_request', /8 to 1024/);
    await assertError(await patch(caller.access_token, {}), 400, 'invalid_request', /nothing to change/);
    await assertError(
      await patch(caller.access_token, { current_password: 'secret', password: 'a brand new one', admin: true }),
      400,
      'invalid_request',
    );
    await assertError(await patch(undefined, { current_password: 'secret', password: 'a brand new one' }), 401, 'unauthorized');
    assert.equal((await me(server, caller.access_token)).status, 200);
    assert.equal((await tokenRequest(server.url, { username: 'johndoe', password: 'secret' })).status, 200, 'the password is unchanged');
    await bystander.assertServed();
  });

  test('with a bearer token: every other login ends (socket 4403, refresh dead), the caller goes on with a new pair', async () => {
    const caller = await pair(server, 'johndoe');
    const other = await pair(server, 'johndoe');
    const callerSocket = await chat(server, caller.access_token);
    const otherSocket = await chat(server, other.access_token);

    const response = await patch(caller.access_token, { current_password: 'secret', password: 'correct horse battery' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(response.headers.getSetCookie(), [], 'a bearer caller gets no cookies');
    const body = (await response.json()) as { username: string; token: Pair & { token_type: string } };
    assert.equal(body.username, 'johndoe');
    assert.equal(body.token.token_type, 'bearer');

    assert.deepEqual(await otherSocket.closedWith(), { code: 4403, reason: 'token revoked' });
    await assertError(await refreshGrant(server, other.refresh_token), 400, 'invalid_grant');
    await assertError(await me(server, other.access_token), 401, 'invalid_token');
    // The caller's own socket lives on; its old tokens died with the change, the new pair works.
    callerSocket.send({ type: 'send', room: 'general', body: 'changed my password', clientId: 'pw-1' });
    assert.equal((await callerSocket.next((f) => f.type === 'ack')).clientId, 'pw-1');
    await assertError(await me(server, caller.access_token), 401, 'invalid_token');
    await assertError(await refreshGrant(server, caller.refresh_token), 400, 'invalid_grant');
    assert.equal((await me(server, body.token.access_token)).status, 200);
    assert.equal((await refreshGrant(server, body.token.refresh_token)).status, 200);
    await assertError(await tokenRequest(server.url, { username: 'johndoe', password: 'secret' }), 400, 'invalid_grant');
    assert.equal((await tokenRequest(server.url, { username: 'johndoe', password: 'correct horse battery' })).status, 200);
    callerSocket.close();
    await bystander.assertServed();
  });

  test('with the page’s cookie: Origin-checked; the cookies are renewed and no token is in the body', async () => {
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'johndoe', password: 'correct horse battery', next: '/' }),
      redirect: 'manual',
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .filter((pair) => !pair.endsWith('='))
      .join('; ');
    const change = { current_password: 'correct horse battery', password: 'another good one' };
    await assertError(await patch(undefined, change, { cookie, origin: 'http://evil.example' }), 403, 'forbidden_origin');
    const response = await patch(undefined, change, { cookie, origin: server.url });
    assert.equal(response.status, 200, await response.clone().text());
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.token, undefined);
    const renewed = response.headers.getSetCookie().filter((c) => !/^[^=]+=;/.test(c));
    assert.deepEqual(renewed.map((c) => c.split('=')[0]).sort(), ['parley_refresh', 'parley_token']);
    const access = renewed
      .find((c) => c.startsWith('parley_token='))!
      .split(';')[0]!
      .slice('parley_token='.length);
    assert.equal((await me(server, access)).status, 200);
    await bystander.assertServed();
  });
});
