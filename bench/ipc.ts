// The IPC protocol between the runner (parent) and a server under test (child, Node or Bun).
// The child answers its own CPU time and memory: the parent can bracket a timed window with them.
import type { Started } from './peers/started.js';

export type ToChild = { type: 'cpu' } | { type: 'mem' } | { type: 'stop' };
export type FromChild =
  | { type: 'ready'; port: number }
  /** process.cpuUsage() user+system in µs, every thread; the parent prefers /proc (see ServerProcess.cpuMicros). */
  | { type: 'cpu'; micros: number }
  /** After a full GC: resident set and JS heap in bytes. */
  | { type: 'mem'; rss: number; heapUsed: number };

/** Child side: report ready, then answer the parent until told to stop (or orphaned). */
export function serveParent(server: Started, collectGarbage: () => void): void {
  const send = (message: FromChild) => process.send!(message);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop().catch((error) => console.error('bench server stop failed:', error));
    process.exit(0);
  };
  process.on('message', (message: ToChild) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', micros: user + system });
    } else if (message.type === 'mem') {
      collectGarbage();
      // Let finalizers and freed sockets settle before reading.
      setTimeout(() => {
        collectGarbage();
        const { rss, heapUsed } = process.memoryUsage();
        send({ type: 'mem', rss, heapUsed });
      }, 200);
    } else if (message.type === 'stop') void stop();
  });
  // The parent died or dropped us: never linger as an orphan holding a port and a temp dir.
  process.on('disconnect', () => void stop());
  send({ type: 'ready', port: server.port });
}
