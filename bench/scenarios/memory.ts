// Memory per idle authenticated connection: a fresh server per measurement (so freed memory of earlier work
// cannot absorb the new sockets), its RSS and JS heap after a full GC, then N chat sockets opened with the
// token and their welcome read, then RSS and heap again. (delta) / N per connection. Parley's sockets are on
// /ws (what the chat page holds: token-expiry timers, revocation index, frame budget), not joined to a room.
import { PEER_LABELS } from '../server-process.js';
import { sleep } from '../stats.js';
import type { WireSocket } from '../wire.js';
import { type Bench, type CaseResult, caseResult, fmt, interleave, pool, sourceAddress } from './common.js';

export async function memory(bench: Bench): Promise<CaseResult[]> {
  const connections = bench.quick ? 2000 : 10_000;
  const title = `memory per idle authenticated connection (${connections / 1000}k)`;
  const runs = await interleave(
    bench,
    title,
    bench.peers,
    async (peer) => {
      const server = await bench.startServer(peer);
      const sockets: WireSocket[] = [];
      try {
        const target = bench.target(peer, server);
        // Touch every code path once (JIT, lazily built structures) before the baseline is taken.
        const first = await target.openChat();
        const before = await server.memory();
        await pool(connections, 100, async (i) => {
          const ws = await target.openChat(sourceAddress(i));
          ws.onFrame = () => {};
          sockets.push(ws);
        });
        await sleep(1000);
        const after = await server.memory();
        sockets.push(first);
        return {
          rssKiB: (after.rss - before.rss) / 1024 / connections,
          heapKiB: (after.heapUsed - before.heapUsed) / 1024 / connections,
          rssMiB: after.rss / 1024 / 1024,
        };
      } finally {
        for (const ws of sockets) ws.destroy();
        await server.stop();
      }
    },
    { warmUp: false, show: (f) => `${fmt(f.rssKiB!)} KiB RSS, ${fmt(f.heapKiB!)} KiB heap per connection (RSS ${fmt(f.rssMiB!)} MiB)` },
  );
  return [
    caseResult(
      bench,
      'memory',
      title,
      [
        { key: 'rssKiB', label: 'server RSS KiB per connection', better: 'lower' },
        { key: 'heapKiB', label: 'server JS heap KiB per connection', better: 'lower' },
        { key: 'rssMiB', label: 'server RSS MiB with all connected', better: 'info' },
      ],
      runs,
      PEER_LABELS,
      { notes: ['Bun reports JavaScriptCore heap, Node V8 heap: compare RSS across runtimes, heap only within one'] },
    ),
  ];
}
