// The browser's session cookies, set and cleared in one place so both always carry the same attributes.
// The access token rides in a Lax cookie on every path (pages, the API, the socket handshake). The refresh token
// rides in a Strict cookie on /auth only: /auth/refresh spends it and /auth/logout revokes its login; no page
// load and no cross-site request carries it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ACCESS_COOKIE, REFRESH_COOKIE } from './credentials.js';
import type { Grant } from './sessions.js';

export const REFRESH_COOKIE_PATH = '/auth';
/** Where the refresh cookie lived before logout needed it; browsers may still hold one there until it is cleared. */
const LEGACY_REFRESH_PATH = '/auth/refresh';

/**
 * `Secure` when the request came over HTTPS — directly, or through a trusted proxy's `X-Forwarded-Proto`
 * (Fastify reads it only from the hops PARLEY_TRUST_PROXY names).
 */
const attributes = (request: FastifyRequest) => ({ httpOnly: true, secure: request.protocol === 'https' });

export function setSessionCookies(request: FastifyRequest, reply: FastifyReply, grant: Grant): void {
  const base = attributes(request);
  reply.setCookie(ACCESS_COOKIE, grant.access.token, { ...base, sameSite: 'lax', path: '/', maxAge: grant.access.expiresIn });
  reply.setCookie(REFRESH_COOKIE, grant.refreshToken, { ...base, sameSite: 'strict', path: REFRESH_COOKIE_PATH, maxAge: grant.refreshExpiresIn });
  // A refresh cookie left at the old path would be sent first to /auth/refresh and, already spent, look stolen.
  reply.clearCookie(REFRESH_COOKIE, { ...base, sameSite: 'strict', path: LEGACY_REFRESH_PATH });
}

/**
 * The refresh cookie a request carries. A browser that still holds one at the old path sends both to
 * /auth/refresh, the longer path's first; the one at /auth — the last — is the current one.
 */
export function refreshCookie(request: FastifyRequest): string | undefined {
  const values = (request.headers.cookie ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${REFRESH_COOKIE}=`))
    .map((pair) => pair.slice(REFRESH_COOKIE.length + 1));
  return values.length > 1 ? values.at(-1) || undefined : request.cookies[REFRESH_COOKIE];
}

export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply): void {
  const base = attributes(request);
  reply.clearCookie(ACCESS_COOKIE, { ...base, sameSite: 'lax', path: '/' });
  reply.clearCookie(REFRESH_COOKIE, { ...base, sameSite: 'strict', path: REFRESH_COOKIE_PATH });
  reply.clearCookie(REFRESH_COOKIE, { ...base, sameSite: 'strict', path: LEGACY_REFRESH_PATH });
}
