// A budget of attempts per key per window, behind a small port: in-process by default, and shared by every
// node through Redis when there are several (a budget each node counted alone would be multiplied by the nodes).
// Windows start at a key's first attempt and last `windowMs`: an attacker cannot double a budget by straddling
// a clock-aligned boundary.

export interface Verdict {
  allowed: boolean;
  /** Attempts counted in this window, this one included. */
  count: number;
  /** When the window ends (ms from now): the Retry-After of a refusal. */
  resetInMs: number;
}

export interface RateLimiter {
  /** Counts one attempt against `key` and says whether it is within `limit` attempts per `windowMs`. */
  hit(key: string, limit: number, windowMs: number): Promise<Verdict>;
  close(): Promise<void>;
}

/** One process's budgets: right for a single node (the default, SQLite and no Redis). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  /** The map is swept of ended windows when it grows past this; keys are made by clients, so it must not grow forever. */
  private sweepAt = 1024;

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, limit: number, windowMs: number): Promise<Verdict> {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, window);
      if (this.windows.size > this.sweepAt) this.sweep(now);
    }
    window.count++;
    return { allowed: window.count <= limit, count: window.count, resetInMs: window.endsAt - now };
  }

  async close(): Promise<void> {
    this.windows.clear();
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
    this.sweepAt = Math.max(1024, this.windows.size * 2);
  }
}
