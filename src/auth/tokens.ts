// Access tokens: HS256 JWTs, signed by jose and verified by hs256.ts (node:crypto), algorithm pinned, issuer and
// audience checked.
import { randomUUID, type webcrypto } from 'node:crypto';
import { SignJWT } from 'jose';
import { JwtError, verifyHs256 } from './hs256.js';
import type { Principal } from './principal.js';

export interface IssuedToken {
  token: string;
  expiresIn: number;
  principal: Principal;
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
}

const ALGORITHM = 'HS256';

export class TokenService {
  /** Imported once: jose would otherwise import the raw bytes into WebCrypto on every sign. */
  private readonly key: Promise<webcrypto.CryptoKey>;
  private readonly secret: Buffer;

  constructor(
    secret: Uint8Array,
    private readonly settings: TokenSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = Buffer.from(secret);
    this.key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  async issue(username: string, scopes: string[], family?: string): Promise<IssuedToken> {
    const now = this.now();
    // `iat` in milliseconds (a NumericDate may have a fraction, RFC 7519 §2): a token issued just after a
    // password change must not look like one issued just before it, in the same second.
    const iat = now / 1000;
    const exp = Math.floor(iat) + this.settings.accessTokenTtlSeconds;
    const jti = randomUUID();
    const token = await new SignJWT({ scope: scopes.join(' '), ...(family ? { fam: family } : {}) })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(username)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .sign(await this.key);
    return {
      token,
      expiresIn: this.settings.accessTokenTtlSeconds,
      principal: { username, scopes, expiresAt: exp * 1000, issuedAt: now, tokenId: jti, family, issuer: 'parley' },
    };
  }

  /** Resolves the Principal or throws InvalidTokenError with a reason safe to show the client. */
  verify(token: string): Principal {
    try {
      const payload = verifyHs256(token, this.secret, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        required: ['sub', 'exp', 'jti', 'iat'],
        now: this.now(),
      }) as { sub: string; exp: number; iat: number; jti: string; scope?: unknown; fam?: unknown };
      return {
        username: payload.sub,
        scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
        expiresAt: payload.exp * 1000,
        issuedAt: Math.round(payload.iat * 1000),
        tokenId: payload.jti,
        family: typeof payload.fam === 'string' ? payload.fam : undefined,
        issuer: 'parley',
      };
    } catch (error) {
      if (error instanceof JwtError) throw new InvalidTokenError(error.message);
      throw error;
    }
  }
}
