// Start-up refuses what cannot work, with a sentence naming the culprit: a key path that is no usable file (a
// dangling symbolic link used to recurse until the stack overflowed), a second server on one SQLite data
// directory (exit 2; never a stale lock after a crash; PostgreSQL nodes share a directory freely), an expiry
// warning not below the token lifetime. And at run time: repeated Authorization headers are refused with 400, on
// an API route and on the upgrade; /metrics answers only its token, or its own listener.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import type {} from '../../src/http/metrics.js';
import { getToken, type RunningServer, serverSuite, startServer, tempDir } from '../helpers.js';
import { BIN, parley } from '../support/cli.js';
import { freshSchema, needs } from '../support/services.js';
import { assertError, Bystander, rawHttp } from './support.js';

describe('the signing key path', () => {
  const dir = tempDir('parley-key-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a dangling symbolic link: exit 2 naming the path and where it points (no stack overflow)', async () => {
    fs.symlinkSync(path.join(dir, 'nowhere', 'key'), path.join(dir, 'jwt-signing.key'));
    const run = await parley(['serve', '--data', dir, '--port', '0']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `^parley: cannot use the signing key ${path.join(dir, 'jwt-signing.key')}: it is a symbolic link to .*nowhere/key, which does not exist`,
      ),
    );
    assert.doesNotMatch(run.stderr, /RangeError|stack/);
    fs.unlinkSync(path.join(dir, 'jwt-signing.key'));
  });

  test('a directory, or a key too short: exit 2 naming the path', async () => {
    fs.mkdirSync(path.join(dir, 'jwt-signing.key'));
    const directory = await parley(['serve', '--data', dir, '--port', '0']);
    assert.equal(directory.code, 2);
    assert.match(directory.stderr, /^parley: cannot use the signing key .*jwt-signing\.key: it is a directory/);
    fs.rmdirSync(path.join(dir, 'jwt-signing.key'));
    fs.writeFileSync(path.join(dir, 'jwt-signing.key'), 'c2hvcnQ\n', { mode: 0o600 });
    const short = await parley(['serve', '--data', dir, '--port', '0']);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /^parley: the signing key .*jwt-signing\.key holds fewer than 256 bits/);
  });
});

