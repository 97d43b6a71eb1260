// `npm run bench`: Parley against a bare `ws` server, same client code, same run, servers in child processes.
// Absolute numbers on a shared 2-core machine are noise; the ratios are the result.
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Target, bareTarget, getToken, parleyTarget } from './client.js';
import { type RunContext, type RunResult, echo, fanOut, handshakes } from './scenarios.js';
import type { FromChild, ServerKind, ToChild } from './servers.js';

const REPETITIONS = 3;
/** Per scenario run; generous, since a stall should fail loudly rather than hang the bench. */
const RUN_LIMIT_MS = 30_000;
/** The whole bench; normally about a minute. */
const TOTAL_LIMIT_MS = 170_000;

interface Scenario {
  name: string;
  unit: string;
  run(target: Target, ctx: RunContext): Promise<RunResult>;
}

const SCENARIOS: Scenario[] = [
  { name: 'handshakes (500, 10 at a time)', unit: 'connections/s', run: (t, ctx) => handshakes(t, 500, 10, ctx) },
  { name: 'echo (20 clients x 1500 round trips)', unit: 'round trips/s', run: (t, ctx) => echo(t, 20, 1500, ctx) },
  {
    name: 'fan-out (50 receivers, 1 sender, 1000 msgs)',
    unit: 'deliveries/s',
    run: (t, ctx) => fanOut(t, { receivers: 50, senders: 1, messages: 1000, window: 32 }, ctx),
  },
  {
    name: 'fan-out (50 receivers, 4 senders, 2000 msgs)',
    unit: 'deliveries/s',
    run: (t, ctx) => fanOut(t, { receivers: 50, senders: 4, messages: 2000, window: 32 }, ctx),
  },
];

/** A server under test in its own process, answering CPU-time queries over IPC. */
class ServerProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static start(kind: ServerKind): Promise<ServerProcess> {
    const child = fork(fileURLToPath(new URL('./servers.js', import.meta.url)), [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${kind} server did not start in 30 s`)), 30_000);
      child.once('exit', (code) => reject(new Error(`${kind} server exited (${code}) before it was ready`)));
      child.once('message', (message: FromChild) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(new ServerProcess(child, message.port));
        else reject(new Error(`${kind} server: unexpected first message ${JSON.stringify(message)}`));
      });
    });
  }

  cpuMicros(): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not report its CPU time')), 5_000);
      this.child.once('message', (message: FromChild) => {
        clearTimeout(timer);
        if (message.type === 'cpu') resolve(message.micros);
        else reject(new Error(`unexpected message ${JSON.stringify(message)}`));
      });
      this.child.send({ type: 'cpu' } satisfies ToChild);
    });
  }

  /** Asks for a clean stop (Parley removes its temp dir), then insists. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToChild);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** One measured repetition, reduced to the figures the table shows. */
type Figures = Record<string, number>;

async function measureOnce(scenario: Scenario, target: Target, server: ServerProcess): Promise<Figures> {
  const ctx: RunContext = { deadline: performance.now() + RUN_LIMIT_MS, serverCpu: () => server.cpuMicros() };
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${scenario.name} on ${target.label}: no result within ${RUN_LIMIT_MS / 1000} s`)), RUN_LIMIT_MS);
  });
  try {
    const result = await Promise.race([scenario.run(target, ctx), limit]);
    return { rate: result.ops / result.seconds, ...result.extra, cpuPerOp: result.serverCpuMicros / result.ops };
  } finally {
    clearTimeout(timer);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const started = performance.now();
  const servers: ServerProcess[] = [];
  const abort = setTimeout(() => {
    console.error(`bench: over ${TOTAL_LIMIT_MS / 1000} s, giving up`);
    for (const server of servers) server.child.kill('SIGKILL');
    process.exit(1);
  }, TOTAL_LIMIT_MS);

  try {
    servers.push(await ServerProcess.start('ws'), await ServerProcess.start('parley'));
    const [bare, parley] = servers as [ServerProcess, ServerProcess];
    const token = await getToken(`http://127.0.0.1:${parley.port}`);
    const pairs: [Target, ServerProcess][] = [
      [bareTarget(bare.port), bare],
      [parleyTarget(parley.port, token), parley],
    ];

    console.log(`Parley vs bare ws — ${os.cpus().length} CPUs, Node ${process.version}; warm-up + ${REPETITIONS} runs each, median kept\n`);
    // results[scenario][0 = bare, 1 = Parley][repetition]
    const results: Figures[][][] = [];
    for (const scenario of SCENARIOS) {
      const runs: Figures[][] = [[], []];
      for (let pass = 0; pass <= REPETITIONS; pass++) {
        // Alternate which server goes first, so drift in machine load does not favour one side.
        for (const i of pass % 2 === 0 ? [0, 1] : [1, 0]) {
          const [target, server] = pairs[i]!;
          const figures = await measureOnce(scenario, target, server);
          const label = pass === 0 ? 'warm-up' : `run ${pass}`;
          console.log(`  ${scenario.name.padEnd(46)} ${target.label.padEnd(8)} ${label.padEnd(8)} ${fmt(figures.rate!).padStart(9)} ${scenario.unit}`);
          // The warm-up pays for JIT, SQLite's page cache and socket buffers: not what we measure.
          if (pass > 0) runs[i]!.push(figures);
        }
      }
      results.push(runs);
    }
    report(results, (performance.now() - started) / 1000);
  } finally {
    clearTimeout(abort);
    await Promise.all(servers.map((server) => server.stop()));
  }
}

