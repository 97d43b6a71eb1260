// `npm run bench [-- SCENARIO… PEER… --quick --rounds=N --no-pin]`: Parley beside bare ws, Socket.IO and Bun,
// same client code, same run. Servers run pinned to core 0 in child processes, the load generator here on
// core 1; peers interleave in each round; medians of the rounds. Absolute numbers on a 2-core machine are
// noise: the ratios are the result. Writes bench/results/latest.json (quick runs: quick.json), which
// `node dist/bench/report.js` turns into the README's table.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { mintToken } from './peers/jwt.js';
import { type ResultsFile, readResults, resultsPath, writeResults } from './results.js';
import type { Bench, CaseResult } from './scenarios/common.js';
import { durable } from './scenarios/durable.js';
import { echo } from './scenarios/echo.js';
import { fanout } from './scenarios/fanout.js';
import { handshakes } from './scenarios/handshakes.js';
import { loginStorm } from './scenarios/login-storm.js';
import { memory } from './scenarios/memory.js';
import { findBun, PEERS, type PeerName, pinSelf, ServerProcess } from './server-process.js';
import { targetFor } from './targets.js';

const SCENARIOS: Record<string, (bench: Bench) => Promise<CaseResult[]>> = {
  handshakes,
  echo,
  fanout,
  memory,
  'login-storm': loginStorm,
  durable,
};

/** A stall should fail loudly rather than hang: the full bench takes about 12 minutes. */
const TOTAL_LIMIT_MS = 25 * 60_000;

interface Args {
  scenarios: string[];
  peers: PeerName[];
  quick: boolean;
  rounds: number;
  pin: boolean;
}

function parseArgs(argv: string[]): Args {
  const scenarios: string[] = [];
  const peers: PeerName[] = [];
  let quick = false;
  let rounds: number | undefined;
  let pin = true;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--no-pin') pin = false;
    else if (arg.startsWith('--rounds=')) rounds = Number(arg.slice('--rounds='.length));
    else if (arg in SCENARIOS) scenarios.push(arg);
    else if ((PEERS as string[]).includes(arg)) peers.push(arg as PeerName);
    else {
      console.error(
        `unknown argument "${arg}"\nscenarios: ${Object.keys(SCENARIOS).join(' ')}\npeers: ${PEERS.join(' ')}\nflags: --quick --rounds=N --no-pin`,
      );
      process.exit(2);
    }
  }
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0)) throw new Error('--rounds must be a positive whole number');
  return {
    scenarios: scenarios.length ? scenarios : Object.keys(SCENARIOS),
    // Parley is what the others are compared with: always measured.
    peers: peers.length ? [...new Set<PeerName>(['parley', ...peers])] : PEERS,
    quick,
    rounds: rounds ?? (quick ? 1 : 3),
    pin,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const abort = setTimeout(() => {
    console.error(`bench: over ${TOTAL_LIMIT_MS / 60_000} min, giving up`);
    process.exit(1);
  }, TOTAL_LIMIT_MS);
  abort.unref();

  // Core 0 for the servers, core 1 for this load generator: neither steals the other's time slices.
  const pinned = args.pin && os.cpus().length >= 2 && pinSelf('1');
  if (args.pin && !pinned) console.log('note: not pinned (needs taskset and 2+ cores): servers and load generator share cores');

  const skipped: Partial<Record<PeerName, string>> = {};
  const bun = findBun();
  if (args.peers.includes('bun') && !bun.path) skipped.bun = bun.reason!;
  const peers = args.peers.filter((p) => !skipped[p]);
  for (const [peer, reason] of Object.entries(skipped)) console.log(`skipping ${peer}: ${reason}`);

  const secret = randomBytes(32).toString('base64url');
  const bench: Bench = {
    quick: args.quick,
    rounds: args.rounds,
    peers,
    skipped,
    token: await mintToken(new TextEncoder().encode(secret)),
    env: { BENCH_JWT_SECRET: secret },
    pinning: { server: pinned ? '0' : undefined },
    startServer: (peer, extraEnv = {}, name) => ServerProcess.start(peer, { BENCH_JWT_SECRET: secret, ...extraEnv }, bench.pinning, name),
    target: (peer, server) => targetFor(peer, server.port, bench.token),
    log: (line) => console.log(line),
  };

  console.log(
    `Parley vs ${peers.filter((p) => p !== 'parley').join(', ') || 'nothing'} — ${os.cpus().length} CPUs, Node ${process.version}` +
      `${bun.version ? `, Bun ${bun.version}` : ''}; ${pinned ? 'servers on core 0, load generator on core 1' : 'unpinned'}; ` +
      `${args.quick ? 'quick, ' : ''}warm-up + ${args.rounds} round(s), medians kept\n`,
  );

  const cases: CaseResult[] = [];
  for (const name of args.scenarios) {
    console.log(`${name}:`);
    cases.push(...(await SCENARIOS[name]!(bench)));
  }

  const file = resultsPath(args.quick);
  const previous = readResults(file);
  // A partial run (some scenarios) replaces those scenarios' rows and keeps the rest, each row dated.
  const kept = (previous?.cases ?? []).filter((c) => !args.scenarios.includes(c.scenario));
  const order = Object.keys(SCENARIOS);
  const results: ResultsFile = {
    date: new Date().toISOString(),
    node: process.version,
    bun: bun.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim(),
    pinned,
    quick: args.quick,
    rounds: args.rounds,
    elapsedSeconds: Math.round((performance.now() - started) / 1000),
    cases: [...kept, ...cases].sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario)),
  };
  writeResults(file, results);
  const { markdown } = await import('./report.js');
  console.log(`\n${markdown(results)}\nwrote ${file} in ${results.elapsedSeconds} s`);
}

main().then(
  // Client sockets of a failed peer, or undici's keep-alive pool, must not keep the process alive.
  () => process.exit(0),
  (error) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
