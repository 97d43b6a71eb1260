// One run (a PostgreSQL role and schema, a private redis-server, users) shared by the scenarios, and one
// scenario: a fresh 3-node cluster, its rooms, resuming clients joined to them, traffic, and the books at the end.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResumingClient } from './client.js';
import { audit, formatSummary, type Summary, settle } from './ledger.js';
import { CLI, Cluster, childEnv } from './nodes.js';
import { RunDatabase } from './postgres.js';
import { Child, waitFor } from './processes.js';
import { ReadyWatch, readyz } from './readyz.js';
import { PrivateRedis } from './redis.js';
import { Traffic } from './traffic.js';

const PASSWORD = 'fault-injection-password';

export interface Run {
  db: RunDatabase;
  redis: PrivateRedis;
  logDir: string;
  env: Record<string, string>;
  users: string[];
  tokens: Map<string, string>;
}

export async function startRun(userCount: number): Promise<Run> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-faults-'));
  const db = await RunDatabase.create();
  const redis = await PrivateRedis.start(path.join(logDir, 'redis.log'));
  const env = {
    PARLEY_DATABASE_URL: db.url,
    PARLEY_REDIS_URL: redis.url,
    // Every node signs and accepts the same tokens.
    PARLEY_JWT_SECRET: randomBytes(32).toString('base64url'),
    // One issuer for the cluster, as behind one load balancer: a token from one node is good on the others.
    PARLEY_PUBLIC_URL: 'http://parley-faults.test',
    PARLEY_LOG_LEVEL: 'warn',
  };
  const run: Run = { db, redis, logDir, env, users: [], tokens: new Map() };
  // Migrate once before the users are added in parallel (each CLI run would otherwise race to migrate).
  await cli(run, ['migrate']);
  const users = Array.from({ length: userCount }, (_, i) => `fault-u${i}`);
  for (let i = 0; i < users.length; i += 4)
    await Promise.all(users.slice(i, i + 4).map((user) => cli(run, ['user', 'add', user, '--password-stdin'], PASSWORD)));
  run.users = users;
  return run;
}

/** Stops the redis-server and drops the run's schema and role; the logs stay when `keepLogs`. */
export async function stopRun(run: Run | undefined, keepLogs: boolean): Promise<void> {
  if (!run) return;
  await run.redis.stop();
  await run.db.drop();
  if (keepLogs) console.log(`# node and redis logs kept in ${run.logDir}`);
  else fs.rmSync(run.logDir, { recursive: true, force: true });
}

async function cli(run: Run, args: string[], stdin?: string): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-'));
  const log = path.join(run.logDir, 'cli.log');
  const child = new Child(
    process.execPath,
    [CLI, ...args],
    childEnv({ ...run.env, PARLEY_DATA_DIR: dataDir }),
    log,
    `cli ${args.slice(0, 2).join(' ')}`,
    stdin,
  );
  const exit = await child.exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (exit.code !== 0) throw new Error(`parley ${args.join(' ')} failed (${exit.code}); see ${log}`);
}

async function token(run: Run, url: string, user: string): Promise<string> {
  let cached = run.tokens.get(user);
  if (!cached) {
    const response = await fetch(`${url}/token`, { method: 'POST', body: new URLSearchParams({ username: user, password: PASSWORD }) });
    if (response.status !== 200) throw new Error(`token for ${user}: ${response.status}`);
    cached = ((await response.json()) as { access_token: string }).access_token;
    run.tokens.set(user, cached);
  }
  return cached;
}

export interface ScenarioOptions {
  rooms: number;
  clients: number;
  /** The rooms client `i` joins (indexes into the scenario's rooms). */
  membership: (client: number, rooms: number) => number[];
  /** Total sends per second. */
  rate: number;
  nodes?: number;
}

export class Scenario {
  readonly watch: ReadyWatch;
  readonly traffic: Traffic;
  private constructor(
    readonly name: string,
    readonly run: Run,
    readonly cluster: Cluster,
    readonly rooms: string[],
    readonly clients: ResumingClient[],
    rate: number,
  ) {
    this.watch = new ReadyWatch(() => cluster.urls);
    this.traffic = new Traffic(clients, rate);
  }