const METRICS: Record<string, { label: (unit: string) => string; better: 'higher' | 'lower' }> = {
  rate: { label: (unit) => unit, better: 'higher' },
  p50Ms: { label: () => 'p50 latency (ms)', better: 'lower' },
  p99Ms: { label: () => 'p99 latency (ms)', better: 'lower' },
  cpuPerOp: { label: () => 'server CPU µs per op', better: 'lower' },
};

function report(results: Figures[][][], elapsedSeconds: number): void {
  const rows = SCENARIOS.flatMap((scenario, s) => {
    const [bareRuns, parleyRuns] = results[s] as [Figures[], Figures[]];
    return Object.entries(METRICS)
      .filter(([key]) => key in bareRuns[0]!)
      .map(([key, { label, better }]) => {
        const bare = median(bareRuns.map((f) => f[key]!));
        const parley = median(parleyRuns.map((f) => f[key]!));
        // Each repetition's two runs were back to back: their ratio shows how much the headline ratio wobbles.
        const pairRatios = parleyRuns.map((f, i) => f[key]! / bareRuns[i]![key]!);
        return { scenario: scenario.name, metric: label(scenario.unit), better, bare, parley, ratio: parley / bare, pairRatios };
      });
  });

  const header = ['scenario', 'metric', 'bare ws', 'Parley', 'Parley/bare', 'better', 'per-run ratios'];
  const lines = rows.map((r, i) => [
    r.scenario === rows[i - 1]?.scenario ? '' : r.scenario,
    r.metric,
    fmt(r.bare),
    fmt(r.parley),
    r.ratio.toFixed(2),
    r.better,
    r.pairRatios.map((x) => x.toFixed(2)).join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const numeric = new Set([2, 3, 4]);
  const print = (cells: string[]) => console.log(cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
  console.log();
  print(header);
  print(widths.map((w) => '-'.repeat(w)));
  lines.forEach(print);
  console.log(`
${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, ${elapsedSeconds.toFixed(0)} s.
Medians of ${REPETITIONS} runs after a discarded warm-up; each server in its own process, load generator in this one, 127.0.0.1.
Parley fan-out stores every message durably in SQLite (WAL, synchronous=FULL, group commit: one fsync per batch)
before it broadcasts and acks; the bare relay stores nothing and checks nothing. Each Parley handshake verifies a
JWT and looks up the user and the revocation list; bare ws handshakes are anonymous. Server CPU is the server
process's user+system time inside the timed window, divided by the ops (connections, round trips, deliveries).`);

  const file = new URL('../../bench/results/latest.json', import.meta.url);
  fs.mkdirSync(new URL('.', file), { recursive: true });
  const round = (x: number) => Number(x.toPrecision(4));
  const json = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim(),
    repetitions: REPETITIONS,
    elapsedSeconds: Math.round(elapsedSeconds),
    rows: rows.map((r) => ({ ...r, bare: round(r.bare), parley: round(r.parley), ratio: round(r.ratio), pairRatios: r.pairRatios.map(round) })),
  };
  fs.writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  console.log(`\nwrote ${fileURLToPath(file)}`);
}

const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2));

main().catch((error) => {
  console.error('bench failed:', error);
  // A failed run may leave client sockets or timers behind; the servers are already stopped.
  process.exit(1);
});
