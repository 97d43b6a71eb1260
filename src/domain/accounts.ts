// Who may log in, and the records of their logins: the vocabulary auth/ and the store engines share.

export interface User {
  username: string;
  /** Absent for an external identity (an OpenID provider vouches for it; it has no password here). */
  passwordHash?: string;
  /** The OpenID issuer of an external identity; absent for a local account. */
  issuer?: string;
  /** Scopes this user may be granted, e.g. ["chat:read", "chat:write"]. */
  scopes: string[];
  disabled: boolean;
  createdAt: number;
  /**
   * Every token issued before this instant (ms) is dead: set by disabling the user and by a password change, so
   * neither enabling the user again nor an old refresh token brings an old login back.
   */
  revokedBefore?: number;
  /** How the user is shown; absent: by the username. */
  displayName?: string;
}

export type NewUser = {
  username: string;
  scopes: string[];
  /** Public rooms the user starts as a member of (the ones that do not exist are skipped). */
  joins?: readonly string[];
  /** Scopes added when this is the first user of the server (decided in the same transaction as the insert). */
  firstUserScopes?: readonly string[];
  /** A --demo user: it exists for trying Parley out, so it never counts as the first user. */
  demo?: boolean;
} & ({ passwordHash: string } | { issuer: string });

/** Someone as the directory shows them. */
export interface Person {
  username: string;
  displayName?: string;
}

export interface RefreshToken {
  tokenHash: string;
  /** Every rotation of one login shares the family; reuse of a spent token kills the whole family. */
  family: string;
  username: string;
  scopes: string[];
  expiresAt: number;
  /** When it was issued (ms); tokens issued before the user's `revokedBefore` are refused. */
  createdAt?: number;
}

export type RefreshUse =
  | { status: 'ok'; token: RefreshToken }
  /** Already spent: someone replayed it (RFC 6749 §10.4). The caller revokes the family. */
  | { status: 'reused'; token: RefreshToken; usedAt: number }
  | { status: 'unknown' | 'expired' | 'revoked' };

/**
 * What the feed carries: a token, a login (family) or a user revoked — their live sockets close — or `standing`:
 * a user's account changed (enabled again, a new password) and every node must read it again.
 */
export type RevocationKind = 'token' | 'family' | 'user' | 'standing';

export interface Revocation {
  id: number;
  kind: RevocationKind;
  value: string;
  /** After this the revoked thing would be dead anyway. */
  expiresAt: number;
}

export class UsernameTakenError extends Error {
  override name = 'UsernameTakenError';
}
