// The one authentication hook. On a WebSocket route it runs before the handshake, so a refused client
// gets a plain HTTP answer (400/401/403) and no socket is ever opened; on an HTTP route it guards the handler.
import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { Authenticator } from './authenticator.js';
import { credentialsFrom, type Sources } from './credentials.js';
import { AuthFailures } from './failures.js';
import type { Principal } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the gate; routes behind it can rely on it. */
    principal: Principal | null;
  }
}

export interface GateOptions extends Sources {
  /** Origins allowed besides the server's own; `undefined` skips the Origin check (pure bearer APIs). */
  allowedOrigins?: readonly string[];
  /** Scope the principal must hold. */
  scope?: string;
}

/** Refusals are thrown (AuthFailure): the app's one error handler answers them. */
export function authGate(authenticator: Authenticator, options: GateOptions): preValidationAsyncHookHandler {
  return async function gate(request: FastifyRequest) {
    if (options.allowedOrigins && !originAllowed(request, options.allowedOrigins)) throw AuthFailures.forbiddenOrigin;
    const principal = await authenticator.authenticate(credentialsFrom(request, options));
    if (options.scope && !principal.scopes.includes(options.scope)) throw AuthFailures.insufficientScope;
    request.principal = principal;
  };
}

/**
 * Cross-site WebSocket hijacking and login-CSRF defence: a browser always sends Origin on a WebSocket
 * handshake and on a cross-site POST, and a page cannot forge it. No Origin means a non-browser client.
 */
export function originAllowed(request: FastifyRequest, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  // Under our `Referrer-Policy: no-referrer` a browser sends `Origin: null` even on its own same-origin POSTs;
  // `Sec-Fetch-Site` (set by the browser, never by a page) then tells whether the request came from this site.
  if (origin === 'null') return request.headers['sec-fetch-site'] === 'same-origin';
  const host = request.headers.host;
  if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) return true;
  return allowedOrigins.includes(origin);
}
