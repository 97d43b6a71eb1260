// The three workloads. Each runs the same client code against any Target and returns what it counted;
// run.ts turns counts into rates and ratios. Every loop is bounded by a count and by `deadline`.
import { randomBytes } from 'node:crypto';
import type WebSocket from 'ws';
import { type Frame, type Target, closeAll, closed, connect, openInbox } from './client.js';

export interface RunResult {
  /** Units of work done (connections, round trips, deliveries). */
  ops: number;
  seconds: number;
  /** Server CPU time (user + system) spent inside the timed window. */
  serverCpuMicros: number;
  /** Secondary figures, e.g. latency percentiles in ms. */
  extra?: Record<string, number>;
}

export interface RunContext {
  /** performance.now() past which a run gives up. */
  deadline: number;
  /** The server process's CPU time so far (an IPC round trip: called outside the timed window). */
  serverCpu(): Promise<number>;
}

/** Brackets the measured part of a run: server CPU before and after, wall time in between. */
async function timed<T>(ctx: RunContext, work: () => Promise<T>): Promise<{ value: T; seconds: number; serverCpuMicros: number }> {
  const cpu0 = await ctx.serverCpu();
  const t0 = performance.now();
  const value = await work();
  const seconds = (performance.now() - t0) / 1000;
  return { value, seconds, serverCpuMicros: (await ctx.serverCpu()) - cpu0 };
}

function checkDeadline(deadline: number, what: string): void {
  if (performance.now() > deadline) throw new Error(`${what}: ran past its time limit`);
}

/** Open + close `count` sockets, `concurrency` at a time: the cost of the upgrade path (auth, routing). */
export async function handshakes(target: Target, count: number, concurrency: number, ctx: RunContext): Promise<RunResult> {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      checkDeadline(ctx.deadline, 'handshakes');
      const ws = await connect(target.echoUrl, target.headers);
      ws.close();
      await closed(ws);
    }
  };
  const { seconds, serverCpuMicros } = await timed(ctx, () => Promise.all(Array.from({ length: concurrency }, worker)));
  return { ops: count, seconds, serverCpuMicros };
}

/** `clients` sockets each doing `rounds` strictly sequential send → reply round trips. */
export async function echo(target: Target, clients: number, rounds: number, ctx: RunContext): Promise<RunResult> {
  const inboxes = await Promise.all(
    Array.from({ length: clients }, async () => {
      const inbox = await openInbox(target.echoUrl, target.headers);
      await inbox.next(); // the welcome line, not part of the measurement
      return inbox;
    }),
  );
  const latencies: number[] = [];
  const run = () =>
    Promise.all(
      inboxes.map(async (inbox, c) => {
        for (let i = 0; i < rounds; i++) {
          if (i % 50 === 0) checkDeadline(ctx.deadline, 'echo');
          const text = `hello ${c}.${i}`;
          const sent = performance.now();
          inbox.ws.send(text);
          const reply = await inbox.next();
          latencies.push(performance.now() - sent);
          if (reply !== `You wrote: ${text}`) throw new Error(`echo: unexpected reply ${JSON.stringify(reply)}`);
        }
      }),
    );
  const { seconds, serverCpuMicros } = await timed(ctx, run);
  await closeAll(inboxes.map((inbox) => inbox.ws));
  latencies.sort((a, b) => a - b);
  return { ops: clients * rounds, seconds, serverCpuMicros, extra: { p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) } };
}

export interface FanOutOptions {
  receivers: number;
  senders: number;
  /** Messages sent in total, split across the senders. */
  messages: number;
  /** Most un-confirmed sends one sender keeps in flight. */
  window: number;
}

/**
 * Senders push `messages` into room `general` through a bounded window; the clock stops when the last
 * receiver has counted the last message. ops = receivers × messages (deliveries; senders' copies not counted).
 */
export async function fanOut(target: Target, options: FanOutOptions, ctx: RunContext): Promise<RunResult> {
  const { receivers, senders, messages, window } = options;
  // A fresh tag per run: Parley replays earlier runs' messages on join, and those must not be counted.
  const tag = `bench-${randomBytes(6).toString('hex')}-`;
  const sockets = await Promise.all(
    Array.from({ length: receivers + senders }, async () => {
      const inbox = await openInbox(target.chatUrl, target.headers);
      await target.joinRoom(inbox);
      return inbox.detach();
    }),
  );
  const receiverSockets = sockets.slice(0, receivers);
  const senderSockets = sockets.slice(receivers);

  let failed: (error: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const lostSocket = () => failed(new Error('fan-out: a socket closed mid-run'));
  for (const ws of sockets) ws.on('close', lostSocket);

  // Receivers only count frames carrying this run's tag: no JSON parsing, so the client stays cheap.
  const needle = Buffer.from(tag);
  const delivered = receiverSockets.map(
    (ws) =>
      new Promise<number>((resolve) => {
        let count = 0;
        ws.on('message', (data: Buffer) => {
          if (data.includes(needle) && ++count === messages) resolve(performance.now());
        });
      }),
  );

  // The clock runs from the first send to the last receiver's last message (not to the senders' last ack).
  let t0 = 0;
  const { value: doneAt, serverCpuMicros } = await timed(ctx, () => {
    t0 = performance.now();
    const sending = senderSockets.map((ws, s) => sendWindowed(ws, s, share(messages, senders, s), window, tag, target, ctx.deadline));
    return Promise.race([Promise.all([Promise.all(delivered), Promise.all(sending)]).then(([times]) => Math.max(...times)), failure]);
  });

  for (const ws of sockets) ws.off('close', lostSocket);
  await closeAll(sockets);
  return { ops: receivers * messages, seconds: (doneAt - t0) / 1000, serverCpuMicros };
}

/** Sends `quota` messages keeping at most `window` un-confirmed; resolves when all are confirmed. */
function sendWindowed(ws: WebSocket, sender: number, quota: number, window: number, tag: string, target: Target, deadline: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const pending = new Set<string>();
    let sent = 0;
    const pump = () => {
      while (pending.size < window && sent < quota) {
        const clientId = `${tag}${sender}.${sent++}`;
        pending.add(clientId);
        ws.send(JSON.stringify({ type: 'send', room: 'general', body: `${clientId} hello everyone`, clientId }));
      }
      if (pending.size === 0) resolve(performance.now());
    };
    ws.on('message', (data: Buffer) => {
      try {
        const frame = JSON.parse(data.toString()) as Frame;
        if (frame.type === 'error') throw new Error(`fan-out: server error frame ${JSON.stringify(frame)}`);
        const id = target.confirms(frame);
        if (id !== undefined && pending.delete(id)) {
          checkDeadline(deadline, 'fan-out');
          pump();
        }
      } catch (error) {
        reject(error);
      }
    });
    pump();
  });
}

/** Sender `s`'s part of `total` split over `parts` (the first ones take the remainder). */
const share = (total: number, parts: number, s: number) => Math.floor(total / parts) + (s < total % parts ? 1 : 0);

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
