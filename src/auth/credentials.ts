// Where a request's credentials come from. One parser for HTTP routes and the upgrade gate.
// Precedence: Authorization header > subprotocol > ticket > cookie.
import type { FastifyRequest } from 'fastify';
import { Subprotocols } from 'parley-chat-protocol';
import { AuthFailures } from './failures.js';

export const ACCESS_COOKIE = 'parley_token';
export const REFRESH_COOKIE = 'parley_refresh';

export type Presented = { kind: 'token'; token: string; source: 'header' | 'subprotocol' | 'cookie' } | { kind: 'ticket'; ticket: string };

export interface Sources {
  cookie: boolean;
  /** `?ticket=` and `Sec-WebSocket-Protocol`: only meaningful on a WebSocket handshake. */
  handshake: boolean;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The credentials presented, in precedence order. Throws AuthFailure for another scheme (Basic, Digest …), for
 * "Bearer" alone, extra parts or characters a bearer token cannot hold (RFC 6750 §2.1), for several Authorization
 * headers, and for a bearer subprotocol offered without parley.v1 for the server to select.
 */
export function credentialsFrom(request: FastifyRequest, sources: Sources): Presented[] {
  const presented: Presented[] = [];
  const header = request.headers.authorization;
  if (header !== undefined) {
    // Node keeps the first of repeated Authorization headers and drops the rest silently: refuse instead.
    if (countHeaders(request.raw.rawHeaders, 'authorization') > 1) throw AuthFailures.duplicateHeader;
    const match = BEARER.exec(header.trim());
    if (!match) {
      const scheme = header.trim().split(/\s+/, 1)[0] ?? '';
      throw scheme !== '' && scheme.toLowerCase() !== 'bearer' ? AuthFailures.wrongScheme : AuthFailures.malformed;
    }
    presented.push({ kind: 'token', token: match[1]!, source: 'header' });
  }
  if (sources.handshake) {
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const bearer = offered.filter((p) => p.startsWith(Subprotocols.bearerPrefix));
    if (bearer.length > 0) {
      const token = bearer[0]!.slice(Subprotocols.bearerPrefix.length);
      if (bearer.length > 1 || !offered.includes(Subprotocols.chat) || !TOKEN68.test(token)) throw AuthFailures.malformedSubprotocol;
      presented.push({ kind: 'token', token, source: 'subprotocol' });
    }
    const ticket = (request.query as Record<string, unknown> | undefined)?.ticket;
    if (typeof ticket === 'string' && ticket !== '') presented.push({ kind: 'ticket', ticket });
  }
  const cookie = sources.cookie ? request.cookies[ACCESS_COOKIE] : undefined;
  if (cookie) presented.push({ kind: 'token', token: cookie, source: 'cookie' });
  return presented;
}

function countHeaders(raw: string[], name: string): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) count++;
  return count;
}

/** Answers the handshake's subprotocol negotiation: parley.v1 when offered, never the bearer one. */
export function selectProtocol(offered: Set<string>): string | false {
  return offered.has(Subprotocols.chat) ? Subprotocols.chat : false;
}
