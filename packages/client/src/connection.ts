// One logical connection to /ws over as many sockets as it takes: authentication, reconnecting with backoff,
// the token's life (fresh tokens for new sockets, in-band refresh for the open one) and a liveness check.
// What the frames mean for rooms and messages is client.ts's business.

import { CloseCodes, reconnectPolicy, Subprotocols } from 'parley-chat-protocol/catalogue';
import { AuthError } from './errors.js';
import type { ClientFrame, ServerFrame, Welcome } from './frames.js';

/** Method-style callbacks are checked bivariantly: both the DOM WebSocket and `ws`'s class fit this shape. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** What the client needs of a WebSocket: the browser's, or `ws`'s in Node. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string[]) => WebSocketLike;

export type Status =
  | { state: 'connecting' }
  | ({ state: 'open' } & Welcome)
  /** The socket is gone; the next attempt starts in `delayMs`. `code` is absent when no socket was opened. */
  | { state: 'reconnecting'; code?: number; reason?: string; delayMs: number; error?: unknown }
  /** For good: `close()` was called, or the server said not to come back (its close code says never, or 4001 with no way to a new token). */
  | { state: 'closed'; code?: number; reason?: string; error?: unknown };

export interface ConnectionOptions {
  /** The servers' socket URLs, tried in turn: a failure (or a server draining) moves on to the next. */
  urls: readonly string[];
  WebSocket: WebSocketConstructor;
  token?: string | undefined;
  getToken?: (() => Promise<string>) | undefined;
  /** Authenticate sockets by the browser's cookie, not a bearer subprotocol; `getToken` then only serves refreshes. */
  cookie: boolean;
  reconnect: false | { minMs: number; maxMs: number };
  heartbeatMs: number;
  connectTimeoutMs: number;
}

const OPEN = 1;
/** A socket that lived this long was a success: the next drop starts the backoff over. */
const STABLE_MS = 10_000;
/** A token this close to its expiry is not worth opening a socket with. */
const EXPIRY_MARGIN_MS = 5_000;
const REFRESH_REF = 'refresh';
/**
 * A token is refreshed in-band once, at the server's warning but not before the last twentieth of the life it had
 * when it arrived (and at least this far ahead of `exp`). A server whose warning is as long as the token's life
 * warns again the moment each new token arrives: refreshing on every warning would loop (a refresh storm).
 * Like the expiry margin above, this reads the server's `exp` on the local clock.
 */
const REFRESH_LEAD_MIN_MS = 500;

