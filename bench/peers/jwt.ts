// The JWT check every peer performs on its handshake, the same one Parley's gate does (src/auth/tokens.ts):
// HS256 pinned, signature, issuer, audience, exp, and sub/jti required. Parley then also looks the user and the
// revocation list up in its store; the peers have no store, which the report says.
import type { webcrypto } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

export const ISSUER = 'parley';
export const AUDIENCE = 'parley';

/** The shared secret arrives in BENCH_JWT_SECRET (the runner generates one per run and gives it to every server). */
export function secretFromEnv(env: Record<string, string | undefined>): Uint8Array {
  const secret = env.BENCH_JWT_SECRET;
  if (!secret || secret.length < 32) throw new Error('BENCH_JWT_SECRET (32+ chars) is required');
  return new TextEncoder().encode(secret);
}

export class JwtCheck {
  /** Imported once, as Parley does: jose would otherwise import the raw key into WebCrypto per verify. */
  private readonly key: Promise<webcrypto.CryptoKey>;

  constructor(secret: Uint8Array) {
    this.key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  /** The username, or undefined for anything that is not a valid token. */
  async user(token: string | undefined | null): Promise<string | undefined> {
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp', 'jti'],
      });
      return payload.sub;
    } catch {
      return undefined;
    }
  }

  /** `Authorization: Bearer <token>` → the username. */
  bearer(header: string | undefined | null): Promise<string | undefined> {
    const match = header ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header) : null;
    return this.user(match?.[1]);
  }
}

/** A token Parley accepts too (johndoe is a demo user): the load generator mints it for every peer. */
export async function mintToken(secret: Uint8Array, username = 'johndoe'): Promise<string> {
  return new SignJWT({ scope: 'chat:read chat:write' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(username)
    .setIssuedAt()
    .setExpirationTime('2h')
    .setJti(crypto.randomUUID())
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .sign(secret);
}
