// What every scenario gets from the runner, and the interleaving that all of them share.
import os from 'node:os';
import { coresBusySince, machineMark, waitForQuietMachine } from '../machine.js';
import type { PeerName, Pinning, ServerProcess } from '../server-process.js';
import type { Target } from '../targets.js';

/** One measured run, reduced to named numbers (rates, latencies in ms, µs per op, fractions). */
export type Figures = Record<string, number>;

export interface Metric {
  key: string;
  label: string;
  /** 'info' figures (load-generator load, offered rate) are shown but carry no verdict. */
  better: 'higher' | 'lower' | 'info';
}

/** One row group of the results: a workload measured on several columns (peers, or Parley variants). */
export interface CaseResult {
  scenario: string;
  title: string;
  metrics: Metric[];
  /** Column → its runs and their medians; `disturbed` runs (see DISTURBED_CORES) are left out of the median when possible. */
  columns: Record<string, { label: string; runs: Figures[]; median: Figures; disturbed?: number }>;
  /** Ratios are subject / every other column (Parley / peer; storm / quiet; PostgreSQL / SQLite). */
  subject: string;
  skipped?: Record<string, string>;
  notes?: string[];
  date?: string;
}

export interface Bench {
  quick: boolean;
  rounds: number;
  /** Peers selected and runnable; `skipped` says why the others are not there. */
  peers: PeerName[];
  skipped: Partial<Record<PeerName, string>>;
  token: string;
  /** Given to every server: BENCH_JWT_SECRET. */
  env: Record<string, string>;
  pinning: Pinning;
  startServer(peer: PeerName, extraEnv?: Record<string, string>, name?: string): Promise<ServerProcess>;
  target(peer: PeerName, server: ServerProcess): Target;
  log(line: string): void;
}

/**
 * Runs `measure` for every column in a warm-up pass (discarded: JIT, page cache, socket buffers) and then
 * `rounds` passes, rotating the order each pass so drift in machine load favours no column.
 */
export async function interleave<C extends string>(
  bench: Bench,
  title: string,
  columns: C[],
  measure: (column: C) => Promise<Figures>,
  options: { warmUp?: boolean; show?: (f: Figures) => string } = {},
): Promise<Record<string, Figures[]>> {
  const runs: Record<string, Figures[]> = Object.fromEntries(columns.map((c) => [c, []]));
  const warmUp = options.warmUp ?? true;
  for (let pass = warmUp ? 0 : 1; pass <= bench.rounds; pass++) {
    const order = columns.map((_, i) => columns[(i + pass) % columns.length]!);
    for (const column of order) {
      if (!(await waitForQuietMachine(os.cpus().length))) bench.log('    (the machine stayed busy with other processes: measuring anyway)');
      const figures = await measure(column);
      const show = options.show?.(figures) ?? defaultShow(figures);
      bench.log(`  ${title.padEnd(44)} ${column.padEnd(16)} ${(pass === 0 ? 'warm-up' : `round ${pass}`).padEnd(8)} ${show}`);
      if (pass > 0) runs[column]!.push(figures);
    }
  }
  return runs;
}

function defaultShow(f: Figures): string {
  return Object.entries(f)
    .map(([k, v]) => `${k}=${fmt(v)}`)
    .join(' ');
}

export const fmt = (x: number) => (!Number.isFinite(x) ? String(x) : Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3));

/** Server CPU, load-generator CPU and everyone else's CPU around a window of work. */
export async function timed<T>(
  server: ServerProcess,
  work: () => Promise<T>,
): Promise<{ value: T; ms: number; serverCpu: number; loadgen: number; others: number }> {
  const cpu0 = await server.cpuMicros();
  const own0 = process.cpuUsage();
  const machine0 = machineMark();
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  const own = process.cpuUsage(own0);
  const machine = coresBusySince(machine0, os.cpus().length);
  const serverCpu = (await server.cpuMicros()) - cpu0;
  // The load generator's share of one core: near 1.0 means the client, not the server, may be the limit.
  const loadgen = (own.user + own.system) / 1000 / ms;
  // Cores' worth taken by processes that are neither the server nor the load generator (a shared machine).
  const others = Math.max(0, machine - loadgen - serverCpu / 1000 / ms);
  return { value, ms, serverCpu, loadgen, others };
}

/** Small pool: at most `concurrency` of `count` tasks at once. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, worker));
}

/** Source addresses to spread many connections over (loopback is a /8; each has its own port range). */
export const sourceAddress = (i: number) => `127.0.0.${1 + (i % 8)}`;

/** Other processes' CPU (cores) from which a run counts as disturbed. */
export const DISTURBED_CORES = 0.5;

export const LOADGEN_METRIC: Metric = { key: 'loadgen', label: 'load generator busy (share of its core)', better: 'info' };
export const OTHERS_METRIC: Metric = { key: 'others', label: "other processes' CPU meanwhile (cores)", better: 'info' };

/** Starts a fresh server per peer for one scenario (no state carried over from another), stops them after. */
export async function withServers<T>(bench: Bench, peers: PeerName[], fn: (servers: Map<PeerName, ServerProcess>) => Promise<T>): Promise<T> {
  const servers = new Map<PeerName, ServerProcess>();
  try {
    for (const peer of peers) servers.set(peer, await bench.startServer(peer));
    return await fn(servers);
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
  }
}

/** Medians per column and metric, labelled, with the bench's skipped peers noted. */
export function caseResult(
  bench: Bench,
  scenario: string,
  title: string,
  metrics: Metric[],
  runs: Record<string, Figures[]>,
  labels: Record<string, string>,
  extra: { subject?: string; notes?: string[]; skipped?: Record<string, string> } = {},
): CaseResult {
  const columns: CaseResult['columns'] = {};
  for (const [column, list] of Object.entries(runs)) {
    // On a shared machine a run during which other processes took half a core or more is disturbed: it stays in
    // the file (marked) but the median is taken over the undisturbed runs when there is at least one.
    const clean = list.filter((f) => !(f.others! >= DISTURBED_CORES));
    const counted = clean.length ? clean : list;
    const med: Figures = {};
    for (const key of Object.keys(list[0] ?? {})) med[key] = medianOf(counted.map((f) => f[key]!));
    columns[column] = { label: labels[column] ?? column, runs: list, median: med, disturbed: list.length - clean.length };
  }
  return {
    scenario,
    title,
    metrics,
    columns,
    subject: extra.subject ?? 'parley',
    skipped: extra.skipped ?? (Object.keys(bench.skipped).length ? (bench.skipped as Record<string, string>) : undefined),
    notes: extra.notes,
    date: new Date().toISOString(),
  };
}

function medianOf(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