export class Connection {
  private socket: WebSocketLike | undefined;
  private welcomed = false;
  /** Counts sockets: a request written on one socket must be written again on the next. */
  generation = 0;
  /** Attempts since the last stable socket: the backoff doubles with each. */
  private failures = 0;
  private openedAt = 0;
  private stopped = false;
  private token: string | undefined;
  private tokenExpiresAt: number | undefined;
  /** The last socket was refused or expired: ask `getToken` before the next one. */
  private tokenSuspect = false;
  private tokenRequest: Promise<string> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the current token arrived, to place its refresh in its life. */
  private tokenSeenAt = 0;
  /** The `exp` whose refresh is scheduled or done: each token is refreshed at most once. */
  private refreshingFor: number | undefined;
  private heard = false;
  private pinged = false;
  /** Which of the URLs the next socket goes to. */
  private at = 0;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly onFrame: (frame: ServerFrame) => void,
    private readonly onStatus: (status: Status) => void,
  ) {
    this.token = options.token;
  }

  start(): void {
    this.onStatus({ state: 'connecting' });
    void this.open();
  }

  /** Writes the frame if a welcomed socket is open; false otherwise (the caller keeps it for the next socket). */
  send(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (!socket || !this.welcomed || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  stop(): void {
    if (this.stopped) return;
    this.finish({ state: 'closed', code: CloseCodes.normal.code, reason: 'closed by the client' });
  }

  private async open(): Promise<void> {
    let protocols: string[] | undefined;
    const { getToken, cookie } = this.options;
    try {
      const expiring = this.tokenExpiresAt !== undefined && this.tokenExpiresAt - Date.now() < EXPIRY_MARGIN_MS;
      // With a cookie, getToken renews the cookie as a side effect (the chat page's /auth/refresh).
      if (getToken && (this.tokenSuspect || expiring || (!cookie && this.token === undefined))) await this.freshToken();
      if (!cookie && this.token !== undefined) protocols = [Subprotocols.chat, `${Subprotocols.bearerPrefix}${this.token}`];
    } catch (error) {
      return this.dropped(undefined, error);
    }
    if (this.stopped) return;

    const socket = new this.options.WebSocket(this.options.urls[this.at % this.options.urls.length]!, protocols);
    this.socket = socket;
    this.welcomed = false;
    this.generation++;
    this.connectTimer = setTimeout(() => this.abandon(socket, 'no welcome in time'), this.options.connectTimeoutMs);
    socket.onerror = () => {}; // a close event follows with the code
    socket.onclose = (event) => {
      if (this.socket === socket) this.dropped({ code: event.code, reason: event.reason });
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.heard = true;
      const frame = parse(event.data);
      if (frame) this.handle(frame);
    };
  }

  private handle(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        clearTimeout(this.connectTimer);
        this.welcomed = true;
        this.openedAt = Date.now();
        this.tokenSuspect = false;
        this.tokenExpiresAt = frame.expiresAt;
        this.tokenSeenAt = this.openedAt;
        this.refreshingFor = undefined;
        this.startHeartbeat();
        return this.onStatus({ state: 'open', user: frame.user, expiresAt: frame.expiresAt });
      case 'expiring':
        this.scheduleRefresh(frame.at);
        break;
      case 'refreshed':
        this.tokenExpiresAt = frame.expiresAt;
        this.tokenSeenAt = Date.now();
        break;
    }
    this.onFrame(frame);
  }

  /** The server warned that the token expiring at `at` expires soon: plan its one in-band refresh. */
  private scheduleRefresh(at: number): void {
    if (!this.options.getToken || this.refreshingFor === at) return;
    this.refreshingFor = at;
    const life = Math.max(0, at - this.tokenSeenAt);
    const lead = Math.max(REFRESH_LEAD_MIN_MS, life / 20);
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refreshInBand(), Math.max(0, at - lead - Date.now()));
  }

  /** Hands the open socket a fresh token. */
  private refreshInBand(): void {
    if (!this.options.getToken) return;
    const socket = this.socket;
    // If this fails the server closes with 4001 at expiry, and the reconnect asks getToken again.
    this.freshToken().then(
      (token) => {
        if (this.socket === socket) this.send({ type: 'refresh', token, ref: REFRESH_REF });
      },
      () => {},
    );
  }

  /** One getToken call at a time: a refresh token presented twice would revoke the whole login. */
  private freshToken(): Promise<string> {
    const getToken = this.options.getToken!;
    this.tokenRequest ??= getToken()
      .then((token) => {
        this.token = token;
        this.tokenExpiresAt = undefined;
        return token;
      })
      .finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  /** The socket ended (or never opened): decide between coming back and giving up. */
  private dropped(close: { code: number; reason: string } | undefined, error?: unknown): void {
    const wasWelcomed = this.welcomed;
    this.socket = undefined;
    this.welcomed = false;
    this.stopTimers();
    if (this.stopped) return;
    const code = close?.code;
    const canRenew = this.options.getToken !== undefined;
    // The catalogue says what each close code asks of a client; a socket that never opened is the network's doing.
    const policy = code === undefined ? 'backoff' : reconnectPolicy(code);
    if (error instanceof AuthError || policy === 'never' || (policy === 'new_token' && !canRenew) || this.options.reconnect === false) {
      return this.finish({ state: 'closed', code, reason: close?.reason, error });
    }
    // Refused before the welcome (the browser cannot tell us why) or expired: try a new token next time.
    if (policy === 'new_token' || (!wasWelcomed && !error)) this.tokenSuspect = canRenew;
    // Not reset at the welcome: a socket dropped right after it (4029 flood control, a crashing server) backs off too.
    if (wasWelcomed && Date.now() - this.openedAt >= STABLE_MS) this.failures = 0;
    // The next socket goes to the next server: this one failed, or said it is going away.
    this.at++;
    const { minMs, maxMs } = this.options.reconnect;
    const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(this.failures++, 20));
    // A draining server asks for an immediate move elsewhere; with a single URL, the usual backoff applies.
    const delayMs = policy === 'now' && this.options.urls.length > 1 ? 0 : Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.onStatus({ state: 'reconnecting', code, reason: close?.reason, delayMs, error });
    this.retryTimer = setTimeout(() => void this.open(), delayMs);
  }

  /** Gives up on a socket that went silent, without waiting for a close handshake it may never answer. */
  private abandon(socket: WebSocketLike, reason: string): void {
    if (this.socket !== socket) return;
    socket.onclose = socket.onmessage = null;
    socket.close();
    this.dropped({ code: 1006, reason });
  }

  /** Pings when the line has been quiet for a whole interval; a second quiet interval means it is dead. */
  private startHeartbeat(): void {
    if (this.options.heartbeatMs <= 0) return;
    const socket = this.socket!;
    this.heard = true;
    this.pinged = false;
    this.heartbeatTimer = setInterval(() => {
      if (this.heard) {
        this.heard = this.pinged = false;
      } else if (this.pinged) {
        this.abandon(socket, 'no answer to ping');
      } else {
        this.pinged = this.send({ type: 'ping' });
      }
    }, this.options.heartbeatMs);
  }

  private stopTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.refreshTimer);
  }

  private finish(status: Extract<Status, { state: 'closed' }>): void {
    this.stopped = true;
    this.stopTimers();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onclose = socket.onmessage = null;
      socket.close(CloseCodes.normal.code);
    }
    this.onStatus(status);
  }
}

function parse(data: unknown): ServerFrame | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const frame = JSON.parse(data) as unknown;
    return typeof frame === 'object' && frame !== null && typeof (frame as { type?: unknown }).type === 'string' ? (frame as ServerFrame) : undefined;
  } catch {
    return undefined;
  }
}
