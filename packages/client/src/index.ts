// Parley's client SDK, for browsers and Node alike: plain ES modules with relative imports only.
//
//   import WebSocket from 'ws';                      // Node 22+ and browsers have a global WebSocket; `ws` works too
//   import { connect, login } from 'parley-chat-client';
//   const session = await login('http://127.0.0.1:8000', 'johndoe', 'secret');
//   const client = connect({ url: 'http://127.0.0.1:8000', token: session.accessToken, getToken: session.getToken, WebSocket });
//   client.on('message', (m) => console.log(`${m.user}: ${m.body}`));
//   await client.join('general');
//   const { seq } = await client.send('general', 'hello');   // resolves when stored
//   client.read('general', seq);                                // read positions live on the server
//   const api = new ParleyApi({ url: 'http://127.0.0.1:8000', token: session.accessToken, getToken: session.getToken });
//   const hits = await api.search('release notes');             // HTTP calls, typed
import { ParleyClient } from './client.js';
import type { WebSocketConstructor } from './connection.js';

export interface ConnectOptions {
  /**
   * The server (`http://host:port`, the socket is its `/ws`) or the socket itself (`ws://…`); several servers of one
   * cluster as an array, tried in turn when one fails or drains. Default: the page's origin.
   */
  url?: string | readonly string[] | undefined;
  /** An access token for the socket, sent as the `parley.bearer.<token>` subprotocol. */
  token?: string | undefined;
  /**
   * Returns a fresh access token: called before a new socket when the last token expired or was refused, and on
   * `expiring` for an in-band refresh. Calls never overlap. Throw AuthError when no token can be had any more.
   */
  getToken?: (() => Promise<string>) | undefined;
  /**
   * Authenticate the socket by the browser's HttpOnly cookie (no subprotocol) even with `getToken`, which then
   * only renews the cookie and refreshes in-band. Without `token` and `getToken` the cookie is used anyway.
   */
  cookie?: boolean | undefined;
  /** The WebSocket class: the global one by default (browsers, Node 22+); pass `ws`'s where there is none. */
  WebSocket?: WebSocketConstructor | undefined;
  /** Backoff between attempts (doubling, with jitter): default 500 ms up to 30 s; `false` never reconnects. */
  reconnect?: false | { minMs?: number | undefined; maxMs?: number | undefined } | undefined;
  /** A quiet socket is pinged after this long and dropped after twice this long; 0 turns it off. Default 30 s. */
  heartbeatMs?: number | undefined;
  /** A socket that has not said `welcome` by then is dropped and retried. Default 10 s. */
  connectTimeoutMs?: number | undefined;
}

/** Opens a client; it connects (and reconnects) by itself. Listeners added right away see every event. */
export function connect(options: ConnectOptions = {}): ParleyClient {
  const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocketClass) throw new TypeError('no global WebSocket here: pass one, e.g. connect({ WebSocket }) with `import WebSocket from "ws"`');
  const origin = (globalThis as { location?: { origin: string } }).location?.origin;
  const bases = options.url === undefined ? (origin ? [origin] : []) : typeof options.url === 'string' ? [options.url] : [...options.url];
  if (bases.length === 0) throw new TypeError('connect needs a url');
  const reconnect = options.reconnect === false ? false : { minMs: options.reconnect?.minMs ?? 500, maxMs: options.reconnect?.maxMs ?? 30_000 };
  return new ParleyClient({
    urls: bases.map(socketUrl),
    WebSocket: WebSocketClass,
    token: options.token,
    getToken: options.getToken,
    cookie: options.cookie ?? false,
    reconnect,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
  });
}

/** `http(s)://host/…` → `ws(s)://host/ws`; a `ws(s)://` URL is taken as it is. */
export function socketUrl(base: string): string {
  const url = new URL(base);
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.pathname = '/ws';
    url.search = url.hash = '';
  }
  return url.toString();
}

export { Limits, SearchMarks } from 'parley-chat-protocol/catalogue';
export { type ApiOptions, ParleyApi, type SearchOptions } from './api.js';
export { login, requestToken, type Servers, type TokenGrant, TokenSession } from './auth.js';
export { type ClientEvents, type HistoryOptions, newClientId, ParleyClient } from './client.js';
export type { Status, WebSocketConstructor, WebSocketLike } from './connection.js';
export { Emitter, type Listener } from './emitter.js';
export { AuthError, type ClientErrorCode, ParleyError } from './errors.js';
export * from './frames.js';
