// `npm run cluster`: Parley nodes on this machine (three by default), on one PostgreSQL schema and one Redis, for
// trying the cluster out (README, "Deploying a cluster"). Ctrl-C stops them the way a deployment would: SIGTERM,
// drain, exit.
//
//   PARLEY_DATABASE_URL=postgres://…  PARLEY_REDIS_URL=redis://…  npm run cluster -- [--demo] [any serve flag]
//
// Defaults: the PostgreSQL and Redis of a development machine (postgres://postgres@127.0.0.1:5432/test, schema
// parley_cluster; redis://127.0.0.1:6379, prefix parley-cluster:), data under ./data/cluster. The script's own
// variables: PARLEY_CLUSTER_PORTS (default 8001,8002,8003: one node per port, on 127.0.0.1) and
// PARLEY_CLUSTER_SCHEMA. It sets each node's --port, --host and --data itself, so it refuses them as flags.
//
// It prints each node's pid and URL once the node is ready, and which node exited, with what. If a node fails
// to start, the nodes already started are stopped (SIGTERM, then SIGKILL past their shutdown bound) before it
// exits 1: it never leaves a node running behind it.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { CONFIG_FLAGS, ConfigError, loadConfig, SETTINGS } from '../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(ROOT, 'dist/src/cli.js');
/** The flags this script sets on every node: a user's would be appended after its own and win on one node only. */
const OWN_FLAGS = [SETTINGS.port.flag, SETTINGS.host.flag, SETTINGS.dataDir.flag];
/** How long after SIGKILL a node has to be gone before the script gives up waiting for it. */
const KILL_GRACE_MS = 5_000;

class ClusterError extends Error {}

const schema = process.env.PARLEY_CLUSTER_SCHEMA ?? 'parley_cluster';
const databaseUrl = process.env.PARLEY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.PARLEY_REDIS_URL ?? 'redis://127.0.0.1:6379';
const dataDir = path.resolve(process.env.PARLEY_DATA_DIR ?? path.join(ROOT, 'data/cluster'));

interface Node {
  name: string;
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
}
const nodes: Node[] = [];
let stopping: Promise<void> | undefined;
/** A node's shutdown bound plus a grace: then SIGKILL (set from the nodes' configuration once it is read). */
let killAfterMs = 10_000 + KILL_GRACE_MS;

async function main(): Promise<void> {
  const ports = parsePorts(process.env.PARLEY_CLUSTER_PORTS ?? '8001,8002,8003');
  const passed = process.argv.slice(2);
  const flags: Record<string, string | boolean | undefined> = parseArgs({ args: passed, options: CONFIG_FLAGS, strict: true }).values;
  const own = OWN_FLAGS.filter((flag) => flags[flag] !== undefined);
  if (own.length > 0) {
    throw new ClusterError(
      `the cluster script sets each node's ${OWN_FLAGS.map((f) => `--${f}`).join(', ')} itself, so it refuses ${own.map((f) => `--${f}`).join(', ')}: ` +
        `choose the ports with PARLEY_CLUSTER_PORTS=${ports.join(',')} and the data with ${SETTINGS.dataDir.env}`,
    );
  }
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new ClusterError(`PARLEY_CLUSTER_SCHEMA must be a plain lower-case SQL name, got "${schema}"`);

  // A schema of its own, so the cluster's tables never mix with anything else in the database.
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create schema if not exists ${schema}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);

  // Every node must sign and verify with the same key: one secret, kept beside the nodes' data dirs.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secretFile = path.join(dataDir, 'jwt-secret');
  if (!fs.existsSync(secretFile)) fs.writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  const env = {
    ...process.env,
    PARLEY_DATABASE_URL: url.toString(),
    PARLEY_REDIS_URL: redisUrl,
    PARLEY_REDIS_PREFIX: process.env.PARLEY_REDIS_PREFIX ?? 'parley-cluster:',
    PARLEY_JWT_SECRET: process.env.PARLEY_JWT_SECRET ?? fs.readFileSync(secretFile, 'utf8').trim(),
    // One issuer for all: behind a load balancer it is the URL clients use.
    PARLEY_PUBLIC_URL: process.env.PARLEY_PUBLIC_URL ?? `http://127.0.0.1:${ports[0]}`,
  };
  // What every node will make of its settings: a mistake is reported once, here, not by each node; and the
  // nodes' shutdown bound is what stopping them waits for before SIGKILL.
  killAfterMs = loadConfig(env, flags).shutdownTimeoutSeconds * 1000 + KILL_GRACE_MS;

  // Ctrl-C reaches only this script (the nodes have their own process group): one SIGTERM each, one drain.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll());

  // The first node migrates the schema; the others start once it is ready.
  for (const [i, port] of ports.entries()) {
    if (stopping) break;
    const node = start(`node ${i + 1}`, port, ['--data', path.join(dataDir, `node${i + 1}`), ...passed], env);
    await waitForReady(node);
    if (stopping) break;
    console.log(`${node.name} ready: pid ${node.child.pid}, http://127.0.0.1:${port}`);
  }
  if (!stopping) {
    const urls = ports.map((port) => `http://127.0.0.1:${port}`);
    console.log(`\nParley cluster: ${urls.join('  ')}`);
    console.log(`  chat in a terminal across all of them:  npx parley chat --user NAME --url ${urls.join(',')}`);
    console.log('  stop one node the way a deployment does:  kill -TERM <its pid>  (it drains; its clients move on)');
    console.log('  Ctrl-C stops them all.\n');
  }
  await Promise.all(nodes.map((node) => node.exited));
  await stopping;
}

