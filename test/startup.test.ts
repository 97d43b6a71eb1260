// `parley serve` that cannot start, run as a person runs it: one sentence naming the setting to change, exit 2,
// no stack trace. The causes are real: a port held by a real listener, a file where the data directory should
// be, a PostgreSQL port nobody listens on, a database that does not exist.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { tempDir } from './helpers.js';
import { BIN, parley, type Run } from './support/cli.js';
import { needs, POSTGRES_URL } from './support/services.js';

/** Exit 2 and exactly `sentence` on stderr, prefixed `parley: `: no stack trace, nothing on stdout. */
function refused(run: Run, sentence: string): void {
  assert.equal(run.stderr, `parley: ${sentence}\n`);
  assert.doesNotMatch(run.stderr, / {4}at /);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
}

/** A real listener on 127.0.0.1 holding a port, as another program would. */
async function holdPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('parley serve that cannot start says which setting to change', () => {
  const dir = tempDir('parley-startup-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a port already in use names --port and PARLEY_PORT', async () => {
    const held = await holdPort();
    try {
      const run = await parley(['serve', '--port', String(held.port), '--data', path.join(dir, 'port')]);
      refused(run, `port ${held.port} on 127.0.0.1 is already in use (another Parley?); choose another with --port or PARLEY_PORT`);
    } finally {
      await held.close();
    }
  });

  test('a host that is not an address of this machine names --host and PARLEY_HOST', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): set aside for documentation, never a machine's own address.
    const run = await parley(['serve', '--port', '0', '--host', '192.0.2.1', '--data', path.join(dir, 'host')]);
    refused(run, 'cannot listen on 192.0.2.1: it is not an address of this machine; choose another with --host or PARLEY_HOST');
  });

  test('a data directory that is a file, or lies under one, names --data and PARLEY_DATA_DIR', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'not a directory\n');
    const [itself, under] = await Promise.all([
      parley(['serve', '--port', '0', '--data', file]),
      parley(['serve', '--port', '0', '--data', path.join(file, 'data')]),
    ]);
    refused(itself, `cannot use ${file} as the data directory: it is a file, not a directory; choose another with --data or PARLEY_DATA_DIR`);
    refused(
      under,
      `cannot use ${path.join(file, 'data')} as the data directory: part of its path is a file, not a directory; choose another with --data or PARLEY_DATA_DIR`,
    );
  });

  test('a data directory that cannot be made names --data', async () => {
    // Under /sys nobody may create a directory, root included (EPERM), so this runs as CI's root too.
    const locked = `/sys/parley-test-${process.pid}`;
    const run = await parley(['serve', '--port', '0', '--data', locked]);
    refused(run, `cannot use ${locked} as the data directory: permission denied; choose another with --data or PARLEY_DATA_DIR`);
  });

  test('a PostgreSQL that refuses connections names PARLEY_DATABASE_URL, with the reason and without the password', async () => {
    // Port 1 (tcpmux) has no listener on any machine that runs these tests; the password must never be shown.
    const url = 'postgres://parley:hunter2-not-shown@127.0.0.1:1/parley';
    const [serve, migrate] = await Promise.all([
      parley(['serve', '--port', '0', '--data', path.join(dir, 'refused'), '--database-url', url]),
      parley(['migrate', '--data', path.join(dir, 'refused')], { env: { PARLEY_DATABASE_URL: url } }),
    ]);
    const sentence =
      'cannot use the PostgreSQL database postgres://parley@127.0.0.1:1/parley: connect ECONNREFUSED 127.0.0.1:1; check --database-url or PARLEY_DATABASE_URL';
    refused(serve, sentence);
    refused(migrate, sentence);
  });

  test('a metrics port already in use names --metrics-port and PARLEY_METRICS_PORT', async () => {
    const held = await holdPort();
    try {
      const run = await parley(['serve', '--port', '0', '--metrics-port', String(held.port), '--data', path.join(dir, 'metrics')]);
      refused(run, `port ${held.port} on 127.0.0.1 is already in use (another Parley?); choose another with --metrics-port or PARLEY_METRICS_PORT`);
    } finally {
      await held.close();
    }
  });
});

describe('parley serve on a PostgreSQL database that does not exist', () => {
  const services = needs('postgres');
  const dir = tempDir('parley-startup-pg-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  services.test("names PARLEY_DATABASE_URL with the server's reason, and never the password", async () => {
    const url = new URL(POSTGRES_URL);
    url.pathname = '/parley_no_such_database';
    url.password = 'hunter2-not-shown';
    const run = await parley(['serve', '--port', '0', '--data', dir, '--database-url', url.href]);
    refused(
      run,
      `cannot use the PostgreSQL database ${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}/parley_no_such_database: ` +
        'database "parley_no_such_database" does not exist; check --database-url or PARLEY_DATABASE_URL',
    );
    assert.doesNotMatch(run.stderr, /hunter2/);
  });
});

describe('Redis that cannot be reached does not stop a node, and is said once', () => {
  test('one line per part (bus, presence, rate limits) naming PARLEY_REDIS_URL, no stack, /readyz 503', { timeout: 30_000 }, async () => {
    const dir = tempDir('parley-redis-away-');
    const nobody = await holdPort(); // a free port, closed again: nothing listens there
    await nobody.close();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', dir, '--redis-url', `redis://:sesame@127.0.0.1:${nobody.port}`], {
      env: { PATH: process.env.PATH, PARLEY_LOG_LEVEL: 'info' },
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      const url = await listening(child, () => log);
      assert.equal((await fetch(`${url}/readyz`)).status, 503);
      // ioredis retries about every 2 s and reports each failure: 6 s is three rounds of them.
      await new Promise((resolve) => setTimeout(resolve, 6000));
      const warnings = log
        .split('\n')
        .filter((line) => line.includes('"level":40') && line.includes('Redis'))
        .map((line) => JSON.parse(line) as { msg: string; part: string; stack?: string; err?: unknown });
      assert.deepEqual(warnings.map((w) => w.part).sort(), ['presence', 'rate limits', 'the bus'], log);
      for (const warning of warnings) {
        assert.equal(
          warning.msg,
          `Redis at redis://127.0.0.1:${nobody.port} cannot be reached (${warning.part}): this node serves its own sockets, /readyz answers 503 until Redis answers; check --redis-url or PARLEY_REDIS_URL`,
        );
        assert.equal(warning.err, undefined, 'no error object, so no stack trace');
      }
      assert.doesNotMatch(log, /sesame/, 'the password is never logged');
      assert.doesNotMatch(log, / {4}at /);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The address a `parley serve` child says it listens at. */
async function listening(child: ChildProcess, log: () => string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${log()}`);
    const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log())?.[1];
    if (url) return url;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
