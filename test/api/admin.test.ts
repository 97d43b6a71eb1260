// First run and the admin API, on a server that starts with no users (no --demo): the first account is its admin;
// the admin lists, disables and enables users (live sockets close at once) and opens or closes registration at
// run time — in the database, so another server on the same store agrees.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, type Frame, getToken, type RunningServer, startServer, tempDir, tokenRequest } from '../helpers.js';

describe('first run and the admin API', () => {
  let server: RunningServer;
  const dataDir = tempDir();
  const tokens: Record<string, string> = {};

  const register = (url: string, username: string) =>
    fetch(`${url}/register`, { method: 'POST', body: new URLSearchParams({ username, password: `${username}-password` }), redirect: 'manual' });
  const api = async (user: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, json: (await response.json()) as Frame & Frame[] };
  };

  before(async () => {
    server = await startServer({}, dataDir, { demo: false });
  });
  after(() => server.cleanup());

  test('the first account (from the page) is the admin; the next is not', async () => {
    assert.equal(await server.app.hasUsers(), false);
    assert.equal((await register(server.url, 'alice')).status, 303);
    assert.equal((await register(server.url, 'bob')).status, 303);
    tokens.alice = await getToken(server.url, 'alice', 'alice-password', 'chat:read chat:write admin');
    tokens.bob = await getToken(server.url, 'bob', 'bob-password');
    const refused = await tokenRequest(server.url, { username: 'bob', password: 'bob-password', scope: 'admin' });
    assert.deepEqual([refused.status, ((await refused.json()) as Frame).error], [400, 'invalid_scope']);
    assert.deepEqual((await api('alice', 'GET', '/users/me')).json.scopes, ['chat:read', 'chat:write', 'admin']);
    // Both start in the default room.
    assert.deepEqual(
      (await api('bob', 'GET', '/rooms')).json.map((r) => r.name),
      ['general'],
    );
  });

  test('only the admin scope opens the admin API', async () => {
    assert.equal((await api('bob', 'GET', '/admin/users')).status, 403);
    tokens.aliceChat = await getToken(server.url, 'alice', 'alice-password');
    assert.equal((await api('aliceChat', 'GET', '/admin/users')).status, 403, 'an admin’s token without the admin scope');
    const users = await api('alice', 'GET', '/admin/users');
    assert.equal(users.status, 200);
    assert.deepEqual(
      users.json.map((u) => [u.username, u.scopes.join(' '), u.disabled, u.external]),
      [
        ['alice', 'chat:read chat:write admin', false, false],
        ['bob', 'chat:read chat:write', false, false],
      ],
    );
  });

  test('disabling a user ends their sockets at once and hides them from the directory; enabling lets them back', async () => {
    const socket = await Client.chat(server, tokens.bob!);
    const disabled = await api('alice', 'PATCH', '/admin/users/bob', { disabled: true });
    assert.deepEqual([disabled.status, disabled.json.disabled], [200, true]);
    assert.equal((await socket.closedWith()).code, 4403);
    assert.equal((await tokenRequest(server.url, { username: 'bob', password: 'bob-password' })).status, 400);
    assert.deepEqual((await api('alice', 'GET', '/users?q=b')).json, []);
    assert.equal((await api('alice', 'PATCH', '/admin/users/alice', { disabled: true })).status, 403, 'not yourself');
    assert.equal((await api('alice', 'PATCH', '/admin/users/nobody', { disabled: true })).status, 404);
    assert.equal((await api('alice', 'PATCH', '/admin/users/bob', { disabled: false })).json.disabled, false);
    assert.equal((await tokenRequest(server.url, { username: 'bob', password: 'bob-password' })).status, 200);
  });

  test('registration closes and opens at run time, for every server on the store', async () => {
    assert.deepEqual((await api('alice', 'GET', '/admin/settings')).json, { registration: 'open' });
    assert.deepEqual((await api('alice', 'PATCH', '/admin/settings', { registration: 'closed' })).json, { registration: 'closed' });
    assert.equal((await fetch(`${server.url}/register`)).status, 404);
    assert.equal((await register(server.url, 'carol')).status, 404);
    assert.doesNotMatch(await (await fetch(`${server.url}/login`)).text(), /Create an account/);

    // Another server on the same store, configured open: the stored setting wins. (Handed the store as a part, as
    // nodes of one cluster share one: two servers may not both open one SQLite data directory by themselves.)
    const other = await startServer({ PARLEY_REGISTRATION: 'open' }, dataDir, { demo: false, wrapStore: (store) => store });
    try {
      assert.equal((await fetch(`${other.url}/register`)).status, 404);
      await api('alice', 'PATCH', '/admin/settings', { registration: 'open' });
      assert.equal((await fetch(`${other.url}/register`)).status, 200);
      assert.match(await (await fetch(`${other.url}/login`)).text(), /Create an account/);
    } finally {
      await other.stop();
    }
    assert.equal((await register(server.url, 'carol')).status, 303);
    assert.equal((await api('alice', 'PATCH', '/admin/settings', { registration: 'maybe' })).status, 400);
  });
});
