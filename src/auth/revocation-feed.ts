// Every node tails the store's revocation feed, so a revocation made anywhere — another node, or the CLI
// disabling a user — drops the matching live sockets here within one poll interval.
import type { Revocation, Store } from '../store/store.js';

const PRUNE_EVERY_MS = 10 * 60 * 1000;

export class RevocationFeed {
  private lastId = 0;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> = Promise.resolve();
  private readonly listeners: ((revocation: Revocation) => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly pollMs = 500,
  ) {}

  on(listener: (revocation: Revocation) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    this.lastId = await this.store.lastRevocationId();
    this.timers.push(setInterval(() => this.poke(), this.pollMs).unref());
    this.timers.push(setInterval(() => void this.store.prune(Date.now()).catch(() => {}), PRUNE_EVERY_MS).unref());
  }

  /** Reads the feed now (polls never overlap). */
  poke(): Promise<void> {
    this.running = this.running.then(() => this.read()).catch(() => {});
    return this.running;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.running;
  }

  private async read(): Promise<void> {
    for (const revocation of await this.store.revocationsAfter(this.lastId)) {
      this.lastId = revocation.id;
      for (const listener of this.listeners) listener(revocation);
    }
  }
}
