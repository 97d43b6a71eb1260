// PARLEY_TRUST_PROXY: behind the proxies it names, X-Forwarded-For gives the client's address (rate limits count
// the real client) and X-Forwarded-Proto: https makes the session cookies Secure. From any other hop both
// headers are ignored — a client cannot pick its address or claim HTTPS. Without the setting nothing is trusted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEMO_PASSWORDS, type RunningServer, serverSuite } from '../helpers.js';
import { Bystander } from './support.js';

const login = (server: RunningServer, headers: Record<string, string>, username = 'johndoe', password = DEMO_PASSWORDS[username]!) =>
  fetch(`${server.url}/login`, { method: 'POST', body: new URLSearchParams({ username, password, next: '/' }), redirect: 'manual', headers });

const secureFlags = (response: Response) =>
  response.headers
    .getSetCookie()
    .filter((c) => !/^[^=]+=;/.test(c))
    .map((c) => [c.split('=')[0], /;\s*Secure(;|$)/i.test(c)]);

/** Logins (wrong password) from each address in turn; the statuses. */
async function attempts(server: RunningServer, forwardedFor: string[]): Promise<number[]> {
  const statuses = [];
  for (const [i, address] of forwardedFor.entries())
    statuses.push((await login(server, { 'x-forwarded-for': address }, `someone-${i}`, 'wrong')).status);
  return statuses;
}

describe('a trusted proxy (PARLEY_TRUST_PROXY=127.0.0.1, the hop the tests come through)', () => {
  const server = serverSuite({ PARLEY_TRUST_PROXY: '127.0.0.1', PARLEY_ADDRESS_RATE_LIMIT: '3' });

  test('X-Forwarded-Proto: https makes both session cookies Secure, set and cleared alike; plain http does not', async () => {
    const https = await login(server, { 'x-forwarded-for': '198.51.100.20', 'x-forwarded-proto': 'https' });
    assert.deepEqual(secureFlags(https), [
      ['parley_token', true],
      ['parley_refresh', true],
    ]);
    const cookie = https.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .filter((c) => !c!.endsWith('='))
      .join('; ');
    const out = await fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: server.url, 'x-forwarded-for': '198.51.100.20', 'x-forwarded-proto': 'https' },
    });
    assert.ok(
      out.headers.getSetCookie().every((c) => /;\s*Secure/i.test(c)),
      out.headers.getSetCookie().join('\n'),
    );
    const http = await login(server, { 'x-forwarded-for': '198.51.100.21', 'x-forwarded-proto': 'http' });
    assert.deepEqual(secureFlags(http), [
      ['parley_token', false],
      ['parley_refresh', false],
    ]);
  });

  test('X-Forwarded-For is the client: each address has its own budget', async () => {
    const bystander = await Bystander.join(server);
    assert.deepEqual(await attempts(server, ['203.0.113.1', '203.0.113.1', '203.0.113.1', '203.0.113.1']), [401, 401, 401, 429]);
    assert.deepEqual(await attempts(server, ['203.0.113.2']), [401], 'another client is not affected');
    await bystander.assertServed();
    bystander.close();
  });
});

describe('an untrusted hop: the headers are ignored', () => {
  // Only 10.0.0.0/8 is trusted; the tests' requests come from 127.0.0.1.
  const server = serverSuite({ PARLEY_TRUST_PROXY: '10.0.0.0/8', PARLEY_ADDRESS_RATE_LIMIT: '3' });

  test('a client claiming HTTPS gets no Secure cookie; a client naming other addresses is still one address', async () => {
    const claimed = await login(server, { 'x-forwarded-for': '203.0.113.5', 'x-forwarded-proto': 'https' });
    assert.deepEqual(secureFlags(claimed), [
      ['parley_token', false],
      ['parley_refresh', false],
    ]);
    assert.deepEqual(await attempts(server, ['203.0.113.6', '203.0.113.7', '203.0.113.8']), [401, 401, 429], 'all counted as 127.0.0.1');
  });
});

describe('nothing trusted by default', () => {
  const server = serverSuite({ PARLEY_ADDRESS_RATE_LIMIT: '2' });

  test('X-Forwarded-* change nothing', async () => {
    const claimed = await login(server, { 'x-forwarded-for': '203.0.113.5', 'x-forwarded-proto': 'https' });
    assert.deepEqual(secureFlags(claimed), [
      ['parley_token', false],
      ['parley_refresh', false],
    ]);
    assert.deepEqual(await attempts(server, ['203.0.113.9', '203.0.113.10']), [401, 429]);
  });
});

describe('a hop count (PARLEY_TRUST_PROXY=1)', () => {
  const server = serverSuite({ PARLEY_TRUST_PROXY: '1', PARLEY_ADDRESS_RATE_LIMIT: '2' });

  test('the address the proxy appended counts; what the client prepended does not', async () => {
    assert.deepEqual(await attempts(server, ['1.1.1.1, 203.0.113.30', '2.2.2.2, 203.0.113.30', '3.3.3.3, 203.0.113.30']), [401, 401, 429]);
    assert.deepEqual(await attempts(server, ['1.1.1.1, 203.0.113.31']), [401]);
  });
});

describe('PARLEY_TRUST_PROXY values', () => {
  test('a hop count, addresses and CIDR ranges are read; anything else stops start-up naming the setting', () => {
    assert.equal(loadConfig({}).trustProxy, undefined);
    assert.equal(loadConfig({ PARLEY_TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ PARLEY_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,fd00::/8, loopback' }).trustProxy, [
      '10.0.0.1',
      '192.168.0.0/16',
      'fd00::/8',
      'loopback',
    ]);
    for (const bad of ['yes', '10.0.0.0/33', '300.1.1.1', 'fd00::/129', '10.0.0.0/8/1', '0']) {
      assert.throws(
        () => loadConfig({ PARLEY_TRUST_PROXY: bad }),
        (error: Error) => error instanceof ConfigError && /PARLEY_TRUST_PROXY \(--trust-proxy\)/.test(error.message),
        bad,
      );
    }
  });
});
