// Turns presented credentials into one Principal: the token's signature and claims (Parley's own key, or the
// OpenID provider's JWKS), then its standing now — not revoked, user present and enabled. Refusals are thrown
// as AuthFailure.
import type { AccountService } from './accounts.js';
import type { Presented } from './credentials.js';
import type { ExternalIssuer } from './external-issuer.js';
import { AuthFailures, ifRefused, invalidToken } from './failures.js';
import type { Principal } from './principal.js';
import type { Standing } from './standing.js';
import type { TicketService } from './tickets.js';
import { InvalidTokenError, type TokenService } from './tokens.js';

export interface AuthenticatorParts {
  tokens: TokenService;
  /** Revocations in force and accounts, from memory (kept current by the revocation feed). */
  standing: Pick<Standing, 'isRevoked' | 'user'>;
  tickets: TicketService;
  accountService: AccountService;
  external?: ExternalIssuer | undefined;
}

export class Authenticator {
  constructor(private readonly parts: AuthenticatorParts) {}

  /**
   * The first credential by precedence decides, and must be valid. Any other that is valid too must name the
   * same user (400 otherwise); an invalid lower one is ignored — a browser sends a stale cookie unasked.
   */
  async authenticate(presented: readonly Presented[]): Promise<Principal> {
    const [first, ...rest] = presented;
    if (!first) throw AuthFailures.missing;
    const principal = await this.check(first);
    for (const other of rest) {
      const also = await this.check(other).catch(ifRefused(undefined));
      if (also && also.username !== principal.username) throw AuthFailures.conflict;
    }
    return principal;
  }

  /** A bearer token on its own (in-band refresh, the chat page's cookie, revocation). */
  async verify(token: string): Promise<Principal> {
    const { external, tokens } = this.parts;
    let principal: Principal;
    try {
      principal = external?.claims(token) ? await this.verifyExternal(external, token) : await tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw invalidToken(error.message);
      throw error;
    }
    return this.standing(principal);
  }

  private async check(presented: Presented): Promise<Principal> {
    if (presented.kind === 'token') return this.verify(presented.token);
    const principal = await this.parts.tickets.redeem(presented.ticket);
    if (!principal) throw invalidToken('the ticket is unknown, used or expired');
    if (principal.expiresAt <= Date.now()) throw invalidToken('the access token expired');
    return this.standing(principal);
  }

  private async standing(principal: Principal): Promise<Principal> {
    if (this.parts.standing.isRevoked(principal.tokenId, principal.family)) throw invalidToken('the token was revoked');
    const user = await this.parts.standing.user(principal.username);
    if (!user || user.disabled) throw invalidToken('the account is disabled or gone');
    // Disabling the user or changing the password ended every login before it. A provider's `iat` has whole
    // seconds, so its token from the same second as the cutoff is refused too (the safe side); one without
    // `iat` cannot show it is newer.
    if (user.revokedBefore !== undefined && (principal.issuedAt ?? 0) < user.revokedBefore) {
      throw invalidToken("the token was issued before the account's sessions were ended (password change or disable)");
    }
    return principal;
  }

  /** An external identity maps to a local user, created on first use. */
  private async verifyExternal(external: ExternalIssuer, token: string): Promise<Principal> {
    const identity = await external.verify(token);
    const user = await this.parts.accountService.external(identity.username, identity.issuer);
    return {
      username: identity.username,
      scopes: identity.scopes.filter((s) => user.scopes.includes(s)),
      expiresAt: identity.expiresAt,
      ...(identity.issuedAt !== undefined ? { issuedAt: identity.issuedAt } : {}),
      tokenId: identity.tokenId,
      issuer: 'oidc',
    };
  }
}
