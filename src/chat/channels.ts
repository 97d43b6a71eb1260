// Bus subscriptions a node holds while something here listens: one per channel (a room with members here, a user
// with sockets here), released with the last listener. What both hubs need from the bus lives here once:
// - a subscription that fails (the bus is down) is retried with backoff until it holds, never remembered as
//   failed, and tried again at once when the bus comes back;
// - a holder waits for its subscription only so long (the store, or the next event, covers the rest).
import type { Bus, Unsubscribe } from '../bus/bus.js';

interface Held {
  unsubscribe?: Unsubscribe;
}

export class Channels {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly bus: Bus,
    /** Every payload on any held channel. */
    private readonly receive: (payload: string) => void,
    private readonly log: { warn(details: object, message: string): void },
  ) {
    bus.onReconnect(() => {
      for (const [channel, entry] of this.held) if (!entry.unsubscribe) void this.subscribe(channel, entry);
    });
  }

  /** Subscribes until `release`; resolves once subscribed, or after `waitMs` (it keeps trying meanwhile). */
  async hold(channel: string, waitMs: number): Promise<void> {
    const entry: Held = {};
    this.held.set(channel, entry);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([this.subscribe(channel, entry), waited]);
    clearTimeout(timer);
  }

  release(channel: string): void {
    const entry = this.held.get(channel);
    if (!entry) return;
    this.held.delete(channel);
    entry.unsubscribe?.();
  }

  releaseAll(): void {
    for (const channel of [...this.held.keys()]) this.release(channel);
  }

  private async subscribe(channel: string, entry: Held, delayMs = 250): Promise<void> {
    try {
      // A handler of its own: buses keep handlers in a set, and an old subscription's release must not take this one's.
      const unsubscribe = await this.bus.subscribe(channel, (payload) => this.receive(payload));
      if (this.held.get(channel) === entry) entry.unsubscribe = unsubscribe;
      else unsubscribe();
    } catch (error) {
      this.log.warn({ err: error, channel }, 'bus subscription failed; retrying');
      if (this.held.get(channel) !== entry) return;
      await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      if (this.held.get(channel) === entry && !entry.unsubscribe) return this.subscribe(channel, entry, Math.min(delayMs * 2, 5000));
    }
  }
}
