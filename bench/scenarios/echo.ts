// Echo round trips on the recipe's endpoint (Parley's /secured-ws; the peers' equivalents): each client sends
// a line and waits for "You wrote: …" before the next. Closed loop on purpose: it measures per-frame cost.
import { PEER_LABELS } from '../server-process.js';
import { Histogram } from '../stats.js';
import { type Bench, type CaseResult, caseResult, interleave, LOADGEN_METRIC, OTHERS_METRIC, timed, withServers } from './common.js';

export async function echo(bench: Bench): Promise<CaseResult[]> {
  const clients = 20;
  const rounds = bench.quick ? 300 : 1000;
  const title = `echo (${clients} clients × ${rounds} round trips)`;
  const runs = await withServers(bench, bench.peers, (servers) =>
    interleave(bench, title, bench.peers, async (peer) => {
      const server = servers.get(peer)!;
      const target = bench.target(peer, server);
      const sockets = await Promise.all(Array.from({ length: clients }, () => target.openEcho()));
      const latency = new Histogram();
      const { ms, serverCpu, loadgen, others } = await timed(server, () =>
        Promise.all(
          sockets.map(async (ws, c) => {
            for (let i = 0; i < rounds; i++) {
              const text = `hello ${c}.${i}`;
              const sent = performance.now();
              ws.sendText(target.echoFrame(text));
              const reply = target.echoText(await ws.next());
              latency.record(performance.now() - sent);
              if (reply !== `You wrote: ${text}`) throw new Error(`echo on ${peer}: unexpected reply ${JSON.stringify(reply)}`);
            }
          }),
        ),
      );
      await Promise.all(sockets.map((ws) => ws.close()));
      const ops = clients * rounds;
      return { rate: (ops / ms) * 1000, p50Ms: latency.percentile(0.5), p99Ms: latency.percentile(0.99), cpuPerOp: serverCpu / ops, loadgen, others };
    }),
  );
  return [
    caseResult(
      bench,
      'echo',
      title,
      [
        { key: 'rate', label: 'round trips/s', better: 'higher' },
        { key: 'p50Ms', label: 'p50 latency (ms)', better: 'lower' },
        { key: 'p99Ms', label: 'p99 latency (ms)', better: 'lower' },
        { key: 'cpuPerOp', label: 'server CPU µs per round trip', better: 'lower' },
        LOADGEN_METRIC,
        OTHERS_METRIC,
      ],
      runs,
      PEER_LABELS,
    ),
  ];
}
