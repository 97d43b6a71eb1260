// Peer: a plain `ws` server, the ws README's way. The upgrade is authenticated before the handshake (the same
// JWT check as Parley), /echo is Parley's /secured-ws, /relay broadcasts each message to every socket on it.

import { once } from 'node:events';
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { parseJson, toMessage } from './chat.js';
import type { JwtCheck } from './jwt.js';
import type { Started } from './started.js';

export async function startWs(jwt: JwtCheck): Promise<Started> {
  const server = http.createServer((_request, response) => response.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  const relay = new Set<WebSocket>();

  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    void jwt.bearer(request.headers.authorization).then((user) => {
      if (!user) return void socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n');
      if (request.url !== '/echo' && request.url !== '/relay') return void socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      wss.handleUpgrade(request, socket, head, (ws) => (request.url === '/echo' ? echo(ws, user) : join(ws, user)));
    });
  });

  function echo(ws: WebSocket, user: string): void {
    ws.send(`Welcome ${user}!`);
    ws.on('message', (data) => ws.send(`You wrote: ${data.toString()}`));
  }

  function join(ws: WebSocket, user: string): void {
    relay.add(ws);
    ws.on('close', () => relay.delete(ws));
    ws.send(JSON.stringify({ type: 'welcome', user }));
    ws.on('message', (data) => {
      const message = toMessage(parseJson(data.toString()), user);
      if (!message) return;
      // Encoded to bytes once for the room (a string would be converted again for every socket).
      const frame = Buffer.from(JSON.stringify(message));
      for (const client of relay) if (client.readyState === WebSocket.OPEN) client.send(frame, { binary: false });
    });
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const ws of relay) ws.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
