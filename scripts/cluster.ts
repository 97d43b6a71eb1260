// `npm run cluster`: three Parley nodes on this machine, on one PostgreSQL schema and one Redis, for trying the
// cluster out (README, "Deploying a cluster"). Ctrl-C stops them the way a deployment would: SIGTERM, drain, exit.
//
//   PARLEY_DATABASE_URL=postgres://…  PARLEY_REDIS_URL=redis://…  npm run cluster -- [--demo] [any serve flag]
//
// Defaults: the PostgreSQL and Redis of a development machine (postgres://postgres@127.0.0.1:5432/test, schema
// parley_cluster; redis://127.0.0.1:6379, prefix parley-cluster:), ports 8001–8003, data under ./data/cluster.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(ROOT, 'dist/src/cli.js');
const PORTS = [8001, 8002, 8003];
const SCHEMA = 'parley_cluster';

const databaseUrl = process.env.PARLEY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.PARLEY_REDIS_URL ?? 'redis://127.0.0.1:6379';
const dataDir = path.resolve(process.env.PARLEY_DATA_DIR ?? path.join(ROOT, 'data/cluster'));

async function main(): Promise<void> {
  // A schema of its own, so the cluster's tables never mix with anything else in the database.
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create schema if not exists ${SCHEMA}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${SCHEMA}`);

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
    // One issuer for the three: behind a load balancer it is the URL clients use.
    PARLEY_PUBLIC_URL: process.env.PARLEY_PUBLIC_URL ?? `http://127.0.0.1:${PORTS[0]}`,
  };

  // The first node migrates the schema; the others start once it is listening.
  const nodes: ChildProcess[] = [];
  for (const [i, port] of PORTS.entries()) {
    const nodeDir = path.join(dataDir, `node${i + 1}`);
    const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--data', nodeDir, ...process.argv.slice(2)], {
      env,
      stdio: 'inherit',
    });
    nodes.push(child);
    await waitForReady(port, child);
  }
  const urls = PORTS.map((port) => `http://127.0.0.1:${port}`);
  console.log(`\nParley cluster: ${urls.join('  ')}`);
  console.log(`  chat in a terminal across all three:  npx parley chat --user NAME --url ${urls.join(',')}`);
  console.log('  stop one node the way a deployment does:  kill -TERM <its pid>  (it drains; its clients move on)');
  console.log('  Ctrl-C stops all three.\n');

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const child of nodes) child.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await Promise.all(nodes.map((child) => new Promise((resolve) => child.once('exit', resolve))));
}

async function waitForReady(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the node on port ${port} exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the node on port ${port} was not ready within 30 s`);
}

main().catch((error: unknown) => {
  console.error(`cluster: ${(error as Error).message}`);
  process.exit(1);
});
