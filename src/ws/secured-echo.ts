// The recipe's endpoint, byte for byte: "Welcome {username}!" then "You wrote: {data}" per text frame.
import type { FastifyInstance } from 'fastify';
import { CloseEvents } from './close-codes.js';
import type { LiveSockets } from './live-sockets.js';

export async function securedEchoRoute(app: FastifyInstance, options: { live: LiveSockets }): Promise<void> {
  app.get('/secured-ws', { websocket: true, schema: { hide: true } }, (socket, request) => {
    // Plain text protocol: no `expiring` frame, but expiry (4001) and revocation (4003) still apply.
    const life = options.live.track(socket, request.principal!);
    socket.send(`Welcome ${life.current.username}!`);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return socket.close(CloseEvents.unsupportedData.code, CloseEvents.unsupportedData.reason);
      socket.send(`You wrote: ${data.toString()}`);
    });
  });
}
