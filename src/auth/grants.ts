// What the token endpoint, the login page and the profile route share: choosing the scopes to grant, and the
// RFC 6749 §5.1 answer.
import { ParleyError, type TokenResponse } from 'parley-chat-protocol';
import type { User } from '../domain/accounts.js';
import { DEFAULT_SCOPES, SCOPES } from './principal.js';
import type { Grant } from './sessions.js';

/** A `scope` parameter (RFC 6749 §3.3: space-delimited) as distinct names; undefined when none was asked for. */
export function parseScope(requested: string | undefined): string[] | undefined {
  const trimmed = requested?.trim();
  return trimmed ? [...new Set(trimmed.split(/ +/))] : undefined;
}

/**
 * RFC 6749 §3.3: no scope asked → the defaults the user holds (admin only when asked for);
 * any scope asked that is unknown or not the user's → invalid_scope.
 */
export function chooseScopes(user: User, requested: string | undefined): string[] {
  const asked = parseScope(requested);
  if (!asked) return DEFAULT_SCOPES.filter((s) => user.scopes.includes(s));
  const unknown = asked.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new ParleyError('invalid_scope', `unknown scope: ${unknown.join(' ')}`);
  const refused = asked.filter((s) => !user.scopes.includes(s));
  if (refused.length > 0) throw new ParleyError('invalid_scope', `scope not granted to this user: ${refused.join(' ')}`);
  return asked;
}

/**
 * A browser login (the page's cookie session): the defaults the user holds, and `admin` for a user who holds it —
 * the admin page calls the admin API with that cookie. Nothing the user does not hold is ever granted.
 */
export function pageScopes(user: User): string[] {
  return SCOPES.filter((s) => user.scopes.includes(s) && (DEFAULT_SCOPES.includes(s) || s === 'admin'));
}

export function tokenResponse(grant: Grant): TokenResponse {
  return {
    access_token: grant.access.token,
    token_type: 'bearer',
    expires_in: grant.access.expiresIn,
    refresh_token: grant.refreshToken,
    scope: grant.access.principal.scopes.join(' '),
  };
}
