// Where a request's credential comes from. One parser for HTTP routes and the upgrade gate.
import type { FastifyRequest } from 'fastify';

export const ACCESS_COOKIE = 'parley_token';

export type Credential =
  | { kind: 'none' }
  | { kind: 'token'; token: string; source: 'header' | 'cookie' }
  /** An Authorization header with another scheme (Basic, Digest …). */
  | { kind: 'wrong-scheme' }
  /** "Bearer" alone, extra parts, or characters a bearer token cannot hold (RFC 6750 §2.1). */
  | { kind: 'malformed' };

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The Authorization header wins over the cookie: a client that sends both means the header. */
export function credentialFrom(request: FastifyRequest, options: { allowCookie: boolean }): Credential {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header.trim());
    if (match) return { kind: 'token', token: match[1]!, source: 'header' };
    const scheme = header.trim().split(/\s+/, 1)[0] ?? '';
    return scheme !== '' && scheme.toLowerCase() !== 'bearer' ? { kind: 'wrong-scheme' } : { kind: 'malformed' };
  }
  const cookie = options.allowCookie ? request.cookies[ACCESS_COOKIE] : undefined;
  if (cookie) return { kind: 'token', token: cookie, source: 'cookie' };
  return { kind: 'none' };
}
