/** Who is on the other end, resolved once by the upgrade gate or the HTTP bearer hook and trusted after. */
export interface Principal {
  username: string;
  scopes: string[];
  /** Access-token expiry, milliseconds since the epoch. */
  expiresAt: number;
  /** When the token was issued (ms; a provider's token has second precision), against the user's `revokedBefore`. */
  issuedAt?: number;
  /** The token's `jti`, for revocation. */
  tokenId: string;
  /** The login this token descends from (refresh-token family); revoking it drops every socket of that login. */
  family?: string;
  /** Who issued the token: Parley itself, or the configured OpenID provider. */
  issuer: 'parley' | 'oidc';
}

export const SCOPES = ['chat:read', 'chat:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
/** What a new user may be granted, and what /token grants when no scope is asked for. */
export const DEFAULT_SCOPES: Scope[] = ['chat:read', 'chat:write'];
