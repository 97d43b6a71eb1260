// The recipe's endpoint, byte for byte: "Welcome {username}!" then "You wrote: {data}" per text frame.
import type { FastifyInstance } from 'fastify';
import { onTextFrame } from './frame-budget.js';
import type { LiveSockets } from './live-sockets.js';

export async function securedEchoRoute(app: FastifyInstance, options: { live: LiveSockets; frameRate: number }): Promise<void> {
  // helmet: false — its headers are never sent on an upgrade, and building them costs every handshake.
  app.get('/secured-ws', { websocket: true, helmet: false, schema: { hide: true } }, (socket, request) => {
    // Plain text protocol: no `expiring` frame, but expiry (4001) and revocation (4403) still apply.
    const life = options.live.track(socket, request.principal!);
    socket.send(`Welcome ${life.current.username}!`);
    onTextFrame(socket, options.frameRate, (text) => socket.send(`You wrote: ${text}`));
  });
}
