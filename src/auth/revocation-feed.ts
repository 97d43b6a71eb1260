// Every node tails the store's revocation feed, so a revocation made anywhere — another node, or the CLI
// disabling a user — drops the matching live sockets here within one poll interval. A read that fails is
// logged and tried again at the next poll; if none has succeeded for `staleAfterMs`, the node is not ready
// (revoked sockets could be staying open).
import type { Revocation } from '../domain/accounts.js';
import type { TokenStore } from './ports.js';

const PRUNE_EVERY_MS = 10 * 60 * 1000;

export interface FeedSettings {
  pollMs: number;
  staleAfterMs: number;
  log: { warn(details: object, message: string): void };
}

export class RevocationFeed {
  private lastId = 0;
  private lastReadAt = Date.now();
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> = Promise.resolve();
  private readonly listeners: ((revocation: Revocation) => void)[] = [];

  constructor(
    private readonly store: Pick<TokenStore, 'revocationsAfter' | 'lastRevocationId' | 'prune'>,
    private readonly settings: FeedSettings,
  ) {}

  on(listener: (revocation: Revocation) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    this.lastId = await this.store.lastRevocationId();
    this.lastReadAt = Date.now();
    this.timers.push(setInterval(() => void this.poke(), this.settings.pollMs).unref());
    this.timers.push(
      setInterval(() => {
        this.store.prune(Date.now()).catch((error: unknown) => this.settings.log.warn({ err: error }, 'pruning expired tokens failed'));
      }, PRUNE_EVERY_MS).unref(),
    );
  }

  /** Whether the feed has been read recently enough that revocations still reach this node's sockets. */
  get current(): boolean {
    return Date.now() - this.lastReadAt < this.settings.staleAfterMs;
  }

  /** Reads the feed now (polls never overlap). */
  poke(): Promise<void> {
    this.running = this.running.then(
      () => this.read(),
      () => this.read(),
    );
    return this.running.catch((error: unknown) => this.settings.log.warn({ err: error }, 'reading the revocation feed failed; retrying'));
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.running.catch(() => undefined);
  }

  private async read(): Promise<void> {
    const revocations = await this.store.revocationsAfter(this.lastId);
    this.lastReadAt = Date.now();
    for (const revocation of revocations) {
      this.lastId = revocation.id;
      for (const listener of this.listeners) listener(revocation);
    }
  }
}
