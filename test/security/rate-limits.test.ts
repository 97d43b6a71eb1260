// Attempt budgets that key right: one per username across /token, /login, /register and password changes; one per
// presented refresh token (garbage cannot lock out someone else's valid one); one per address, larger; every
// refusal a 429 with Retry-After, no-store and the catalogue's body (an HTML page for the forms). With Redis the
// budgets span the nodes: 3 nodes configured for 10 guesses a minute let 10 through, not 30.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DEMO_PASSWORDS, getToken, type RunningServer, startServer, tokenRequest } from '../helpers.js';
import { freshSchema, needs, REDIS_URL } from '../support/services.js';
import { assertError, Bystander } from './support.js';

const form = (server: RunningServer, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
    headers: { origin: server.url, ...headers },
  });

/** A 429 HTML form page: status, Retry-After, no-store, and the sentence. */
async function assertHtml429(response: Response): Promise<void> {
  assert.equal(response.status, 429);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.match(response.headers.get('retry-after') ?? '', /^\d+$/);
  assert.match(await response.text(), /Too many attempts: try again in \d+ seconds\./);
  assert.deepEqual(response.headers.getSetCookie(), []);
}

async function assertJson429(response: Response, scope: RegExp): Promise<void> {
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
  await assertError(response, 429, 'too_many_requests', scope);
}

describe('one budget per username, across every endpoint that checks a password', () => {
  let server: RunningServer;
  let bystander: Bystander;
  before(async () => {
    server = await startServer({ PARLEY_LOGIN_RATE_LIMIT: '4' });
    bystander = await Bystander.join(server);
  });
  after(async () => {
    bystander.close();
    await server.cleanup();
  });

  test('/token, /login, PATCH /users/me and /register spend one budget; then all four answer 429', async () => {
    const token = await getToken(server.url, 'johndoe'); // 1
    assert.equal((await tokenRequest(server.url, { username: 'johndoe', password: 'guess-1' })).status, 400); // 2
    assert.equal((await form(server, '/login', { username: 'JohnDoe', password: 'guess-2', next: '/' })).status, 401); // 3 (any case)
    const patch = (current: string) =>
      fetch(`${server.url}/users/me`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ current_password: current, password: 'a new password' }),
      });
    assert.equal((await patch('guess-3')).status, 400); // 4

    await assertJson429(await tokenRequest(server.url, { username: 'johndoe', password: DEMO_PASSWORDS.johndoe! }), /for this username/);
    await assertHtml429(await form(server, '/login', { username: 'johndoe', password: DEMO_PASSWORDS.johndoe!, next: '/' }));
    await assertHtml429(await form(server, '/register', { username: 'johndoe', password: 'long enough', next: '/' }));
    await assertJson429(await patch(DEMO_PASSWORDS.johndoe!), /for this username/);
    // Other usernames are not affected.
    assert.equal((await tokenRequest(server.url, { username: 'janedoe', password: DEMO_PASSWORDS.janedoe! })).status, 200);
    await bystander.assertServed();
  });
});

describe('refresh grants are budgeted per presented token', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_LOGIN_RATE_LIMIT: '5' });
  });
  after(() => server.cleanup());

  test('40 garbage refreshes from one address do not lock out another user’s valid refresh; one token shown too often does', async () => {
    const jane = (await (await tokenRequest(server.url, { username: 'janedoe', password: DEMO_PASSWORDS.janedoe! })).json()) as {
      refresh_token: string;
    };
    const garbage = randomBytes(32).toString('base64url');
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        tokenRequest(server.url, { grant_type: 'refresh_token', refresh_token: i < 20 ? `${garbage}${i}` : garbage }),
      ),
    );
    assert.deepEqual(
      answers.slice(0, 20).map((r) => r.status),
      Array<number>(20).fill(400),
      'different garbage: each its own budget',
    );
    const same = answers.slice(20).map((r) => r.status);
    assert.equal(same.filter((s) => s === 429).length, 15, 'the same garbage 20 times: 5 tries, then 429');
    const valid = await tokenRequest(server.url, { grant_type: 'refresh_token', refresh_token: jane.refresh_token });
    assert.equal(valid.status, 200);
    await assertJson429(await tokenRequest(server.url, { grant_type: 'refresh_token', refresh_token: garbage }), /with this refresh token/);
  });
});

