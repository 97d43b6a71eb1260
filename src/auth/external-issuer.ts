// Access tokens from a third-party OpenID provider (Keycloak, Auth0, Entra ID …), verified against its JWKS.
// jose caches the key set and refetches it when a token names an unknown `kid`: that is how key rotation
// reaches us, at most once per cooldown so forged kids cannot make us hammer the provider.
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, type JWTPayload, jwtVerify } from 'jose';
import type { Config } from '../config.js';
import { DEFAULT_SCOPES, SCOPES } from './principal.js';
import { InvalidTokenError } from './tokens.js';

/** Asymmetric algorithms only: a provider's public key must never be usable as an HMAC secret. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

export const EXTERNAL_USERNAME = /^[A-Za-z0-9_.@+-]{1,64}$/;

export interface ExternalIdentity {
  username: string;
  /** The provider's issuer URL. */
  issuer: string;
  /** The Parley scopes the token carries; the defaults when it carries none (openid, profile …). */
  scopes: string[];
  expiresAt: number;
  /** ms, from `iat` (whole seconds, usually); absent when the provider sets none. */
  issuedAt?: number;
  tokenId: string;
}

export class ExternalIssuer {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: NonNullable<Config['oidc']>) {
    this.keys = createRemoteJWKSet(new URL(settings.jwksUrl), { cooldownDuration: settings.jwksCooldownMs, timeoutDuration: 5000 });
  }

  /** Whether this token claims to come from the provider (unverified: it only picks the verifier). */
  claims(token: string): boolean {
    try {
      return decodeJwt(token).iss === this.settings.issuer;
    } catch {
      return false;
    }
  }

  async verify(token: string): Promise<ExternalIdentity> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: ALGORITHMS,
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new InvalidTokenError(code === 'ERR_JWT_EXPIRED' ? 'the access token expired' : 'the access token is invalid');
    }
    const username = this.settings.usernameClaims.map((claim) => payload[claim]).find((v) => typeof v === 'string');
    if (typeof username !== 'string' || !EXTERNAL_USERNAME.test(username)) {
      throw new InvalidTokenError('the token names no usable username');
    }
    const asked = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    const scopes = asked.filter((s) => (SCOPES as readonly string[]).includes(s));
    return {
      username,
      issuer: this.settings.issuer,
      scopes: scopes.length > 0 ? scopes : [...DEFAULT_SCOPES],
      expiresAt: payload.exp! * 1000,
      ...(typeof payload.iat === 'number' ? { issuedAt: Math.round(payload.iat * 1000) } : {}),
      // Providers need not set jti; the token's own hash then names it for revocation.
      tokenId:
        typeof payload.jti === 'string' && payload.jti.length <= 64
          ? payload.jti
          : createHash('sha256')
              .update(payload.jti ?? token)
              .digest('base64url'),
    };
  }
}
