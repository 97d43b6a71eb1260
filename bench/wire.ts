// A minimal WebSocket client straight on a TCP socket, used by the load generator for every peer.
// Why not `ws` or socket.io-client: at a million deliveries a second the client, not the server, would be what
// is measured, and a different client per peer would tax each peer's numbers differently. This one parses
// frames in place (no copy, no decode unless asked), so a delivery costs the client the same for every peer.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export interface WireOptions {
  port: number;
  path: string;
  headers?: Record<string, string>;
  /** Source address (127.0.0.x): spreads many sockets over several address/port spaces. */
  localAddress?: string;
  /** Engine.IO (Socket.IO) transport: answer its text ping "2" with "3", as socket.io-client does. */
  engineIo?: boolean;
}

/** Receives each text frame's payload as a view [start, end) into `buf`; `now` is the chunk's arrival time. */
export type FrameHandler = (buf: Buffer, start: number, end: number, now: number) => void;

export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}

export class WireSocket {
  /** Replaced by scenarios that count frames; by default frames are decoded and queued for next(). */
  onFrame: FrameHandler = (buf, start, end) => this.push(buf.toString('utf8', start, end));
  closed = false;
  private closeSent = false;
  private pending: Buffer | undefined;
  private readonly queue: string[] = [];
  private waiter?: { resolve: (text: string) => void; reject: (error: Error) => void };
  private readonly closeWaiters: (() => void)[] = [];

  private constructor(
    readonly socket: net.Socket,
    private readonly engineIo: boolean,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {}); // followed by 'close', which is what callers watch
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.reject(new Error('socket closed'));
      this.waiter = undefined;
      for (const done of this.closeWaiters.splice(0)) done();
    });
  }

  /** Opens a socket and completes the HTTP upgrade; a refusal rejects with UpgradeRefused(status). */
  static open(options: WireOptions): Promise<WireSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: options.port, localAddress: options.localAddress });
      const headers = Object.entries(options.headers ?? {})
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.once('connect', () =>
        socket.write(
          `GET ${options.path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`,
        ),
      );
      let head = Buffer.alloc(0);
      const fail = (error: Error) => {
        socket.destroy();
        reject(error);
      };
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        socket.off('error', fail);
        socket.off('close', onEarlyClose);
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head.toString('latin1', 0, 16))?.[1]);
        if (status !== 101) return fail(new UpgradeRefused(status));
        const wire = new WireSocket(socket, options.engineIo ?? false);
        resolve(wire);
        // Frames that came in the same chunk as the 101 (a welcome) are parsed after the caller has the socket.
        if (end + 4 < head.length) wire.receive(head.subarray(end + 4));
      };
      const onEarlyClose = () => fail(new Error('connection closed during the upgrade'));
      socket.on('data', onData);
      socket.once('error', fail);
      socket.once('close', onEarlyClose);
    });
  }

  sendText(text: string): void {
    this.writeFrame(0x1, Buffer.from(text));
  }

  /** Next decoded text frame (for set-up and request/response traffic, not for counting). */
  next(): Promise<string> {
    const text = this.queue.shift();
    if (text !== undefined) return Promise.resolve(text);
    if (this.closed) return Promise.reject(new Error('socket closed'));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Drops queued frames (a join's replay) and goes back to queueing. */
  reset(): void {
    this.queue.length = 0;
    this.onFrame = (buf, start, end) => this.push(buf.toString('utf8', start, end));
  }

  /** Close handshake: our close frame, the server's answer, then the server ends TCP. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    this.closeSent = true;
    this.writeFrame(0x8, Buffer.from([0x03, 0xe8])); // 1000
    // A server that never answers must not hang the run.
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    return done.finally(() => clearTimeout(timer));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private push(text: string): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter.resolve(text);
    else this.queue.push(text);
  }

  /** Client frames are masked (RFC 6455 §5.3); they are few (sends, not deliveries), so this need not be fast. */
  private writeFrame(opcode: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    const length = payload.length;
    const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(header + 4 + length);
    frame[0] = 0x80 | opcode;
    if (length < 126) frame[1] = 0x80 | length;
    else if (length < 65536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    const mask = randomBytes(4);
    mask.copy(frame, header);
    for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i]! ^ mask[i & 3]!;
    this.socket.write(frame);
  }

  private receive(chunk: Buffer): void {
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    const now = performance.now();
    let at = 0;
    while (buf.length - at >= 2) {
      const opcode = buf[at]! & 0x0f;
      let length = buf[at + 1]! & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (buf.length - at < 4) break;
        length = buf.readUInt16BE(at + 2);
        start = at + 4;
      } else if (length === 127) {
        if (buf.length - at < 10) break;
        length = Number(buf.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      const end = start + length;
      if (end > buf.length) break;
      at = end;
      // Servers do not fragment these small frames; a continuation would show up as garbage and fail a check.
      if (opcode === 0x1 || opcode === 0x0) {
        if (this.engineIo && length === 1 && buf[start] === 0x32) this.sendText('3');
        else this.onFrame(buf, start, end, now);
      } else if (opcode === 0x9) this.writeFrame(0xa, Buffer.from(buf.subarray(start, end)));
      else if (opcode === 0x8) {
        if (!this.closeSent) this.writeFrame(0x8, Buffer.from(buf.subarray(start, Math.min(end, start + 2))));
        this.closeSent = this.closed = true;
        this.socket.end();
      }
    }
    if (at < buf.length) this.pending = Buffer.from(buf.subarray(at));
  }
}
