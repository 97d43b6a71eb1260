// Writing frames cheaply. Two tricks, both reaching into ws 8's internals (stable across ws 8; without them,
// frames simply go out the ordinary way):
// - corking: a group commit publishes a whole batch in one tick, so each socket gets many frames at once; ws
//   writes every frame separately (a system call each); corking the TCP socket for the rest of the tick turns
//   them into one write.
// - framing once: a broadcast is one OutgoingFrame object handed to every member; the WebSocket frame (header
//   and UTF-8 payload) is built the first time and the same Buffers are written to every socket, so a room of a
//   thousand costs one JSON encode, one UTF-8 encode and one frame header (after Socket.IO's pre-encoded frames).
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import * as ws from 'ws';
import type { OutgoingFrame } from '../chat/entries.js';

interface Sender {
  /** ws's Sender state: 0 when nothing is queued (no compression, no Blob being read). */
  _state: number;
  sendFrame(list: Buffer[], cb?: (error?: Error) => void): void;
}
type FrameBuilder = (data: Buffer, options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }) => Buffer[];

const frame: FrameBuilder | undefined = (ws as unknown as { Sender?: { frame?: FrameBuilder } }).Sender?.frame;
const TEXT = 0x1;

const corked = new WeakSet<WebSocket>();

function cork(socket: WebSocket): void {
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  if (!raw || typeof raw.cork !== 'function' || corked.has(socket)) return;
  corked.add(socket);
  raw.cork();
  process.nextTick(() => {
    corked.delete(socket);
    raw.uncork();
  });
}

/** An answer to one socket. */
export function sendCorked(socket: WebSocket, data: string): void {
  cork(socket);
  socket.send(data);
}

/** A frame that may go to many sockets: framed once, the same bytes written to each. */
export function sendShared(socket: WebSocket, outgoing: OutgoingFrame): void {
  const sender = (socket as unknown as { _sender?: Sender })._sender;
  // Compression (none is negotiated by default) or a queued send needs ws's own path.
  if (!frame || !sender || typeof sender.sendFrame !== 'function' || sender._state !== 0 || socket.extensions !== '') {
    return sendCorked(socket, outgoing.text);
  }
  const prepared = (outgoing.prepared ??= frame(Buffer.from(outgoing.text), {
    fin: true,
    rsv1: false,
    opcode: TEXT,
    mask: false,
    readOnly: false,
  })) as Buffer[];
  cork(socket);
  sender.sendFrame(prepared);
}
