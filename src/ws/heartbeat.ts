// Finds sockets whose peer is gone (a laptop lid, a dead NAT entry) or no longer reads. Every socket is pinged once
// per interval with a random payload and dropped at its next turn when it did not echo that payload — a pong the
// client sends on its own, or an old one, does not count — or when data was waiting for it and none of it was read
// in the whole interval. One timer serves every socket: sockets are spread over the slots of a wheel and each tick
// visits one slot, so the pings of thousands of sockets go out evenly rather than all at once.
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';

export type DeadReason = 'no_pong' | 'not_reading';

export interface HeartbeatOptions {
  intervalMs: number;
  onDead?(reason: DeadReason): void;
}

interface Beat {
  slot: number;
  /** The payload of the ping in flight (48 random bits); 0 before the first. */
  nonce: number;
  answered: boolean;
  /** Bytes the kernel had taken from this socket at the last visit. */
  flushed: number;
}

const SLOTS = 16;
const NONCE_BYTES = 6;

export function startHeartbeat(server: WebSocketServer, options: HeartbeatOptions): () => void {
  const beats = new Map<WebSocket, Beat>();
  const slots = Array.from({ length: SLOTS }, () => new Set<WebSocket>());
  let cursor = 0;

  function onPong(this: WebSocket, data: Buffer): void {
    const beat = beats.get(this);
    if (beat && beat.nonce !== 0 && data.length === NONCE_BYTES && data.readUIntBE(0, NONCE_BYTES) === beat.nonce) beat.answered = true;
  }
  function onClose(this: WebSocket): void {
    const beat = beats.get(this);
    if (!beat) return;
    beats.delete(this);
    slots[beat.slot]!.delete(this);
  }

  server.on('connection', (socket) => {
    // The slot just visited: its next visit is a whole interval away.
    beats.set(socket, { slot: cursor, nonce: 0, answered: false, flushed: flushedBytes(socket) });
    slots[cursor]!.add(socket);
    socket.on('pong', onPong);
    socket.on('close', onClose);
  });

  const timer = setInterval(() => {
    cursor = (cursor + 1) % SLOTS;
    for (const socket of slots[cursor]!) {
      const beat = beats.get(socket)!;
      const flushed = flushedBytes(socket);
      const reason: DeadReason | undefined =
        beat.nonce === 0 ? undefined : !beat.answered ? 'no_pong' : socket.bufferedAmount > 0 && flushed === beat.flushed ? 'not_reading' : undefined;
      if (reason) {
        socket.terminate();
        options.onDead?.(reason);
        continue;
      }
      beat.flushed = flushed;
      beat.answered = false;
      beat.nonce = randomInt(1, 2 ** (8 * NONCE_BYTES) - 1);
      const payload = Buffer.allocUnsafe(NONCE_BYTES);
      payload.writeUIntBE(beat.nonce, 0, NONCE_BYTES);
      socket.ping(payload);
    }
  }, options.intervalMs / SLOTS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Bytes the kernel has accepted for this socket so far: net.Socket's `bytesWritten` counts what is still queued
 * too, `writableLength` is what is queued or in flight. It reaches into ws's `_socket`, as corked-send.ts does;
 * without it, only the ping rule applies.
 */
function flushedBytes(socket: WebSocket): number {
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  return raw ? raw.bytesWritten - raw.writableLength : NaN;
}
