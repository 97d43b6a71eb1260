// A token's standing, answered from memory so a handshake costs no database round trip: the revocations in force
// (loaded once, then kept current by the revocation feed every node tails) and each user's account, cached for a
// few seconds and dropped the moment the feed says the account changed (disabled, enabled, new password).
// A revocation made on another node reaches this one within the feed's poll (500 ms) — and its live sockets are
// closed then as well; one made on this node counts at once (the feed is poked).
import type { Revocation, User } from '../domain/accounts.js';
import type { AccountStore, TokenStore } from './ports.js';

/** Accounts kept at most this many; the oldest go first. */
const MAX_USERS = 10_000;

export class Standing {
  /** Revoked token ids and families, with when each would have died anyway. */
  private readonly revoked = new Map<string, number>();
  private readonly users = new Map<string, { user: User | undefined; until: number }>();

  constructor(
    private readonly accounts: Pick<AccountStore, 'find'>,
    private readonly tokens: Pick<TokenStore, 'activeRevocations'>,
    /** How long an account read from the store is trusted without news from the feed. */
    private readonly userTtlMs: number,
  ) {}

  /** Loads the revocations in force; start the feed first, so nothing falls between the two. */
  async load(): Promise<void> {
    for (const revocation of await this.tokens.activeRevocations(Date.now())) this.apply(revocation);
  }

  /** The feed's news. */
  apply(revocation: Revocation): void {
    switch (revocation.kind) {
      case 'token':
      case 'family':
        this.revoked.set(key(revocation.kind, revocation.value), revocation.expiresAt);
        return;
      case 'user':
      case 'standing':
        this.users.delete(revocation.value);
    }
  }

  isRevoked(tokenId: string, family: string | undefined): boolean {
    const now = Date.now();
    return this.active(key('token', tokenId), now) || (family !== undefined && this.active(key('family', family), now));
  }

  async user(username: string): Promise<User | undefined> {
    const now = Date.now();
    const cached = this.users.get(username);
    if (cached && cached.until > now) return cached.user;
    const user = await this.accounts.find(username);
    // Only accounts in good standing are kept: one refused is read again next time, so enabling it counts at once.
    if (!user || user.disabled) return user;
    if (this.users.size >= MAX_USERS) this.users.delete(this.users.keys().next().value!);
    this.users.set(username, { user, until: now + this.userTtlMs });
    return user;
  }

  private active(id: string, now: number): boolean {
    const until = this.revoked.get(id);
    if (until === undefined) return false;
    // Past its expiry the revoked thing is dead anyway: forget it.
    if (until <= now) this.revoked.delete(id);
    return until > now;
  }
}

const key = (kind: string, value: string) => `${kind}:${value}`;
