// Protocol-level pings find sockets whose peer vanished without a close (a laptop lid, a dead NAT entry).
import type { WebSocketServer, WebSocket } from 'ws';

const alive = new WeakSet<WebSocket>();

export function startHeartbeat(server: WebSocketServer, intervalMs = 30_000): () => void {
  server.on('connection', (socket) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
  });
  const timer = setInterval(() => {
    for (const socket of server.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
