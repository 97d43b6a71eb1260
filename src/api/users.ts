// People: the directory (prefix search for autocomplete, never a disabled account) and your own profile.
// `PATCH /users/me` changes what is given; a display name is how you are shown, the username stays your id.
import type { FastifyInstance } from 'fastify';
import { DirectoryUser, ErrorBody, Limits, Me, UpdateMe } from 'parley-chat-protocol';
import Type from 'typebox';
import type { AccountService } from '../auth/accounts.js';
import type { Authenticator } from '../auth/authenticator.js';
import { authGate } from '../auth/gate.js';
import type { ChatService } from '../chat/service.js';

export interface UserRoutesOptions {
  accounts: AccountService;
  chat: ChatService;
  authenticator: Authenticator;
  allowedOrigins: readonly string[];
}

export async function userRoutes(app: FastifyInstance, options: UserRoutesOptions): Promise<void> {
  const { accounts, chat } = options;
  app.addHook(
    'preValidation',
    authGate(options.authenticator, { cookie: true, handshake: false, allowedOrigins: options.allowedOrigins, scope: 'chat:read' }),
  );
  const security = [{ bearer: [] }];

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

  app.patch(
    '/users/me',
    {
      schema: {
        tags: ['users'],
        summary: 'Change your profile: `display_name` (`null` or `""` clears it)',
        security,
        body: UpdateMe,
        response: { 200: Me, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const body = request.body as UpdateMe;
      let displayName = (await accounts.profile(principal.username))?.displayName;
      if (body.display_name !== undefined) displayName = (await accounts.setDisplayName(principal.username, body.display_name)).displayName;
      return {
        username: principal.username,
        ...(displayName ? { display_name: displayName } : {}),
        scopes: principal.scopes,
        expires_at: principal.expiresAt,
      };
    },
  );
}
