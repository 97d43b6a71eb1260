// The session life of a token: a login starts a refresh-token family; each refresh spends one token and
// issues the next (rotation); a spent token presented again means it was stolen, so the family dies
// (RFC 6749 §10.4, OAuth 2.0 Security BCP §4.14). Revocations go to the store's feed, which drops live sockets.
import { randomUUID } from 'node:crypto';
import { ParleyError } from 'parley-chat-protocol';
import { parseScope } from './grants.js';
import type { AccountStore, TokenStore } from './ports.js';
import type { Principal } from './principal.js';
import { newSecret, secretHash } from './secrets.js';
import type { IssuedToken, TokenService } from './tokens.js';

export interface Grant {
  access: IssuedToken;
  refreshToken: string;
  refreshExpiresIn: number;
}

export interface SessionSettings {
  refreshTtlSeconds: number;
  /** How long after a rotation a second use of the spent token counts as a race, not a theft. */
  reuseGraceMs: number;
}

export class TokenSessions {
  constructor(
    private readonly store: Pick<TokenStore, 'saveRefreshToken' | 'findRefreshToken' | 'useRefreshToken' | 'revoke' | 'liveFamilies'>,
    private readonly accounts: Pick<AccountStore, 'find'>,
    private readonly tokens: TokenService,
    private readonly settings: SessionSettings,
    /** Called after every revocation so this node acts on it at once, not at the next poll. */
    private readonly revoked: () => void,
  ) {}

  /** A fresh login: a new family. `notBefore`: the user's `revokedBefore`, which its tokens must not predate. */
  start(username: string, scopes: string[], notBefore?: number): Promise<Grant> {
    return this.issue(username, scopes, randomUUID(), notBefore);
  }

  /** The refresh_token grant; throws invalid_grant or invalid_scope (RFC 6749 §5.2). */
  async rotate(refreshToken: string, requestedScope: string | undefined): Promise<Grant> {
    const use = await this.store.useRefreshToken(secretHash(refreshToken), Date.now());
    switch (use.status) {
      case 'unknown':
      case 'expired':
      case 'revoked':
        throw new ParleyError('invalid_grant', `the refresh token is ${use.status === 'unknown' ? 'invalid' : use.status}`);
      case 'reused':
        // Two tabs or retries racing with one token look like this for a moment; they get nothing, but the
        // login lives. Later, a spent token can only be a copy: the whole family dies.
        if (Date.now() - use.usedAt < this.settings.reuseGraceMs) {
          throw new ParleyError('invalid_grant', 'the refresh token was just used; use the one that replaced it');
        }
        await this.revokeFamily(use.token.family);
        throw new ParleyError('invalid_grant', 'the refresh token was already used; every token of this login is now revoked');
    }
    const { token } = use;
    const user = await this.accounts.find(token.username);
    if (!user || user.disabled) throw new ParleyError('invalid_grant', 'the account is disabled or gone');
    if (user.revokedBefore !== undefined && (token.createdAt ?? 0) < user.revokedBefore) {
      throw new ParleyError('invalid_grant', "the refresh token was issued before the account's sessions were ended (password change or disable)");
    }
    let scopes = token.scopes;
    const asked = parseScope(requestedScope);
    if (asked) {
      // RFC 6749 §6: a refresh may narrow the scope, never widen it.
      const wider = asked.filter((s) => !token.scopes.includes(s));
      if (wider.length > 0) throw new ParleyError('invalid_scope', `scope not in the original grant: ${wider.join(' ')}`);
      scopes = asked;
    }
    return this.issue(token.username, scopes, token.family);
  }

  /** RFC 7009 for a refresh token: its whole family goes. Unknown tokens are ignored, as the RFC says. */
  async revokeRefreshToken(refreshToken: string): Promise<void> {
    const token = await this.store.findRefreshToken(secretHash(refreshToken));
    if (token) await this.revokeFamily(token.family);
  }

  /** The login a refresh token belongs to (spent or not), if it is one of ours. */
  async familyOf(refreshToken: string): Promise<string | undefined> {
    return (await this.store.findRefreshToken(secretHash(refreshToken)))?.family;
  }

  /** An access token: its jti is refused until it would have expired anyway. */
  async revokeAccess(principal: Principal): Promise<void> {
    await this.store.revoke('token', principal.tokenId, principal.expiresAt);
    this.revoked();
  }

  /** A whole login: its refresh tokens and every access token issued from them. */
  async revokeFamily(family: string): Promise<void> {
    // The family's refresh tokens live at most refreshTtl; its access tokens less.
    await this.store.revoke('family', family, Date.now() + this.settings.refreshTtlSeconds * 1000);
    this.revoked();
  }

  /**
   * After a password change: every other login of the user dies (their sockets close, 4403), and the caller's
   * login goes on with a new pair issued after `cutoff` (its old tokens died with the cutoff).
   */
  async keepOnly(username: string, scopes: string[], family: string, cutoff: number): Promise<Grant> {
    for (const other of await this.store.liveFamilies(username, Date.now())) if (other !== family) await this.revokeFamily(other);
    return this.issue(username, scopes, family, cutoff);
  }

  private async issue(username: string, scopes: string[], family: string, notBefore = 0): Promise<Grant> {
    // A cutoff is at most a millisecond ahead: what is issued now must not count as issued before it.
    while (Date.now() < notBefore) await new Promise((resolve) => setTimeout(resolve, 1));
    const refreshToken = newSecret();
    const refreshTtl = this.settings.refreshTtlSeconds;
    const now = Date.now();
    await this.store.saveRefreshToken({
      tokenHash: secretHash(refreshToken),
      family,
      username,
      scopes,
      expiresAt: now + refreshTtl * 1000,
      createdAt: now,
    });
    return { access: await this.tokens.issue(username, scopes, family), refreshToken, refreshExpiresIn: refreshTtl };
  }
}
