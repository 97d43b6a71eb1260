// Once a socket is open, the HTTP exchange that opened it is over, yet @fastify/websocket leaves two things holding
// its request for as long as the socket lives: the stand-in response it assigns to the TCP connection (routing the
// upgrade through Fastify), and a per-socket 'error' listener closing over the Fastify request and reply. Together
// they keep ~5 KiB per idle socket — the headers, the bearer token among them. We let both go.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** Shared by every socket (`this` is the socket): a socket error (a bad frame, a reset) ends that socket. */
export type SocketErrorListener = (this: WebSocket, error: Error) => void;

export function releaseUpgradeRequest(socket: WebSocket, connection: Socket, onError: SocketErrorListener): void {
  (connection as Socket & { _httpMessage?: ServerResponse | null })._httpMessage?.detachSocket(connection);
  socket.removeAllListeners('error');
  socket.on('error', onError);
}
