// Access tokens: HS256 JWTs signed and verified by jose, algorithm pinned, issuer and audience checked.
import { randomUUID, type webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
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
  /** Asked at each use: by default the public URL, which is known only once the server listens. */
  issuer: () => string;
  audience: string;
  accessTokenTtlSeconds: number;
}

const ALGORITHM = 'HS256';

export class TokenService {
  /** Imported once: jose would otherwise import the raw bytes into WebCrypto on every sign and verify. */
  private readonly key: Promise<webcrypto.CryptoKey>;

  constructor(
    secret: Uint8Array,
    private readonly settings: TokenSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  async issue(username: string, scopes: string[], family?: string): Promise<IssuedToken> {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + this.settings.accessTokenTtlSeconds;
    const jti = randomUUID();
    const token = await new SignJWT({ scope: scopes.join(' '), ...(family ? { fam: family } : {}) })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(username)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .setIssuer(this.settings.issuer())
      .setAudience(this.settings.audience)
      .sign(await this.key);
    return {
      token,
      expiresIn: this.settings.accessTokenTtlSeconds,
      principal: { username, scopes, expiresAt: exp * 1000, tokenId: jti, family, issuer: 'parley' },
    };
  }

  /** Resolves the Principal or throws InvalidTokenError with a reason safe to show the client. */
  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        algorithms: [ALGORITHM],
        issuer: this.settings.issuer(),
        audience: this.settings.audience,
        requiredClaims: ['sub', 'exp', 'jti'],
        currentDate: new Date(this.now()),
      });
      return {
        username: payload.sub!,
        scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
        expiresAt: payload.exp! * 1000,
        tokenId: payload.jti!,
        family: typeof payload.fam === 'string' ? payload.fam : undefined,
        issuer: 'parley',
      };
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new InvalidTokenError(code === 'ERR_JWT_EXPIRED' ? 'the access token expired' : 'the access token is invalid');
    }
  }
}
