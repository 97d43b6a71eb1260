// argon2id through @node-rs/argon2, behind a bounded queue. Each hash costs ~10 ms of a core and 19 MiB, and an
// unknown username costs one too (the decoy, so that timing does not tell which users exist): without a bound,
// a storm of sign-ins with random names takes every core and chat stalls. At most `concurrency` hashes run at once
// (on threads of their own at the lowest CPU priority, never the event loop: hash-threads.ts), at most `maxWaiting`
// wait, and beyond that a sign-in is refused at once with 503 `unavailable` and Retry-After — a refused sign-in
// costs nothing.
import { hash } from '@node-rs/argon2';
import { RetryLater } from '../http/errors.js';
import { HashThreads } from './hash-threads.js';

// OWASP's argon2id baseline (19 MiB, t=2, p=1).
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export interface HasherOptions {
  /** Hashes computed at once. */
  concurrency: number;
  /** Hashes that may wait for a free slot; beyond, refused. */
  maxWaiting: number;
  /** Told of each refusal (for metrics). */
  onRefused?(): void;
}

/** One hash outside any queue: for tools that make accounts offline (tests, seeding), never for a request. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

const UNBOUNDED: HasherOptions = { concurrency: 4, maxWaiting: Infinity };

export class PasswordHasher {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** A real hash of a password nobody has, verified when the user is unknown so both paths cost the same. */
  private decoy: Promise<string> | undefined;
  /** Recent time per hash (ms), to tell a refused client when to come back. */
  private averageMs = 20;

  private readonly threads: HashThreads;

  constructor(private readonly options: HasherOptions = UNBOUNDED) {
    this.threads = new HashThreads(options.concurrency, OPTIONS);
  }

  hash(password: string): Promise<string> {
    return this.queued(() => this.threads.hash(password));
  }

  /** Stops the hashing threads. */
  close(): Promise<void> {
    return this.threads.close();
  }

  /** Verifies `password` against `passwordHash`, or burns the same time against the decoy when there is no user. */
  verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    return this.queued(async () => {
      if (passwordHash !== undefined) return this.threads.verify(passwordHash, password).catch(() => false);
      // Made inside a slot (once): a failed attempt is made again by the next unknown user.
      this.decoy ??= this.threads.hash(`decoy-${Math.random()}`).catch((error: unknown) => {
        this.decoy = undefined;
        throw error;
      });
      await this.threads.verify(await this.decoy, password).catch(() => false);
      return false;
    });
  }

  /** Hashes running and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private async queued<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.concurrency) {
      if (this.waiting.length >= this.options.maxWaiting) {
        this.options.onRefused?.();
        const seconds = Math.max(1, Math.ceil(((this.waiting.length + this.running) * this.averageMs) / this.options.concurrency / 1000));
        throw new RetryLater('unavailable', 'the server is busy checking other passwords; try again in a moment', seconds);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    const started = performance.now();
    try {
      return await task();
    } finally {
      this.averageMs = this.averageMs * 0.9 + (performance.now() - started) * 0.1;
      // The slot passes straight to the next waiter, so `running` counts it throughout.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
