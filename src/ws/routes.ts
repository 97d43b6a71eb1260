// The WebSocket endpoints behind one upgrade gate: auth and Origin are settled before the handshake.
import type { FastifyInstance } from 'fastify';
import { ParleyError } from 'parley-chat-protocol';
import type { Authenticator } from '../auth/authenticator.js';
import { authGate } from '../auth/gate.js';
import type { ChatService } from '../chat/service.js';
import type { Revocation } from '../domain/accounts.js';
import { ChatSession, type SessionSettings } from './chat-session.js';
import { encode } from './frames.js';
import type { LiveSockets } from './live-sockets.js';
import { securedEchoRoute } from './secured-echo.js';

export interface WsRoutesOptions extends SessionSettings {
  authenticator: Authenticator;
  chat: ChatService;
  live: LiveSockets;
  /** Where revocations made anywhere (any node, the CLI) arrive: the matching sockets close with 4403. */
  revocations: { on(listener: (revocation: Revocation) => void): void };
  /** True once the node drains: new sockets are refused (503, retryable) so clients go to another node. */
  draining(): boolean;
  allowedOrigins: readonly string[];
}

export async function wsRoutes(app: FastifyInstance, options: WsRoutesOptions): Promise<void> {
  const { live } = options;
  options.revocations.on((revocation) => live.apply(revocation));
  app.addHook('preValidation', async () => {
    if (options.draining()) throw new ParleyError('unavailable', 'this node is shutting down: connect to another one');
  });
  app.addHook('preValidation', authGate(options.authenticator, { cookie: true, handshake: true, allowedOrigins: options.allowedOrigins }));

  await app.register(securedEchoRoute, { live, frameRate: options.frameRate });

  // helmet: false — its headers are never sent on an upgrade, and building them costs every handshake.
  app.get('/ws', { websocket: true, helmet: false, schema: { hide: true } }, (socket, request) => {
    const life = live.track(socket, request.principal!, (at) => socket.send(encode({ type: 'expiring', at })));
    const onError = (error: unknown) => request.log.error({ err: error }, 'chat frame failed');
    new ChatSession(life, options.chat, options.authenticator, onError, options);
  });
}
