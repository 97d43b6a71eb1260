// Budgets of the form "N per key per window" (rooms created per user per hour). `Quota` is the shape a
// cluster-wide limiter (Redis, shared by every node) can take later; `LocalQuota` counts in this process, so with
// several nodes each grants its own N.
export type QuotaAnswer = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface Quota {
  /** Spends one unit of `key`'s budget if any is left. */
  take(key: string): Promise<QuotaAnswer>;
}

/** Fixed windows per key; windows that have ended are swept once a window. */
export class LocalQuota implements Quota {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  private nextSweep = 0;

  constructor(
    readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async take(key: string): Promise<QuotaAnswer> {
    const now = Date.now();
    if (now >= this.nextSweep) this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now >= window.endsAt) this.windows.set(key, (window = { count: 0, endsAt: now + this.windowMs }));
    if (window.count >= this.limit) return { allowed: false, retryAfterSeconds: Math.ceil((window.endsAt - now) / 1000) };
    window.count++;
    return { allowed: true };
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (now >= window.endsAt) this.windows.delete(key);
    this.nextSweep = now + this.windowMs;
  }
}
