// The recipe's endpoint, byte for byte: "Welcome {username}!" then "You wrote: {data}" per text frame.
// Every write is within the socket's buffer budget: a client that sends and never reads is closed 1013.
import type { FastifyInstance } from 'fastify';
import { type SendBudget, sendWithin } from './bounded-send.js';
import { onTextFrame } from './frame-budget.js';
import type { LiveSockets } from './live-sockets.js';

export interface SecuredEchoOptions extends SendBudget {
  live: LiveSockets;
  frameRate: number;
}

export async function securedEchoRoute(app: FastifyInstance, options: SecuredEchoOptions): Promise<void> {
  // helmet: false — its headers are never sent on an upgrade, and building them costs every handshake.
  app.get('/secured-ws', { websocket: true, helmet: false, schema: { hide: true } }, (socket, request) => {
    // Plain text protocol: no `expiring` frame, but expiry (4001) and revocation (4403) still apply.
    const life = options.live.track(socket, request.principal!, request.raw.socket);
    sendWithin(socket, `Welcome ${life.current.username}!`, options);
    onTextFrame(socket, options.frameRate, (text) => sendWithin(socket, `You wrote: ${text}`, options));
  });
}
