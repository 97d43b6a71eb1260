// Where a request's credentials come from. One parser for HTTP routes and the upgrade gate.
// Precedence: Authorization header > subprotocol > ticket > cookie.
import type { FastifyRequest } from 'fastify';

export const ACCESS_COOKIE = 'parley_token';
export const REFRESH_COOKIE = 'parley_refresh';
/** The subprotocol the server selects; the bearer one is offered beside it and never echoed. */
export const PROTOCOL = 'parley.v1';
export const BEARER_PROTOCOL_PREFIX = 'parley.bearer.';

export type Presented =
  | { kind: 'token'; token: string; source: 'header' | 'subprotocol' | 'cookie' }
  | { kind: 'ticket'; ticket: string };

export type Extraction =
  | { ok: true; presented: Presented[] }
  /**
   * wrong-scheme: an Authorization header with another scheme (Basic, Digest …).
   * malformed: "Bearer" alone, extra parts, characters a bearer token cannot hold (RFC 6750 §2.1),
   * or a bearer subprotocol offered without parley.v1 for the server to select.
   */
  | { ok: false; problem: 'wrong-scheme' | 'malformed' };

export interface Sources {
  cookie: boolean;
  /** `?ticket=` and `Sec-WebSocket-Protocol`: only meaningful on a WebSocket handshake. */
  handshake: boolean;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

export function credentialsFrom(request: FastifyRequest, sources: Sources): Extraction {
  const presented: Presented[] = [];
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header.trim());
    if (!match) {
      const scheme = header.trim().split(/\s+/, 1)[0] ?? '';
      return { ok: false, problem: scheme !== '' && scheme.toLowerCase() !== 'bearer' ? 'wrong-scheme' : 'malformed' };
    }
    presented.push({ kind: 'token', token: match[1]!, source: 'header' });
  }
  if (sources.handshake) {
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const bearer = offered.filter((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
    if (bearer.length > 0) {
      const token = bearer[0]!.slice(BEARER_PROTOCOL_PREFIX.length);
      if (bearer.length > 1 || !offered.includes(PROTOCOL) || !TOKEN68.test(token)) return { ok: false, problem: 'malformed' };
      presented.push({ kind: 'token', token, source: 'subprotocol' });
    }
    const ticket = (request.query as Record<string, unknown> | undefined)?.ticket;
    if (typeof ticket === 'string' && ticket !== '') presented.push({ kind: 'ticket', ticket });
  }
  const cookie = sources.cookie ? request.cookies[ACCESS_COOKIE] : undefined;
  if (cookie) presented.push({ kind: 'token', token: cookie, source: 'cookie' });
  return { ok: true, presented };
}

/** Answers the handshake's subprotocol negotiation: parley.v1 when offered, never the bearer one. */
export function selectProtocol(offered: Set<string>): string | false {
  return offered.has(PROTOCOL) ? PROTOCOL : false;
}
