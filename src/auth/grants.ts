// What the password grant and the login page share: choosing the scopes to grant, and the rate-limit key.
import { ParleyError } from 'parley-chat-protocol';
import type { User } from '../domain/accounts.js';
import { normalizeUsername } from './accounts.js';
import { DEFAULT_SCOPES, SCOPES } from './principal.js';

/** A `scope` parameter (RFC 6749 §3.3: space-delimited) as distinct names; undefined when none was asked for. */
export function parseScope(requested: string | undefined): string[] | undefined {
  const trimmed = requested?.trim();
  return trimmed ? [...new Set(trimmed.split(/ +/))] : undefined;
}

/** The rate-limit key for password attempts: one address trying one username. */
export function loginAttemptKey(ip: string, username: string): string {
  return `${ip}|${normalizeUsername(username)}`;
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
