// People: the directory (prefix search for autocomplete, never a disabled account). Your own profile, the display
// name included, is changed by `PATCH /users/me` (src/auth/profile.ts).
import type { FastifyInstance } from 'fastify';
import { DirectoryUser, ErrorBody, Limits } from 'parley-chat-protocol';
import Type from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { authGate } from '../auth/gate.js';
import type { ChatService } from '../chat/service.js';
import { protectedBy } from '../http/security.js';

export interface UserRoutesOptions {
  chat: ChatService;
  authenticator: Authenticator;
  allowedOrigins: readonly string[];
}

export async function userRoutes(app: FastifyInstance, options: UserRoutesOptions): Promise<void> {
  const { chat } = options;
  app.addHook(
    'preValidation',
    authGate(options.authenticator, { cookie: true, handshake: false, allowedOrigins: options.allowedOrigins, scope: 'chat:read' }),
  );
  const security = protectedBy('chat:read');

  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'People whose username or display name starts with `q` (for autocomplete); disabled accounts never appear',
        security,
        querystring: Type.Object({
          q: Type.String({ maxLength: 64, default: '' }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.directoryMax, default: Limits.directoryDefault })),
        }),
        response: { 200: Type.Array(DirectoryUser), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const { q, limit } = request.query as { q?: string; limit?: number };
      const people = await chat.people(request.principal!, q ?? '', limit ?? Limits.directoryDefault);
      return people.map((person) => ({ username: person.username, ...(person.displayName ? { display_name: person.displayName } : {}) }));
    },
  );
}
