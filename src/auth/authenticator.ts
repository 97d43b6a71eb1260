// Turns presented credentials into one Principal: the token's signature and claims (Parley's own key, or the
// OpenID provider's JWKS), then its standing now — not revoked, user present and enabled.
import { type Store, UsernameTakenError } from '../store/store.js';
import type { Extraction, Presented } from './credentials.js';
import type { ExternalIssuer } from './external-issuer.js';
import { type AuthFailure, AuthFailures, invalidToken } from './failures.js';
import { DEFAULT_SCOPES, type Principal } from './principal.js';
import type { TicketService } from './tickets.js';
import { InvalidTokenError, type TokenService } from './tokens.js';

export type AuthResult = { ok: true; principal: Principal } | { ok: false; failure: AuthFailure };

/** Marks accounts that exist because an external provider vouched for them: they have no password. */
export const EXTERNAL_ACCOUNT = '!external';

export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly store: Store,
    private readonly tickets: TicketService,
    private readonly external?: ExternalIssuer,
  ) {}

  /**
   * The first credential by precedence decides, and must be valid. Any other that is valid too must name the
   * same user (400 otherwise); an invalid lower one is ignored — a browser sends a stale cookie unasked.
   */
  async authenticate(extraction: Extraction): Promise<AuthResult> {
    if (!extraction.ok) return { ok: false, failure: extraction.problem === 'wrong-scheme' ? AuthFailures.wrongScheme : AuthFailures.malformed };
    const [first, ...rest] = extraction.presented;
    if (!first) return { ok: false, failure: AuthFailures.missing };
    const result = await this.check(first);
    if (!result.ok) return result;
    for (const other of rest) {
      const also = await this.check(other);
      if (also.ok && also.principal.username !== result.principal.username) return { ok: false, failure: AuthFailures.conflict };
    }
    return result;
  }

  /** A bearer token on its own (in-band refresh, the chat page's cookie). */
  async verify(token: string): Promise<AuthResult> {
    let principal: Principal;
    try {
      principal = this.external?.claims(token) ? await this.verifyExternal(token) : await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) return { ok: false, failure: invalidToken(error.message) };
      throw error;
    }
    return this.standing(principal);
  }

  private async check(presented: Presented): Promise<AuthResult> {
    if (presented.kind === 'token') return this.verify(presented.token);
    const principal = await this.tickets.redeem(presented.ticket);
    if (!principal) return { ok: false, failure: invalidToken('the ticket is unknown, used or expired') };
    if (principal.expiresAt <= Date.now()) return { ok: false, failure: invalidToken('the access token expired') };
    return this.standing(principal);
  }

  private async standing(principal: Principal): Promise<AuthResult> {
    const [user, revoked] = await Promise.all([
      this.store.findUser(principal.username),
      this.store.isRevoked(principal.tokenId, principal.family),
    ]);
    if (revoked) return { ok: false, failure: invalidToken('the token was revoked') };
    if (!user || user.disabled) return { ok: false, failure: invalidToken('the account is disabled or gone') };
    return { ok: true, principal };
  }

  /** An external identity maps to a local user, created on first use; it may never take over a local account. */
  private async verifyExternal(token: string): Promise<Principal> {
    const identity = await this.external!.verify(token);
    let user = await this.store.findUser(identity.username);
    if (!user) {
      try {
        user = await this.store.createUser({ username: identity.username, passwordHash: EXTERNAL_ACCOUNT, scopes: DEFAULT_SCOPES });
      } catch (error) {
        if (!(error instanceof UsernameTakenError)) throw error;
        user = await this.store.findUser(identity.username);
      }
    }
    if (!user || user.passwordHash !== EXTERNAL_ACCOUNT) throw new InvalidTokenError('that username belongs to a local account');
    return {
      username: identity.username,
      scopes: identity.scopes.filter((s) => user.scopes.includes(s)),
      expiresAt: identity.expiresAt,
      tokenId: identity.tokenId,
      issuer: 'oidc',
    };
  }
}
