// Deadlines and a per-address budget for connections that have not authenticated yet. Without them a client can
// hold a connection open for free — drip a body a byte at a time, never finish its headers, stall a handshake — and
// twenty thousand such connections fill the file-descriptor table for everyone.
// - Node's own timeouts (headers, whole request, idle socket, keep-alive), from the settings; a late request is
//   answered `408 request_timeout` in the catalogue's words. Node checks them every `connectionsCheckingInterval`.
// - A WebSocket upgrade leaves Node's HTTP bookkeeping when its headers are in, so its deadlines no longer apply:
//   the handshake gets one of its own (the headers deadline again) until ws takes the socket.
// - At most `perAddress` HTTP connections per peer address; past it a new connection is reset at once (as a
//   proxy's `tcp-request connection reject` would), before a byte of it is parsed.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions } from 'fastify';
import { type ErrorCode, ErrorCodes } from 'parley-chat-protocol';
import type { BudgetRefusals } from './budgets.js';

export interface ConnectionBudget {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** 0: no limit. */
  perAddress: number;
  refusals: BudgetRefusals;
}

/** Fastify's server options for the deadlines. */
export function serverTimeouts(budget: ConnectionBudget): Partial<FastifyHttpOptions<Server>> {
  return {
    requestTimeout: budget.requestTimeoutMs,
    connectionTimeout: budget.idleTimeoutMs,
    keepAliveTimeout: budget.keepAliveTimeoutMs,
    http: {
      headersTimeout: budget.headersTimeoutMs,
      // Node looks for late requests this often (default 30 s, which would let a 10 s deadline run to 40 s).
      connectionsCheckingInterval: Math.max(100, Math.min(5000, budget.headersTimeoutMs / 4)),
    },
    clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const code: ErrorCode =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'request_timeout'
          : error.code === 'HPE_HEADER_OVERFLOW'
            ? 'headers_too_large'
            : 'invalid_request';
      if (code === 'request_timeout') budget.refusals.refused('deadline');
      if (socket.writable) socket.write(rawAnswer(code));
      socket.destroy(error);
    },
  };
}

/** The catalogue's answer, written straight to a socket that never became a request. */
function rawAnswer(code: ErrorCode, description: string = ErrorCodes[code].message): string {
  const { status } = ErrorCodes[code];
  const body = JSON.stringify({ error: code, error_description: description });
  const headers = ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Cache-Control: no-store', 'Connection: close'];
  return `HTTP/1.1 ${status} ${code.replaceAll('_', ' ')}\r\n${headers.join('\r\n')}\r\n\r\n${body}`;
}

const ADDRESS = Symbol('parley.address');
type Counted = Socket & { [ADDRESS]?: string };

/** Counts connections per address and cuts handshakes that stall; call once the server exists. */
export function guardConnections(server: Server, budget: ConnectionBudget): void {
  const open = new Map<string, number>();
  const release = (socket: Counted) => {
    const address = socket[ADDRESS];
    if (address === undefined) return;
    socket[ADDRESS] = undefined;
    const count = open.get(address)! - 1;
    if (count > 0) open.set(address, count);
    else open.delete(address);
  };
  // Shared listeners (`this` is the socket), not a closure per connection.
  function onClose(this: Counted) {
    release(this);
  }
  function onHandshakeTimeout(this: Socket) {
    budget.refusals.refused('deadline');
    this.destroy();
  }

  if (budget.perAddress > 0) {
    server.prependListener('connection', (socket: Counted) => {
      const address = socket.remoteAddress ?? '';
      const count = (open.get(address) ?? 0) + 1;
      if (count > budget.perAddress) {
        budget.refusals.refused('connections_per_address');
        socket.destroy();
        return;
      }
      open.set(address, count);
      socket[ADDRESS] = address;
      socket.on('close', onClose);
    });
  }
  server.on('upgrade', (_request, socket: Counted) => {
    // A socket is the user's from here (PARLEY_MAX_SOCKETS_PER_USER), no longer the address's.
    release(socket);
    // ws clears the timeout when it takes the socket (WebSocket#setSocket).
    socket.setTimeout(budget.headersTimeoutMs);
    socket.on('timeout', onHandshakeTimeout);
  });
}
