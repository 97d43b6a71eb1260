// Test support for the SDK suites: clients logged in for real, event recorders, and a transport that can
// lose frames the way a dying network does.

import { type ClientEvents, type ConnectOptions, connect, login, type ParleyClient, type WebSocketLike } from 'parley-chat-client';
import WebSocket from 'ws';
import { DEMO_PASSWORDS, type RunningServer } from '../helpers.js';

const clients = new Set<ParleyClient>();

/**
 * Logs `user` in with the password grant and connects with its token and refresh, over `ws`. A client
 * reconnects until closed, keeping the test process alive: `closeClients` in each suite's `after` ends them.
 */
export async function loggedIn(server: RunningServer, user = 'johndoe', options: ConnectOptions = {}): Promise<ParleyClient> {
  const session = await login(server.url, user, DEMO_PASSWORDS[user]!);
  return track(
    connect({ url: server.url, token: session.accessToken, getToken: session.getToken, WebSocket, reconnect: { minMs: 50, maxMs: 200 }, ...options }),
  );
}

export function track(client: ParleyClient): ParleyClient {
  clients.add(client);
  return client;
}

export function closeClients(): void {
  for (const client of clients) client.close();
  clients.clear();
}

/** Everything the client emits for `event`, from now on. */
export function record<K extends keyof ClientEvents>(client: ParleyClient, event: K): ClientEvents[K][] {
  const seen: ClientEvents[K][] = [];
  client.on(event, (payload) => seen.push(payload));
  return seen;
}

/** Waits until `condition` holds (checked every 10 ms). */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The next `event` that matches. */
export function next<K extends keyof ClientEvents>(
  client: ParleyClient,
  event: K,
  match: (payload: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, timeoutMs);
    const off = client.on(event, (payload) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real `ws` socket whose incoming frames can be dropped (`deaf`), as when a connection dies with answers in
 * flight: the server has done the work, the client never hears of it. The last one made is `LossySocket.last`.
 */
export class LossySocket implements WebSocketLike {
  static last: LossySocket | undefined;
  readonly ws: WebSocket;
  deaf = false;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;

  constructor(url: string, protocols?: string[]) {
    this.ws = new WebSocket(url, protocols);
    this.ws.onopen = (event) => this.onopen?.(event);
    this.ws.onmessage = (event) => {
      if (!this.deaf) this.onmessage?.(event);
    };
    this.ws.onclose = (event) => this.onclose?.(event);
    this.ws.onerror = (event) => this.onerror?.(event);
    LossySocket.last = this;
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  send(data: string): void {
    this.ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
}
