// The WebSocket endpoints behind one upgrade gate: auth and Origin are settled before the handshake.
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import { authGate } from '../auth/gate.js';
import type { ChatService } from '../chat/service.js';
import { ChatSession } from './chat-session.js';
import { securedEchoRoute } from './secured-echo.js';

export interface WsRoutesOptions {
  authenticator: Authenticator;
  chat: ChatService;
  allowedOrigins: readonly string[];
}

export async function wsRoutes(app: FastifyInstance, options: WsRoutesOptions): Promise<void> {
  app.addHook('preValidation', authGate(options.authenticator, { allowCookie: true, allowedOrigins: options.allowedOrigins }));

  await app.register(securedEchoRoute);

  app.get('/ws', { websocket: true, schema: { hide: true } }, (socket, request) => {
    new ChatSession(socket, request.principal!, options.chat, options.authenticator, (error) =>
      request.log.error({ err: error }, 'chat frame failed'),
    );
  });
}
