// Open-loop chat load, shared by the fan-out and login-storm scenarios. Messages are sent on a fixed
// timetable whatever the server answers (no window, no waiting for acks), and every delivery's latency is
// measured from its message's *scheduled* send time: a server (or client) that stalls is charged for the
// whole stall, for every message scheduled during it — coordinated omission corrected.
import { randomBytes } from 'node:crypto';
import type { ServerProcess } from '../server-process.js';
import { Histogram, sleep } from '../stats.js';
import type { Target } from '../targets.js';
import type { WireSocket } from '../wire.js';
import { type Figures, sourceAddress, timed } from './common.js';

/** Receivers and senders joined to `general`; kept across runs, topped up when the server dropped some. */
export class Members {
  receivers: WireSocket[] = [];
  senders: WireSocket[] = [];
  /** performance.now() of the last frame any member got: the room is quiet when this stops moving. */
  lastFrameAt = 0;
  private readonly idle = () => {
    this.lastFrameAt = performance.now();
  };

  constructor(
    readonly target: Target,
    readonly receiverCount: number,
    readonly senderCount: number,
  ) {}

  async fill(): Promise<void> {
    this.receivers = await this.refill(this.receivers, this.receiverCount, 0);
    this.senders = await this.refill(this.senders, this.senderCount, this.receiverCount);
  }

  private async refill(list: WireSocket[], want: number, offset: number): Promise<WireSocket[]> {
    const open = list.filter((ws) => !ws.closed);
    const missing = want - open.length;
    for (let batch = 0; batch < missing; batch += 50) {
      const opened = await Promise.all(
        Array.from({ length: Math.min(50, missing - batch) }, async (_, i) => {
          const ws = await this.target.openChat(sourceAddress(offset + batch + i));
          await this.target.join(ws);
          ws.onFrame = this.idle;
          return ws;
        }),
      );
      open.push(...opened);
    }
    return open;
  }

  idleAll(): void {
    for (const ws of [...this.receivers, ...this.senders]) ws.onFrame = this.idle;
  }

  /**
   * Waits until no member has had a frame for `quietMs` (a previous run's backlog has drained), at most
   * `capMs`; false if the server is still sending then.
   */
  async quiet(quietMs = 300, capMs = 15_000): Promise<boolean> {
    const until = performance.now() + capMs;
    this.lastFrameAt = performance.now();
    while (performance.now() - this.lastFrameAt < quietMs) {
      if (performance.now() > until) return false;
      await sleep(50);
    }
    return true;
  }

  destroy(): void {
    for (const ws of [...this.receivers, ...this.senders]) ws.destroy();
  }

  async close(): Promise<void> {
    await Promise.all([...this.receivers, ...this.senders].map((ws) => ws.close()));
  }
}

export interface OpenLoopOptions {
  /** Messages per second offered in total (split round-robin over the senders). */
  rate: number;
  seconds: number;
  /** After the last scheduled send, how long stragglers may still arrive. */
  graceMs: number;
  /** Runs alongside the timetable (the login storm); awaited before the run ends. */
  during?: (endsAt: number) => Promise<Figures>;
}

/**
 * One open-loop run. Each body carries the run's tag and the message's index, so a receiver finds the
 * scheduled time with one search of the raw frame: no JSON parsing on the load generator's hot path.
 */
export async function openLoopRun(members: Members, server: ServerProcess, options: OpenLoopOptions): Promise<Figures> {
  await members.fill();
  await members.quiet();
  const { rate, seconds, graceMs } = options;
  const total = Math.max(1, Math.round(rate * seconds));
  const expected = total * members.receivers.length;
  const intervalMs = 1000 / rate;
  const tag = `${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x')}:`;
  const needle = Buffer.from(tag);
  const latency = new Histogram();
  let delivered = 0;
  let lastAt = 0;
  let t0 = 0;
  let cutoff = Infinity;
  const onFrame = (buf: Buffer, start: number, end: number, now: number) => {
    const at = buf.indexOf(needle, start);
    // Past the cutoff a delivery is late by definition: not counted as delivered (the run ends there).
    if (at < 0 || at >= end || now > cutoff) return;
    let n = 0;
    for (let j = at + needle.length, c = buf[j]!; c >= 48 && c <= 57; c = buf[++j]!) n = n * 10 + c - 48;
    latency.record(now - (t0 + n * intervalMs));
    delivered++;
    lastAt = now;
  };
  for (const ws of members.receivers) ws.onFrame = onFrame;
  const receiversAtStart = members.receivers.length;

  const run = async () => {
    t0 = performance.now();
    const endsAt = t0 + seconds * 1000;
    cutoff = endsAt + graceMs;
    const side = options.during?.(endsAt);
    await sendOnTimetable(members, total, intervalMs, tag, t0);
    while (delivered < expected && performance.now() < cutoff) await sleep(20);
    return (await side) ?? {};
  };
  const { value: sideFigures, serverCpu, loadgen, others } = await timed(server, run);
  members.idleAll();

  // Never-delivered messages are at least `graceMs` late (the last was scheduled that long before the cutoff):
  // counted so, percentiles past the delivered fraction are lower bounds rather than silently dropped.
  if (delivered < expected) latency.record(graceMs, expected - delivered);
  return {
    offered: rate * receiversAtStart,
    rate: delivered / (Math.max(lastAt - t0, seconds * 1000) / 1000),
    delivered: delivered / expected,
    p50Ms: latency.percentile(0.5),
    p99Ms: latency.percentile(0.99),
    cpuPerOp: serverCpu / Math.max(1, delivered),
    dropped: members.receivers.filter((ws) => ws.closed).length,
    loadgen,
    others,
    ...sideFigures,
  };
}

/** Sends message i at t0 + i·interval (late ticks catch up at once), round-robin over the senders. */
function sendOnTimetable(members: Members, total: number, intervalMs: number, tag: string, t0: number): Promise<void> {
  const senders = members.senders;
  const { target } = members;
  return new Promise((resolve) => {
    let next = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - t0) / intervalMs) + 1);
      for (; next < due; next++) {
        const body = `${tag}${next}; hello everyone, this is an open-loop benchmark message`;
        senders[next % senders.length]!.sendText(target.sendFrame(body, `${tag}${next}`));
      }
      if (next < total) setTimeout(tick, Math.max(0, t0 + next * intervalMs - performance.now()));
      else resolve();
    };
    tick();
  });
}
