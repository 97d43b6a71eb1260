// Load-generator side: minimal ws client helpers and the description of each server under test.
// Kept free of test/ helpers on purpose: those queue and parse every frame, which would tax the client.
import WebSocket, { type RawData } from 'ws';

/** Opens a socket; a refused upgrade (401, 403 …) rejects with its HTTP status. */
export function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return openSocket(url, headers, (ws) => ws);
}

/**
 * Opens a socket whose frames are buffered from the very start: a server that speaks first (a welcome)
 * can have its frame emitted before an awaited connect() would return, and it would be lost.
 */
export function openInbox(url: string, headers: Record<string, string> = {}): Promise<Inbox> {
  return openSocket(url, headers, (ws) => new Inbox(ws));
}

function openSocket<T>(url: string, headers: Record<string, string>, wrap: (ws: WebSocket) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    // No permessage-deflate offer: neither server enables it, and the offer alone costs header work.
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const wrapped = wrap(ws);
    // Stays attached: a late error is followed by 'close', which the scenarios watch instead.
    ws.on('error', reject);
    ws.once('open', () => resolve(wrapped));
    ws.once('unexpected-response', (request, response) => {
      reject(new Error(`${url}: upgrade refused with HTTP ${response.statusCode}`));
      request.destroy();
    });
  });
}

export function closed(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => ws.once('close', () => resolve()));
}

export async function closeAll(sockets: WebSocket[]): Promise<void> {
  for (const ws of sockets) ws.close();
  await Promise.all(sockets.map(closed));
}

/** Text frames of one socket, awaited one at a time (for request/response traffic and set-up). */
export class Inbox {
  private readonly frames: string[] = [];
  private waiter?: { resolve: (text: string) => void; reject: (error: Error) => void };
  private ended?: Error;

  private readonly onMessage = (data: RawData) => {
    const text = data.toString();
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter.resolve(text);
    else this.frames.push(text);
  };

  private readonly onClose = (code: number, reason: Buffer) => {
    this.ended = new Error(`socket closed (${code} ${reason.toString()})`);
    this.waiter?.reject(this.ended);
    this.waiter = undefined;
  };

  constructor(readonly ws: WebSocket) {
    ws.on('message', this.onMessage);
    ws.on('close', this.onClose);
  }

  next(): Promise<string> {
    const text = this.frames.shift();
    if (text !== undefined) return Promise.resolve(text);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Next JSON frame, failing on an error frame (which would otherwise just stall a run). */
  async nextJson(): Promise<Frame> {
    const frame = JSON.parse(await this.next()) as Frame;
    if (frame.type === 'error') throw new Error(`server error frame: ${JSON.stringify(frame)}`);
    return frame;
  }

  /** Hands the socket over to a scenario's own (cheaper) listener. */
  detach(): WebSocket {
    this.ws.off('message', this.onMessage);
    this.ws.off('close', this.onClose);
    return this.ws;
  }
}

export type Frame = { type?: string; clientId?: string; [key: string]: unknown };

/** One server under test, as the identical client code sees it. */
export interface Target {
  label: string;
  /** Welcome frame, then "You wrote: <text>" for every text frame. */
  echoUrl: string;
  /** Room `general`: text frames `{type:'send',…}` fan out to every member. */
  chatUrl: string;
  headers: Record<string, string>;
  /** Makes the socket a live member of `general` with nothing old still in flight towards it. */
  joinRoom(inbox: Inbox): Promise<void>;
  /** The clientId a frame confirms to its sender (its send is done), if any. */
  confirms(frame: Frame): string | undefined;
}

export function bareTarget(port: number): Target {
  return {
    label: 'bare ws',
    echoUrl: `ws://127.0.0.1:${port}/echo`,
    chatUrl: `ws://127.0.0.1:${port}/relay`,
    headers: {},
    // The relay adds a socket to its set before the 101 reaches the client: open means joined.
    joinRoom: async () => {},
    // No acks without storage: a send is done when its own broadcast comes back.
    confirms: (frame) => (frame.type === 'send' ? frame.clientId : undefined),
  };
}

export function parleyTarget(port: number, token: string): Target {
  return {
    label: 'Parley',
    echoUrl: `ws://127.0.0.1:${port}/secured-ws`,
    chatUrl: `ws://127.0.0.1:${port}/ws`,
    headers: { Authorization: `Bearer ${token}` },
    async joinRoom(inbox) {
      await expectFrame(inbox, 'welcome');
      inbox.ws.send(JSON.stringify({ type: 'join', room: 'general' }));
      await expectFrame(inbox, 'joined');
      // A join replays the room's recent messages (earlier runs'); frames are handled in order, so the
      // pong comes after that replay and the measured run starts on a quiet socket.
      inbox.ws.send(JSON.stringify({ type: 'ping' }));
      await expectFrame(inbox, 'pong');
    },
    confirms: (frame) => (frame.type === 'ack' ? frame.clientId : undefined),
  };
}

/** Skips frames (bounded: a join replays at most 50 + one page) until one of `type` arrives. */
async function expectFrame(inbox: Inbox, type: string): Promise<Frame> {
  for (let skipped = 0; skipped < 1000; skipped++) {
    const frame = await inbox.nextJson();
    if (frame.type === type) return frame;
  }
  throw new Error(`no "${type}" frame within 1000 frames`);
}

export async function getToken(baseUrl: string): Promise<string> {
  // RFC 6749 password grant: form-encoded, as Parley requires (JSON is refused).
  const response = await fetch(`${baseUrl}/token`, {
    method: 'POST',
    body: new URLSearchParams({ username: 'johndoe', password: 'secret' }),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) throw new Error(`POST /token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
