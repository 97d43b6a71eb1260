// Peer: Socket.IO 4, websocket transport only (no long-polling, as a client configured with
// transports: ['websocket'] uses it). Authentication is Socket.IO's own way: a middleware checking the
// `auth.token` of the CONNECT packet (or an Authorization header) with the same JWT check as Parley.
// Connections with ?mode=echo get Parley's /secured-ws text protocol as "message" events; the others join
// room `general`, where every "send" is emitted to every member (encoded once by Socket.IO's broadcast).

import { once } from 'node:events';
import http from 'node:http';
import { Server } from 'socket.io';
import { toMessage } from './chat.js';
import type { JwtCheck } from './jwt.js';
import type { Started } from './started.js';

export async function startSocketIo(jwt: JwtCheck): Promise<Started> {
  const server = http.createServer();
  const io = new Server(server, { transports: ['websocket'], serveClient: false, perMessageDeflate: false, maxHttpBufferSize: 64 * 1024 });

  io.use((socket, next) => {
    const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : undefined;
    const check = token ? jwt.user(token) : jwt.bearer(socket.handshake.headers.authorization);
    void check.then((user) => {
      if (!user) return next(new Error('unauthorized'));
      socket.data.user = user;
      next();
    });
  });

  io.on('connection', (socket) => {
    const user = socket.data.user as string;
    if (socket.handshake.query.mode === 'echo') {
      socket.emit('message', `Welcome ${user}!`);
      socket.on('message', (text: unknown) => socket.emit('message', `You wrote: ${String(text)}`));
      return;
    }
    void socket.join('general');
    socket.emit('welcome', { user });
    socket.on('send', (frame: unknown) => {
      const message = toMessage({ ...(frame as object), type: 'send' }, user);
      if (message) io.to('general').emit('message', message);
    });
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    stop: async () => {
      io.disconnectSockets(true);
      await io.close();
    },
  };
}
