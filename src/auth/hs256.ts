// Verifying Parley's own HS256 JWTs with node:crypto's HMAC. jose signs them (issuing is rare); verifying runs on
// every handshake, where WebCrypto's promise-based HMAC cost about 13% of a handshake. The rules are jose's: the
// algorithm is pinned to HS256 (whatever the header claims), a `crit` header is refused (no extension is
// understood), the signature is compared in constant time, and exp, nbf, iss and aud are checked.
import { createHmac, timingSafeEqual } from 'node:crypto';

export class JwtError extends Error {
  constructor(readonly expired: boolean) {
    super(expired ? 'the access token expired' : 'the access token is invalid');
  }
}

export interface ClaimRules {
  issuer: string;
  audience: string;
  /** Claims that must be present. */
  required: readonly string[];
  now: number;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function json(part: string): Record<string, unknown> {
  if (!B64URL.test(part)) throw new JwtError(false);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError(false);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwtError(false);
  return value as Record<string, unknown>;
}

/** The payload of a valid token; JwtError otherwise. */
export function verifyHs256(token: string, key: Buffer, rules: ClaimRules): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError(false);
  const [header, payload, signature] = parts as [string, string, string];
  const protectedHeader = json(header);
  if (protectedHeader.alg !== 'HS256' || 'crit' in protectedHeader || 'b64' in protectedHeader) throw new JwtError(false);
  if (!B64URL.test(signature)) throw new JwtError(false);
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new JwtError(false);

  const claims = json(payload);
  for (const name of rules.required) if (claims[name] === undefined) throw new JwtError(false);
  const seconds = rules.now / 1000;
  for (const name of ['exp', 'nbf', 'iat']) {
    if (claims[name] !== undefined && (typeof claims[name] !== 'number' || !Number.isFinite(claims[name]))) throw new JwtError(false);
  }
  if (typeof claims.nbf === 'number' && claims.nbf > seconds) throw new JwtError(false);
  if (typeof claims.exp === 'number' && claims.exp <= seconds) throw new JwtError(true);
  if (claims.iss !== rules.issuer) throw new JwtError(false);
  const audience = claims.aud;
  if (!(audience === rules.audience || (Array.isArray(audience) && audience.includes(rules.audience)))) throw new JwtError(false);
  for (const name of ['sub', 'jti']) if (claims[name] !== undefined && typeof claims[name] !== 'string') throw new JwtError(false);
  return claims;
}
