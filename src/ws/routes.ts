// The WebSocket endpoints behind one upgrade gate: auth, Origin and the user's socket budget are settled before
// the handshake, so a refused client gets a plain HTTP answer and no socket is opened.
import type { FastifyInstance } from 'fastify';
import { ParleyError } from 'parley-chat-protocol';
import type { WebSocket } from 'ws';
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
  maxSocketsPerUser: number;
}

/** A socket is closed by its user or by a budget, not on a schedule: a guess at when a place frees up. */
const SOCKET_RETRY_AFTER_SECONDS = 10;

const sendExpiring = (socket: WebSocket, at: number) => socket.send(encode({ type: 'expiring', at }));

export async function wsRoutes(app: FastifyInstance, options: WsRoutesOptions): Promise<void> {
  const { live } = options;
  options.revocations.on((revocation) => live.apply(revocation));
  app.addHook('preValidation', async () => {
    if (options.draining()) throw new ParleyError('unavailable', 'this node is shutting down: connect to another one');
  });
  app.addHook('preValidation', authGate(options.authenticator, { cookie: true, handshake: true, allowedOrigins: options.allowedOrigins }));
  // After the gate: the place is the authenticated user's. Counted per node (LiveSockets).
  app.addHook('preValidation', async (request, reply) => {
    const { username } = request.principal!;
    if (live.reserve(request.raw.socket, username)) return;
    options.refusals.refused('sockets_per_user');
    reply.header('retry-after', String(SOCKET_RETRY_AFTER_SECONDS));
    throw new ParleyError(
      'too_many_sockets',
      `${username} already has ${options.maxSocketsPerUser} sockets open on this server (the most one user may); close one and try again`,
    );
  });

  const { frameRate, maxBufferedBytes, refusals } = options;
  await app.register(securedEchoRoute, { live, frameRate, maxBufferedBytes, refusals });

  // helmet: false — its headers are never sent on an upgrade, and building them costs every handshake.
  app.get('/ws', { websocket: true, helmet: false, schema: { hide: true } }, (socket, request) => {
    const life = live.track(socket, request.principal!, request.raw.socket, sendExpiring);
    new ChatSession(life, options.chat, options.authenticator, app.log, request.id, options);
  });
}