/** `parley serve` in the background; resolves once it listens. */
function serveInBackground(dir: string) {
  const child = spawn(process.execPath, [BIN, 'serve', '--data', dir, '--port', '0'], {
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PARLEY_'))), PARLEY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const listening = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Server listening')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  return { child, listening };
}

describe('one server per SQLite data directory', () => {
  const dir = tempDir('parley-lock-');
  let first: RunningServer | undefined;
  after(async () => {
    await first?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a second server on the directory exits 2 with a sentence naming it; the first keeps serving', async () => {
    first = await startServer({}, dir);
    const bystander = await Bystander.join(first);
    const second = await parley(['serve', '--data', dir, '--port', '0']);
    assert.equal(second.code, 2, second.stderr);
    assert.equal(
      second.stderr.split('\n')[0],
      `parley: another Parley server is already using the data directory ${dir} (it holds ${path.join(dir, 'parley.lock')}); stop it, or give this one its own --data`,
    );
    await assert.rejects(
      startServer({}, dir),
      (error: Error) => error instanceof ConfigError && error.message.includes(dir),
      'in the same process too',
    );
    // The CLI's user commands are meant to run beside the server.
    assert.equal((await parley(['--data', dir, 'user', 'list'])).code, 0);
    await bystander.assertServed();
    bystander.close();
    await first.stop();
    first = await startServer({}, dir); // stopped: the lock is free
    await first.stop();
    first = undefined;
  });

  test('a server killed with SIGKILL leaves no stale lock', async () => {
    const { child, listening } = serveInBackground(dir);
    await listening;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    first = await startServer({}, dir);
    assert.equal((await fetch(`${first.url}/healthz`)).status, 200);
  });
});

describe('PostgreSQL nodes may share a data directory (for the key): nothing is locked', () => {
  const services = needs('postgres');
  const dir = tempDir('parley-shared-');
  const nodes: RunningServer[] = [];
  let drop: () => Promise<void>;
  after(async () => {
    for (const node of nodes) await node.stop();
    await drop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  services.test('two nodes start on one directory and sign with the one key', async () => {
    const schema = await freshSchema();
    drop = schema.drop;
    // One public URL (the issuer) for both, as behind one load balancer.
    const env = { PARLEY_DATABASE_URL: schema.url, PARLEY_PUBLIC_URL: 'http://parley-nodes.test' };
    nodes.push(await startServer(env, dir), await startServer(env, dir));
    const token = await getToken(nodes[0]!.url);
    assert.equal((await fetch(`${nodes[1]!.url}/users/me`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  });
});

describe('the expiry warning must be below the token lifetime', () => {
  test('an explicit warning at or above the lifetime is refused naming both; the default adapts to a short token', async () => {
    for (const warning of ['60s', '20s']) {
      assert.throws(
        () => loadConfig({ PARLEY_ACCESS_TOKEN_TTL: '20s', PARLEY_EXPIRY_WARNING: warning }),
        (error: Error) =>
          error instanceof ConfigError &&
          /PARLEY_EXPIRY_WARNING \(--expiry-warning\) \(\d+s\) must be shorter than PARLEY_ACCESS_TOKEN_TTL \(--access-token-ttl\) \(20s\)/.test(
            error.message,
          ),
      );
    }
    assert.equal(loadConfig({ PARLEY_ACCESS_TOKEN_TTL: '20s' }).expiryWarningSeconds, 10, 'unset: half of a 20 s token');
    assert.equal(loadConfig({ PARLEY_ACCESS_TOKEN_TTL: '20s', PARLEY_EXPIRY_WARNING: '5s' }).expiryWarningSeconds, 5);
    assert.equal(loadConfig({}).expiryWarningSeconds, 60);
    const run = await parley(['serve', '--data', tempDir(), '--access-token-ttl', '20s', '--expiry-warning', '1m']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^parley: PARLEY_EXPIRY_WARNING .* must be shorter than PARLEY_ACCESS_TOKEN_TTL/);
  });
});

describe('repeated Authorization headers', () => {
  const server = serverSuite();

  test('are refused with 400 invalid_request on an API route and on the upgrade; a bystander keeps chatting', async () => {
    const bystander = await Bystander.join(server);
    const token = await getToken(server.url);
    const twice = `Authorization: Bearer ${token}\r\nAuthorization: Bearer ${token}\r\n`;
    const api = await rawHttp(server, `GET /users/me HTTP/1.1\r\nHost: 127.0.0.1\r\n${twice}Connection: close\r\n\r\n`);
    assert.equal(api.status, 400, api.head);
    assert.deepEqual(JSON.parse(api.body), { error: 'invalid_request', error_description: 'send one Authorization header, not several' });
    for (const endpoint of ['/secured-ws', '/ws']) {
      const upgrade = await rawHttp(
        server,
        `GET ${endpoint} HTTP/1.1\r\nHost: 127.0.0.1\r\n${twice}Connection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
      );
      assert.equal(upgrade.status, 400, upgrade.head);
      assert.deepEqual(JSON.parse(upgrade.body), { error: 'invalid_request', error_description: 'send one Authorization header, not several' });
    }
    const once = await rawHttp(server, `GET /users/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
    assert.equal(once.status, 200, 'one header is fine (the refusals above can fail)');
    await bystander.assertServed();
    bystander.close();
  });
});

describe('/metrics is not for everyone', () => {
  const token = randomBytes(24).toString('base64url');

  describe('by default', () => {
    const server = serverSuite();
    test('404 with a sentence saying how to turn it on', async () => {
      await assertError(await fetch(`${server.url}/metrics`), 404, 'not_found', /PARLEY_METRICS_TOKEN.*PARLEY_METRICS_PORT/);
    });
  });

  describe('with PARLEY_METRICS_TOKEN', () => {
    const server = serverSuite({ PARLEY_METRICS_TOKEN: token });
    test('no token or a wrong one: 401 with a Bearer challenge; the token: the metrics', async () => {
      const none = await fetch(`${server.url}/metrics`);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="metrics"');
      await assertError(none, 401, 'unauthorized', /PARLEY_METRICS_TOKEN/);
      await assertError(await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } }), 401, 'unauthorized');
      await assertError(await fetch(`${server.url}/metrics`, { headers: { authorization: `Basic ${token}` } }), 401, 'unauthorized');
      const right = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(right.status, 200);
      assert.match(await right.text(), /^parley_sockets_open \d+$/m);
    });
  });

  describe('with PARLEY_METRICS_PORT', () => {
    const server = serverSuite({ PARLEY_METRICS_PORT: '0' });
    test('served on its own listener (and only /metrics there); the main listener answers 404', async () => {
      const metricsUrl = server.app.metricsUrl!;
      assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(metricsUrl, server.url);
      const scraped = await fetch(`${metricsUrl}/metrics`);
      assert.equal(scraped.status, 200);
      assert.match(await scraped.text(), /^parley_sockets_open \d+$/m);
      await assertError(await fetch(`${metricsUrl}/token`), 404, 'not_found');
      await assertError(await fetch(`${server.url}/metrics`), 404, 'not_found');
    });
  });

  describe('with both', () => {
    const server = serverSuite({ PARLEY_METRICS_PORT: '0', PARLEY_METRICS_TOKEN: token });
    test('the token is required on the metrics listener too', async () => {
      await assertError(await fetch(`${server.app.metricsUrl}/metrics`), 401, 'unauthorized');
      assert.equal((await fetch(`${server.app.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    });
  });
});
