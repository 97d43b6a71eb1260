// Fan-out at fixed offered rates: one room of 1,000 members, senders offering a fixed number of messages per
// second, each message to every member — open loop (see open-loop.ts). Parley stores each message durably
// (SQLite, one fsync per group commit) before broadcasting it; the peers relay from memory.
import { PEER_LABELS, type PeerName } from '../server-process.js';
import { type Bench, type CaseResult, caseResult, type Figures, fmt, interleave, LOADGEN_METRIC, OTHERS_METRIC, withServers } from './common.js';
import { Members, openLoopRun } from './open-loop.js';

export async function fanout(bench: Bench): Promise<CaseResult[]> {
  const receivers = 1000;
  const senders = 4;
  // Offered deliveries/s: 200k is within every peer's reach here; 1M is past the load generator's own core.
  const levels = bench.quick ? [200_000, 1_000_000] : [200_000, 500_000, 1_000_000];
  const seconds = bench.quick ? 1 : 3;
  const graceMs = 2000;
  return withServers(bench, bench.peers, async (servers) => {
    const members = new Map<PeerName, Members>();
    try {
      for (const peer of bench.peers) {
        const m = new Members(bench.target(peer, servers.get(peer)!), receivers, senders);
        await m.fill();
        members.set(peer, m);
      }
      const results: CaseResult[] = [];
      for (const [i, offered] of levels.entries()) {
        const title = `fan-out 1 room × ${receivers}, ${offered / 1000}k deliveries/s offered`;
        const runs = await interleave(
          bench,
          title,
          bench.peers,
          async (peer) => {
            const figures = await openLoopRun(members.get(peer)!, servers.get(peer)!, { rate: offered / receivers, seconds, graceMs });
            // An overloaded peer may still be working off seconds of backlog on the servers' core, which would be
            // charged to the next peer measured: such a server is replaced (with fresh members) instead.
            if (!(await members.get(peer)!.quiet(300, 3000))) {
              bench.log(`    ${peer} still sending its backlog: restarting it`);
              members.get(peer)!.destroy();
              await servers.get(peer)!.stop(1000);
              servers.set(peer, await bench.startServer(peer));
              const fresh = new Members(bench.target(peer, servers.get(peer)!), receivers, senders);
              await fresh.fill();
              members.set(peer, fresh);
            }
            return figures;
          },
          // One warm-up, at the first level, pays for JIT and buffers; the later levels start warm.
          { warmUp: i === 0, show: showFanOut },
        );
        results.push(
          caseResult(bench, 'fanout', title, FANOUT_METRICS, runs, PEER_LABELS, {
            notes: [`${senders} senders, ${seconds} s on the timetable, ${graceMs / 1000} s grace; latency from each message's scheduled send time`],
          }),
        );
      }
      return results;
    } finally {
      await Promise.all([...members.values()].map((m) => m.close()));
    }
  });
}

export const FANOUT_METRICS = [
  { key: 'delivered', label: 'delivered fraction', better: 'higher' as const },
  { key: 'rate', label: 'deliveries/s', better: 'higher' as const },
  { key: 'p50Ms', label: 'p50 latency (ms, from scheduled send)', better: 'lower' as const },
  { key: 'p99Ms', label: 'p99 latency (ms, from scheduled send)', better: 'lower' as const },
  { key: 'cpuPerOp', label: 'server CPU µs per delivery', better: 'lower' as const },
  LOADGEN_METRIC,
  OTHERS_METRIC,
];

export const showFanOut = (f: Figures) =>
  `${fmt(f.rate!)} deliveries/s, ${(f.delivered! * 100).toFixed(1)}% delivered, p50 ${fmt(f.p50Ms!)} ms, p99 ${fmt(f.p99Ms!)} ms, ` +
  `${fmt(f.cpuPerOp!)} µs/delivery, load gen ${fmt(f.loadgen!)}, others ${fmt(f.others!)}${f.dropped ? `, ${f.dropped} receivers dropped` : ''}`;