function start(name: string, port: number, args: string[], env: NodeJS.ProcessEnv): Node {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', ...args], {
    env,
    stdio: 'inherit',
    detached: true,
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      console.log(`${name} (pid ${child.pid}, port ${port}) exited ${signal ? `on ${signal}` : `with code ${code}`}`);
      if (!stopping && code !== 0) process.exitCode = 1;
      resolve();
    }),
  );
  const node = { name, port, child, exited };
  nodes.push(node);
  return node;
}

/** SIGTERM to every node still running (they drain); SIGKILL to any still there after `killAfterMs`. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    const running = nodes.filter((node) => node.child.exitCode === null && node.child.signalCode === null);
    for (const node of running) node.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const node of running) {
        if (node.child.exitCode !== null || node.child.signalCode !== null) continue;
        console.error(`${node.name} (pid ${node.child.pid}) did not stop within ${killAfterMs / 1000} s: SIGKILL`);
        node.child.kill('SIGKILL');
      }
    }, killAfterMs);
    await Promise.all(running.map((node) => node.exited));
    clearTimeout(timer);
  })();
  return stopping;
}

async function waitForReady(node: Node): Promise<void> {
  const deadline = Date.now() + 30_000;
  const exitedEarly = () => {
    const { exitCode, signalCode } = node.child;
    if (exitCode === null && signalCode === null) return undefined;
    return new ClusterError(
      `${node.name} (port ${node.port}) exited ${signalCode ? `on ${signalCode}` : `with code ${exitCode}`} before it was ready`,
    );
  };
  while (Date.now() < deadline && !stopping) {
    const early = exitedEarly();
    if (early) throw early;
    // Bounded: something else on the port may accept the connection and never answer.
    const ready = await fetch(`http://127.0.0.1:${node.port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.ok,
      () => false,
    );
    // Ready, but maybe another process's: only a node still running counts.
    if (ready) {
      const late = exitedEarly();
      if (late) throw late;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!stopping) throw new ClusterError(`${node.name} (port ${node.port}) was not ready within 30 s`);
}

function parsePorts(value: string): number[] {
  const parsed = value.split(',').map((item) => item.trim());
  const valid = parsed.every((item) => /^\d+$/.test(item) && Number(item) >= 1 && Number(item) <= 65535);
  if (!valid || new Set(parsed.map(Number)).size !== parsed.length) {
    throw new ClusterError(`PARLEY_CLUSTER_PORTS must be distinct ports separated by commas, like 8001,8002,8003; got "${value}"`);
  }
  return parsed.map(Number);
}

main().catch(async (error: unknown) => {
  // Whatever went wrong, no node outlives the script.
  await stopAll();
  const known = error instanceof ClusterError || error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(`cluster: ${(error as Error).message}${nodes.length > 0 ? '; stopped every node it had started' : ''}`);
  if (!known) console.error(error);
  process.exit(1);
});
