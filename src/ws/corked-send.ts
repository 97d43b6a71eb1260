// A group commit publishes a whole batch in one tick, so each socket gets many frames at once. ws writes
// every frame separately (one writev system call each); corking the TCP socket for the rest of the tick
// turns them into one write. It reaches into ws's `_socket` (the net.Socket it wraps), stable across ws 8;
// without it, sends simply go out uncorked.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

const corked = new WeakSet<WebSocket>();

export function sendCorked(socket: WebSocket, data: string): void {
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  if (raw && typeof raw.cork === 'function' && !corked.has(socket)) {
    corked.add(socket);
    raw.cork();
    process.nextTick(() => {
      corked.delete(socket);
      raw.uncork();
    });
  }
  socket.send(data);
}
