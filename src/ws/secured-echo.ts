// The recipe's endpoint, byte for byte: "Welcome {username}!" then "You wrote: {data}" per text frame.
import type { FastifyInstance } from 'fastify';
import { CloseEvents } from './close-codes.js';
import { TokenLife } from './token-life.js';

export async function securedEchoRoute(app: FastifyInstance): Promise<void> {
  app.get('/secured-ws', { websocket: true, schema: { hide: true } }, (socket, request) => {
    const life = new TokenLife(socket, request.principal!);
    socket.send(`Welcome ${life.current.username}!`);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return socket.close(CloseEvents.unsupportedData.code, CloseEvents.unsupportedData.reason);
      socket.send(`You wrote: ${data.toString()}`);
    });
  });
}
