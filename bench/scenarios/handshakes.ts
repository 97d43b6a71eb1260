// Authenticated handshakes: open a socket with the token, wait for the server's welcome (so the connection
// is authenticated and live), close it. Every peer verifies the same JWT; Parley also looks the user and
// the revocation list up in its store. Socket.IO's handshake is two more exchanges (open and CONNECT packets).
import { PEER_LABELS } from '../server-process.js';
import {
  type Bench,
  type CaseResult,
  caseResult,
  interleave,
  LOADGEN_METRIC,
  OTHERS_METRIC,
  pool,
  sourceAddress,
  timed,
  withServers,
} from './common.js';

export async function handshakes(bench: Bench): Promise<CaseResult[]> {
  const count = bench.quick ? 400 : 2000;
  const concurrency = 20;
  const title = `handshakes (${count}, ${concurrency} at a time)`;
  const runs = await withServers(bench, bench.peers, (servers) =>
    interleave(bench, title, bench.peers, async (peer) => {
      const server = servers.get(peer)!;
      const target = bench.target(peer, server);
      const { ms, serverCpu, loadgen, others } = await timed(server, () =>
        pool(count, concurrency, async (i) => {
          const ws = await target.openEcho(sourceAddress(i));
          await ws.close();
        }),
      );
      return { rate: (count / ms) * 1000, cpuPerOp: serverCpu / count, loadgen, others };
    }),
  );
  return [
    caseResult(
      bench,
      'handshakes',
      title,
      [
        { key: 'rate', label: 'handshakes/s', better: 'higher' },
        { key: 'cpuPerOp', label: 'server CPU µs per handshake', better: 'lower' },
        LOADGEN_METRIC,
        OTHERS_METRIC,
      ],
      runs,
      PEER_LABELS,
    ),
  ];
}
