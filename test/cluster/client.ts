// A resuming chat client on raw `ws`, as a careful real client behaves: it knows every node, prefers one whose
// /readyz answers 200, rejoins its rooms with `since` = the highest seq it has seen, re-sends every unacked
// message with the same clientId, and retries what the server says is worth retrying. It records everything
// it is sent, so the ledger can check that nothing was lost, doubled or reordered.
import WebSocket from 'ws';
import { readyz } from './readyz.js';

export interface Received {
  seq: number;
  id: string;
  user: string;
  body: string;
}

export interface ErrorFrame {
  code: string;
  message?: string;
  ref?: string;
  retryable?: boolean;
}

export interface SendRecord {
  clientId: string;
  room: string;
  body: string;
  user: string;
  /** When it was first sent (queued, if no socket could take it yet). */
  firstAt: number;
  attempts: number;
  /** When the first ack came; every ack of it is kept to check they agree. */
  ackAt?: number;
  acks: { id: string; seq: number }[];
  errors: ErrorFrame[];
  /** A non-retryable error: the server refused it for good. */
  refused?: ErrorFrame;
}

export interface Reconnect {
  /** Why the socket ended (close code; 1006 for a dropped connection). */
  code: number;
  fromNode: number;
  closedAt: number;
  /** When every room was joined again on a new socket. */
  rejoinedAt?: number;
  toNode?: number;
}

/** Close codes after which reconnecting cannot help (the README's policy and revocation codes). */
const FINAL_CLOSES = new Set([1003, 1008, 1009, 4003, 4403]);
const RETRY_CODES = new Set(['internal', 'unavailable']);
const retryable = (error: ErrorFrame) => error.retryable === true || RETRY_CODES.has(error.code);
const jitter = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

export class ResumingClient {
  /** Per room, every `message` frame in the order it arrived. */
  readonly received = new Map<string, Received[]>();
  readonly sends = new Map<string, SendRecord>();
  readonly reconnects: Reconnect[] = [];
  /** Every error frame, whatever it answered. */
  readonly errors: ErrorFrame[] = [];
  /** Set when the server closed with a code after which the client gives up. */
  finalClose?: { code: number; reason: string };
  private readonly highest = new Map<string, number>();
  private socket?: WebSocket;
  private node: number;
  private joined = new Set<string>();
  private stopped = false;
  private sequence = 0;

  constructor(
    readonly name: string,
    readonly user: string,
    private readonly token: string,
    /** Base URLs of every node, by index (a node restarted on its port keeps its index). */
    private readonly urls: () => string[],
    readonly rooms: string[],
    /** The node to try first. */
    startNode: number,
  ) {
    this.node = startNode;
    for (const room of rooms) this.received.set(room, []);
  }

