// Who may try how often. Password and refresh-token guesses are budgeted three ways: per username (every
// address, every endpoint that checks a password — /token, /login, /register, password changes — together),
// per presented refresh token (by its hash: garbage refreshes from one address cannot lock out someone else's
// valid one), and per client address (larger: a NAT shares it). With Redis the budgets span every node.
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { RetryLater } from '../http/errors.js';
import type { RateLimiter, Verdict } from '../limits/rate-limiter.js';
import { normalizeUsername } from './accounts.js';

export interface AttemptSettings {
  /** Attempts per window for one username, and for one refresh token. */
  perSubject: number;
  /** Requests per window from one address. */
  perAddress: number;
  windowMs: number;
}

/** What an attempt is about, beyond the address it comes from. */
export type Subject = { username: string } | { refreshToken: string } | undefined;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class AttemptBudgets {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: AttemptSettings,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Counts the attempt; throws RetryLater (429, or 503 when the shared counters cannot be reached). */
  async spend(request: FastifyRequest, subject: Subject): Promise<void> {
    const { perAddress, perSubject } = this.settings;
    await this.count(`addr:${request.ip}`, perAddress, 'from your address');
    if (!subject) return;
    if ('username' in subject) {
      // Usernames are short, but /token takes whatever is sent: a long one is hashed so keys stay small.
      const name = normalizeUsername(subject.username);
      await this.count(`user:${name.length <= 64 ? name : sha256(name)}`, perSubject, 'for this username');
    } else {
      await this.count(`refresh:${sha256(subject.refreshToken)}`, perSubject, 'with this refresh token');
    }
  }

  private async count(key: string, limit: number, scope: string): Promise<void> {
    let verdict: Verdict;
    try {
      verdict = await this.limiter.hit(key, limit, this.settings.windowMs);
    } catch (error) {
      // Failing open would hand out unlimited guesses while Redis is away; failing closed costs a retry.
      this.log.warn({ err: error }, 'rate limiter unreachable');
      throw new RetryLater('unavailable', 'attempts cannot be counted right now (the rate limiter is unreachable); try again shortly', 5);
    }
    if (!verdict.allowed) {
      const seconds = Math.max(1, Math.ceil(verdict.resetInMs / 1000));
      throw new RetryLater('too_many_requests', `too many attempts ${scope}; try again in ${seconds} seconds`, seconds);
    }
  }
}
