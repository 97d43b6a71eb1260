// `npm run cluster` (scripts/cluster.ts), spawned as a user runs it, on the machine's PostgreSQL and Redis with a
// schema, Redis prefix, data dir and ports of its own: it starts every node, stops them all on Ctrl-C, refuses
// --port at once, and never leaves a node running when one fails to start.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { after, describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { tempDir } from './helpers.js';
import { needs, POSTGRES_URL, REDIS_URL } from './support/services.js';

// This file runs as dist/test/cluster-script.test.js: the repository root is two levels up.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../scripts/cluster.js', import.meta.url));

interface Cluster {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

/** Ports nothing listens on (bound on port 0, then let go). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = net.createServer().listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      return server;
    }),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run cluster', () => {
  const services = needs('postgres', 'redis');
  const test = services.test;
  const schema = `parley_${randomBytes(6).toString('hex')}`;
  const dataDir = tempDir('parley-cluster-script-');
  const started: Cluster[] = [];
  const pids: number[] = [];

  function cluster(ports: number[], args: string[] = []): Cluster {
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PARLEY_')));
    Object.assign(env, {
      PARLEY_CLUSTER_PORTS: ports.join(','),
      PARLEY_CLUSTER_SCHEMA: schema,
      PARLEY_DATABASE_URL: POSTGRES_URL,
      PARLEY_REDIS_URL: REDIS_URL,
      PARLEY_REDIS_PREFIX: `parley-test-${randomBytes(6).toString('hex')}:`,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_LOG_LEVEL: 'warn',
      // Nothing connects: no reason to wait for a load balancer before draining.
      PARLEY_DRAIN_DELAY: '0',
    });
    const child = spawn(process.execPath, [SCRIPT, ...args], { cwd: ROOT, env });
    let output = '';
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      for (const [, pid] of chunk.toString().matchAll(/ready: pid (\d+)/g)) pids.push(Number(pid));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    // 'close', not 'exit': it waits for every process holding the script's output, so a node left running fails the test.
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const run = { child, output: () => output, exited };
    started.push(run);
    return run;
  }

  async function until(check: () => boolean, what: string, run: Cluster, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms; output:\n${run.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  after(async () => {
    for (const run of started) run.child.kill('SIGKILL');
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (services.missing) return;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  test(
    'starts a node on each PARLEY_CLUSTER_PORTS port, prints its pid and URL, and Ctrl-C stops every one',
    async () => {
      const ports = await freePorts(3);
      const run = cluster(ports);
      await until(() => run.output().includes('Parley cluster:'), 'all ready', run);
      for (const [i, port] of ports.entries()) {
        assert.match(run.output(), new RegExp(`^node ${i + 1} ready: pid \\d+, http://127\\.0\\.0\\.1:${port}$`, 'm'));
        assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
      }
      const mine = [...run.output().matchAll(/ready: pid (\d+)/g)].map(([, pid]) => Number(pid));
      assert.equal(mine.length, 3);
      run.child.kill('SIGINT');
      assert.equal(await run.exited, 0, run.output());
      for (const [i, port] of ports.entries())
        assert.match(run.output(), new RegExp(`^node ${i + 1} \\(pid \\d+, port ${port}\\) exited with code 0$`, 'm'));
      for (const pid of mine) assert.equal(alive(pid), false, `node pid ${pid} is gone`);
    },
    { timeout: 60_000 },
  );

  test(
    '--port is refused at once, saying how to choose the ports',
    async () => {
      const [port, ...ports] = await freePorts(4);
      const run = cluster(ports, ['--demo', '--port', String(port)]);
      assert.equal(await run.exited, 1);
      assert.match(run.output(), /^cluster: .*refuses --port: choose the ports with PARLEY_CLUSTER_PORTS=/m);
      assert.doesNotMatch(run.output(), /ready/);
    },
    // Before it was refused, a node listened on the user's port and the script waited 30 s for another.
    { timeout: 20_000 },
  );

  test(
    'a node that cannot start (its port is taken): the nodes already started are stopped, and it exits 1 saying which',
    async () => {
      const ports = await freePorts(3);
      // It accepts and never answers, as a wedged process would: the script's readiness probe must not hang on it.
      const held = new Set<net.Socket>();
      const squatter = net.createServer((socket) => held.add(socket)).listen(ports[1], '127.0.0.1');
      await new Promise((resolve) => squatter.once('listening', resolve));
      try {
        const run = cluster(ports);
        assert.equal(await run.exited, 1, run.output());
        assert.match(
          run.output(),
          new RegExp(`^cluster: node 2 \\(port ${ports[1]}\\) exited with code 2 before it was ready; stopped every node it had started$`, 'm'),
        );
        const [first] = [...run.output().matchAll(/^node 1 ready: pid (\d+)/gm)].map(([, pid]) => Number(pid));
        assert.ok(first, run.output());
        assert.equal(alive(first), false, 'node 1 was stopped');
        assert.match(run.output(), /^node 1 \(pid \d+, port \d+\) exited with code 0$/m);
        assert.doesNotMatch(run.output(), /^node 3/m, 'node 3 never started');
        await assert.rejects(fetch(`http://127.0.0.1:${ports[0]}/readyz`), 'nothing listens on node 1 port');
      } finally {
        for (const socket of held) socket.destroy();
        await new Promise((resolve) => squatter.close(resolve));
      }
    },
    { timeout: 60_000 },
  );
});