  static async open(run: Run, name: string, options: ScenarioOptions): Promise<Scenario> {
    if (!run.redis.running) await run.redis.restart();
    const logDir = path.join(run.logDir, name);
    fs.mkdirSync(logDir, { recursive: true });
    const cluster = await Cluster.start(options.nodes ?? 3, run.env, logDir);
    const clients: ResumingClient[] = [];
    try {
      const rooms = Array.from({ length: options.rooms }, (_, i) => `${name}-r${i}`);
      for (const user of run.users) await token(run, cluster.urls[0]!, user);
      const owner = run.tokens.get(run.users[0]!)!;
      for (const room of rooms) {
        const response = await fetch(`${cluster.urls[0]}/rooms`, {
          method: 'POST',
          headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: room }),
        });
        if (response.status !== 201) throw new Error(`creating ${room}: ${response.status}`);
      }
      for (let i = 0; i < options.clients; i++) {
        const user = run.users[i % run.users.length]!;
        const mine = options.membership(i, rooms.length).map((r) => rooms[r]!);
        clients.push(new ResumingClient(`${name}-c${i}`, user, run.tokens.get(user)!, () => cluster.urls, mine, i % cluster.nodes.length));
      }
      const scenario = new Scenario(name, run, cluster, rooms, clients, options.rate);
      await Promise.all(clients.map((client) => client.start()));
      scenario.watch.start();
      return scenario;
    } catch (error) {
      for (const client of clients) client.stop();
      await cluster.stop();
      throw error;
    }
  }

  /**
   * Adds a client after the start (a second socket of a user, a newcomer during a fault) that first tries
   * `node`; with `wait` false it does not wait for its joins. It takes its share of the traffic from now on.
   */
  async addClient(name: string, user: string, rooms: string[], node: number, wait = true): Promise<ResumingClient> {
    const client = new ResumingClient(`${this.name}-${name}`, user, this.run.tokens.get(user)!, () => this.cluster.urls, rooms, node);
    this.clients.push(client);
    const started = client.start(30_000);
    if (wait) await started;
    else started.catch(() => {}); // the ledger reports what it did not get
    return client;
  }

  /**
   * Stops the traffic, lets the cluster settle, and checks the books: every problem found, and the summary
   * (printed). `killed` are nodes stopped on purpose; any other node that is not running crashed.
   */
  async finish(options: { ackBoundMs?: number; settleMs?: number } = {}): Promise<{ problems: string[]; summary: Summary }> {
    this.traffic.stop();
    await settle(this.run.db, this.rooms, this.clients, options.settleMs ?? 8000);
    const { problems, summary } = await audit(this.run.db, this.rooms, this.clients, options.ackBoundMs ?? 15_000);
    problems.unshift(...this.cluster.crashReports());
    console.log(`# ${formatSummary(this.name, summary)}; 40P01 log lines ${this.cluster.deadlockLines()}`);
    return { problems, summary };
  }

  /** After a fault: every running node answers /readyz 200 within `ms`; the problems if not. */
  async allReady(ms = 10_000): Promise<string[]> {
    const up = this.cluster.nodes.filter((node) => node.running);
    const statuses = new Map<number, unknown>();
    await waitFor(
      async () => {
        const answers = await Promise.all(up.map((node) => readyz(node.url, 1000)));
        for (const [i, answer] of answers.entries()) statuses.set(up[i]!.index, answer.status);
        return answers.every((answer) => answer.status === 200);
      },
      ms,
      200,
    );
    return [...statuses]
      .filter(([, status]) => status !== 200)
      .map(([node, status]) => `node ${node} /readyz still ${status} ${ms} ms after recovery`);
  }

  async close(): Promise<void> {
    this.traffic.stop();
    this.watch.stop();
    for (const client of this.clients) client.stop();
    await this.cluster.stop();
  }
}

/** Fails with every problem listed (the first 25), so one run shows the whole picture. */
export function expectNoProblems(problems: string[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 25).join('\n  ');
  throw new Error(`${problems.length} problem(s):\n  ${shown}${problems.length > 25 ? '\n  …' : ''}`);
}