describe('a per-address budget, larger, over all of them', () => {
  let server: RunningServer;
  let bystander: Bystander;
  before(async () => {
    // The proxy is trusted so each request can name its client address (X-Forwarded-For).
    server = await startServer({ PARLEY_ADDRESS_RATE_LIMIT: '10', PARLEY_TRUST_PROXY: '127.0.0.1' });
    bystander = await Bystander.join(server);
  });
  after(async () => {
    bystander.close();
    await server.cleanup();
  });

  test('one address trying many usernames is stopped at its budget; another address is not', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });
    for (let i = 0; i < 10; i++) {
      assert.equal((await form(server, '/login', { username: `user-${i}`, password: 'guess', next: '/' }, from('203.0.113.7'))).status, 401);
    }
    const refused = await form(server, '/login', { username: 'johndoe', password: DEMO_PASSWORDS.johndoe!, next: '/' }, from('203.0.113.7'));
    await assertHtml429(refused);
    const api = await fetch(`${server.url}/token`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'x-1', password: 'y' }),
      headers: from('203.0.113.7'),
    });
    await assertJson429(api, /from your address/);
    const silent = await fetch(`${server.url}/auth/refresh`, {
      method: 'POST',
      headers: { ...from('203.0.113.7'), origin: server.url, cookie: 'parley_refresh=abc' },
    });
    await assertJson429(silent, /from your address/);
    assert.equal(
      (await form(server, '/login', { username: 'johndoe', password: DEMO_PASSWORDS.johndoe!, next: '/' }, from('198.51.100.1'))).status,
      303,
    );
    await bystander.assertServed();
  });
});

describe('budgets across nodes: shared through Redis, per node without it', () => {
  const services = needs('postgres', 'redis');
  const nodes: RunningServer[] = [];
  let drop: () => Promise<void>;
  let env: Record<string, string>;
  before(async () => {
    if (services.missing) return;
    const schema = await freshSchema();
    drop = schema.drop;
    env = { PARLEY_DATABASE_URL: schema.url, PARLEY_JWT_SECRET: randomBytes(32).toString('base64url'), PARLEY_LOGIN_RATE_LIMIT: '10' };
  });
  after(async () => {
    if (services.missing) return;
    for (const node of nodes) await node.cleanup();
    await drop();
  });

  /** 50 wrong guesses for one username, dealt round-robin over the nodes; how many were checked (not 429). */
  async function guesses(cluster: RunningServer[], username: string): Promise<number> {
    let checked = 0;
    for (let i = 0; i < 50; i++) {
      const response = await tokenRequest(cluster[i % cluster.length]!.url, { username, password: `guess-${i}` });
      if (response.status !== 429) checked++;
      await response.arrayBuffer();
    }
    return checked;
  }

  services.test('3 nodes with PARLEY_REDIS_URL: 10 guesses a minute in all, whichever node takes them', async () => {
    const prefix = `parley-test-${randomBytes(6).toString('hex')}:`;
    const cluster = [];
    for (let i = 0; i < 3; i++) cluster.push(await startServer({ ...env, PARLEY_REDIS_URL: REDIS_URL, PARLEY_REDIS_PREFIX: prefix }));
    nodes.push(...cluster);
    assert.equal(await guesses(cluster, 'johndoe'), 10);
    const bystander = await Bystander.join(cluster[2]!);
    await bystander.assertServed();
    bystander.close();
  });

  services.test('3 nodes without Redis count apart: 3 × 10 (why several nodes need PARLEY_REDIS_URL)', async () => {
    const cluster = [];
    for (let i = 0; i < 3; i++) cluster.push(await startServer(env));
    nodes.push(...cluster);
    assert.equal(await guesses(cluster, 'janedoe'), 30);
  });
});

describe('the shared counters unreachable', () => {
  let server: RunningServer;
  before(async () => {
    // Nothing listens on port 1: the Redis limiter (and bus) cannot connect.
    server = await startServer({ PARLEY_REDIS_URL: 'redis://127.0.0.1:1' });
  });
  after(() => server.cleanup());

  test('an attempt is refused 503 unavailable with Retry-After, never let through uncounted', async () => {
    const response = await tokenRequest(server.url, { username: 'johndoe', password: DEMO_PASSWORDS.johndoe! });
    assert.equal(response.headers.get('retry-after'), '5');
    await assertError(response, 503, 'unavailable', /rate limiter is unreachable/);
    await assertHtml503(await form(server, '/login', { username: 'johndoe', password: DEMO_PASSWORDS.johndoe!, next: '/' }));
  });
});

async function assertHtml503(response: Response): Promise<void> {
  assert.equal(response.status, 503);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(response.headers.get('retry-after'), '5');
  assert.match(await response.text(), /Please try again shortly\./);
  assert.deepEqual(response.headers.getSetCookie(), []);
}
