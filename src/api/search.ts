// Message search over every room the caller may read. The chat service decides which rooms; the store's
// full-text index (FTS5 on SQLite, tsvector on PostgreSQL) ranks the matches.
import type { FastifyInstance } from 'fastify';
import { ErrorBody, Limits, RoomName, SearchHit } from 'parley-chat-protocol';
import Type from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { authGate } from '../auth/gate.js';
import type { ChatService } from '../chat/service.js';
import { protectedBy } from '../http/security.js';

export interface SearchRoutesOptions {
  chat: ChatService;
  authenticator: Authenticator;
  allowedOrigins: readonly string[];
}

export async function searchRoutes(app: FastifyInstance, options: SearchRoutesOptions): Promise<void> {
  app.addHook(
    'preValidation',
    authGate(options.authenticator, { cookie: true, handshake: false, allowedOrigins: options.allowedOrigins, scope: 'chat:read' }),
  );

  app.get(
    '/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Search messages in every room you may read (or in one): best matches first, with where each is',
        description:
          'Every word of `q` must occur (English stemming: "deploys" finds "deployed"); query syntax is never read. Messages match as they stand now: edited ones by their current text, deleted ones never. `before`: only messages sent before that time (ms since the epoch), to look further back. Each hit has the `seq` to jump to and a `snippet` with the matches between U+0002 and U+0003.',
        security: protectedBy('chat:read'),
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: Limits.searchQueryLength }),
          room: Type.Optional(RoomName),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.searchMax, default: Limits.searchDefault })),
        }),
        response: { 200: Type.Array(SearchHit), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const query = request.query as { q: string; room?: string; before?: number; limit?: number };
      return options.chat.search(request.principal!, {
        q: query.q,
        ...(query.room !== undefined ? { room: query.room } : {}),
        ...(query.before !== undefined ? { before: query.before } : {}),
        limit: query.limit ?? Limits.searchDefault,
      });
    },
  );
}
