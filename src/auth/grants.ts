// What the password grant and the login page share: checking a password and choosing the scopes to grant.
import type { Store, User } from '../store/store.js';
import { normalizeUsername } from './accounts.js';
import { verifyPassword } from './passwords.js';
import { DEFAULT_SCOPES, SCOPES } from './principal.js';

/** The user, or undefined for unknown user, wrong password and disabled account alike (no enumeration). */
export async function checkPassword(store: Store, username: string, password: string): Promise<User | undefined> {
  const user = await store.findUser(normalizeUsername(username));
  const matches = await verifyPassword(user?.passwordHash, password);
  return matches && user && !user.disabled ? user : undefined;
}

/** A `scope` parameter (RFC 6749 §3.3: space-delimited) as distinct names; undefined when none was asked for. */
export function parseScope(requested: string | undefined): string[] | undefined {
  const trimmed = requested?.trim();
  return trimmed ? [...new Set(trimmed.split(/ +/))] : undefined;
}

/** The rate-limit key for password attempts: one address trying one username. */
export function loginAttemptKey(ip: string, username: string): string {
  return `${ip}|${normalizeUsername(username)}`;
}

export type ScopeChoice = { ok: true; scopes: string[] } | { ok: false; description: string };

/**
 * RFC 6749 §3.3: no scope asked → the defaults the user holds (admin only when asked for);
 * any scope asked that is unknown or not the user's → invalid_scope.
 */
export function chooseScopes(user: User, requested: string | undefined): ScopeChoice {
  const asked = parseScope(requested);
  if (!asked) return { ok: true, scopes: DEFAULT_SCOPES.filter((s) => user.scopes.includes(s)) };
  const unknown = asked.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) return { ok: false, description: `unknown scope: ${unknown.join(' ')}` };
  const refused = asked.filter((s) => !user.scopes.includes(s));
  if (refused.length > 0) return { ok: false, description: `scope not granted to this user: ${refused.join(' ')}` };
  return { ok: true, scopes: asked };
}