  /** Connects and resolves once every room is joined (or rejects after `ms`). */
  async start(ms = 10_000): Promise<void> {
    this.dial(true);
    const deadline = Date.now() + ms;
    while (!this.allJoined()) {
      if (this.stopped || Date.now() > deadline) throw new Error(`${this.name} could not join ${this.rooms.join(',')} within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  get connectedNode(): number | undefined {
    return this.socket?.readyState === WebSocket.OPEN ? this.node : undefined;
  }

  /** Sends a message; `clientId` defaults to the next numbered one of this client. */
  send(room: string, clientId = `${this.name}-${++this.sequence}`, body = clientId): SendRecord {
    const record: SendRecord = { clientId, room, body, user: this.user, firstAt: Date.now(), attempts: 0, acks: [], errors: [] };
    this.sends.set(clientId, record);
    this.transmit(record);
    return record;
  }

  /** Cuts the connection from the client side (as a network blip would); it reconnects like after any drop. */
  drop(): void {
    this.socket?.terminate();
  }

  stop(): void {
    this.stopped = true;
    this.socket?.terminate();
  }

  highestSeq(room: string): number {
    return this.highest.get(room) ?? 0;
  }

  private allJoined(): boolean {
    return this.socket?.readyState === WebSocket.OPEN && this.rooms.every((room) => this.joined.has(room));
  }

  private transmit(record: SendRecord): void {
    // Not joined on a live socket: it goes out when the room is (re)joined.
    if (this.stopped || record.ackAt !== undefined || record.refused || !this.joined.has(record.room)) return;
    const { room, body, clientId } = record;
    if (this.write({ type: 'send', room, body, clientId, ref: clientId })) record.attempts++;
  }

  private write(frame: object): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private join(room: string): void {
    // `since` 0 the first time: the whole stream, so the ledger can hold the client to every seq from 1.
    this.write({ type: 'join', room, since: this.highestSeq(room), ref: `join:${room}` });
  }

  /** Picks a node (the preferred one if ready, else the next ready one, else the preferred one anyway) and opens a socket. */
  private dial(first = false): void {
    if (this.stopped) return;
    void this.pickNode(first).then((node) => {
      if (this.stopped) return;
      this.node = node;
      const socket = new WebSocket(`${this.urls()[node]!.replace(/^http/, 'ws')}/ws`, {
        headers: { authorization: `Bearer ${this.token}` },
        handshakeTimeout: 3000,
      });
      this.socket = socket;
      this.joined = new Set();
      let opened = false;
      socket.on('open', () => {
        opened = true;
        for (const room of this.rooms) this.join(room);
      });
      socket.on('message', (data) => this.onFrame(JSON.parse(String(data)) as Record<string, unknown>));
      socket.on('error', () => {}); // 'close' follows and decides
      socket.on('close', (code, reason) => {
        if (socket !== this.socket || this.stopped) return;
        this.joined = new Set();
        if (opened && FINAL_CLOSES.has(code)) {
          this.finalClose = { code, reason: String(reason) };
          return;
        }
        const pending = this.reconnects.at(-1);
        if (opened || !pending || pending.rejoinedAt !== undefined) this.reconnects.push({ code, fromNode: node, closedAt: Date.now() });
        // 1001 is a node going away on purpose: go elsewhere at once. Anything else: a short backoff first.
        const delay = code === 1001 ? 0 : jitter(100, 300);
        this.node = (node + 1) % this.urls().length;
        setTimeout(() => this.dial(), delay).unref();
      });
    });
  }

  private async pickNode(first: boolean): Promise<number> {
    const count = this.urls().length;
    if (first) return this.node;
    for (let i = 0; i < count; i++) {
      const node = (this.node + i) % count;
      if ((await readyz(this.urls()[node]!, 500)).status === 200) return node;
      if (this.stopped) break;
    }
    return this.node;
  }

  private onFrame(frame: Record<string, unknown>): void {
    switch (frame.type) {
      case 'message': {
        const room = String(frame.room);
        const seq = Number(frame.seq);
        this.received.get(room)?.push({ seq, id: String(frame.id), user: String(frame.user), body: String(frame.body) });
        if (seq > this.highestSeq(room)) this.highest.set(room, seq);
        return;
      }
      case 'joined':
        return this.onJoined(String(frame.room));
      case 'ack': {
        const record = this.sends.get(String(frame.clientId));
        if (!record) return;
        record.acks.push({ id: String(frame.id), seq: Number(frame.seq) });
        record.ackAt ??= Date.now();
        return;
      }
      case 'error':
        return this.onError(frame as unknown as ErrorFrame);
    }
  }

  private onJoined(room: string): void {
    this.joined.add(room);
    for (const record of this.sends.values()) if (record.room === room) this.transmit(record);
    const pending = this.reconnects.at(-1);
    if (pending && pending.rejoinedAt === undefined && this.allJoined()) {
      pending.rejoinedAt = Date.now();
      pending.toNode = this.node;
    }
  }

  private onError(error: ErrorFrame): void {
    this.errors.push(error);
    const ref = error.ref ?? '';
    if (ref.startsWith('join:')) {
      const room = ref.slice('join:'.length);
      if (retryable(error)) setTimeout(() => !this.joined.has(room) && this.join(room), jitter(100, 300)).unref();
      return;
    }
    const record = this.sends.get(ref);
    if (!record) return;
    record.errors.push(error);
    // Sends go out only after `joined`, so even `not_joined` is the server's fault: a refusal like any other.
    if (retryable(error)) setTimeout(() => this.transmit(record), jitter(100, 300)).unref();
    else record.refused = error;
  }
}
