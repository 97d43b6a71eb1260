// A load probe, not a test: 3 nodes on this machine's PostgreSQL and a private redis-server, 60 resuming
// clients (4 rooms × 15), numbered sends at a steady total rate, then the books: error frames, deadlocks the
// nodes logged (40P01), ack latency, and deliveries lost or doubled. No fault is injected: whatever goes wrong
// here goes wrong under plain load.
//
//   npm run build && node dist/test/cluster/load-probe.js --rate 120 --seconds 20
//
// It lives under test/ beside the harness it uses, so `node --test dist/test/` loads it too: it does nothing
// there (the runner marks its children with NODE_TEST_CONTEXT).
import { parseArgs } from 'node:util';
import { type Run, Scenario, startRun, stopRun } from './harness.js';
import { sleep } from './processes.js';

async function probe(rate: number, seconds: number, clients: number, rooms: number): Promise<number> {
  let run: Run | undefined;
  let scenario: Scenario | undefined;
  let failed = true;
  try {
    run = await startRun(12);
    scenario = await Scenario.open(run, 'probe', { rooms, clients, membership: (i, n) => [i % n], rate });
    console.log(`probe: ${clients} clients in ${rooms} rooms on 3 nodes, ${rate} sends/s for ${seconds} s`);
    scenario.traffic.start();
    await sleep(seconds * 1000);
    const { problems, summary } = await scenario.finish({ settleMs: 15_000 });
    const all = scenario.clients.flatMap((c) => [...c.sends.values()]);
    const unacked = all.filter((s) => s.ackAt === undefined && !s.refused).length;
    const retried = all.filter((s) => s.errors.length > 0).length;
    const result = {
      rate,
      seconds,
      sends: summary.sends,
      acked: summary.acked,
      unacked,
      refusals: summary.refusals,
      errorFrames: summary.errors,
      sendsThatNeededRetry: retried,
      deadlockLogLines: scenario.cluster.deadlockLines(),
      ackP50Ms: summary.p50,
      ackP99Ms: summary.p99,
      ackMaxMs: summary.maxAckMs,
      lostDeliveries: summary.lost,
      doubledDeliveries: summary.doubled,
      crashedNodes: scenario.cluster.crashReports().length,
    };
    console.log(JSON.stringify(result));
    for (const problem of problems.slice(0, 10)) console.log(`  ${problem}`);
    failed = problems.length > 0;
  } finally {
    await scenario?.close();
    await stopRun(run, failed);
  }
  return failed ? 1 : 0;
}

if (!process.env.NODE_TEST_CONTEXT) {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '60' },
      seconds: { type: 'string', default: '20' },
      clients: { type: 'string', default: '60' },
      rooms: { type: 'string', default: '4' },
    },
  });
  // Ctrl-C: exit through 'exit', whose handler kills the nodes and the redis-server.
  process.on('SIGINT', () => process.exit(130));
  probe(Number(values.rate), Number(values.seconds), Number(values.clients), Number(values.rooms)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
