// OAuth2 token endpoint (RFC 6749 §4.3 password grant, §6 refresh, §5 responses), RFC 7009 revocation,
// socket tickets and /users/me. Errors are thrown as ParleyError; src/http/errors.ts renders them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorBody, Me, ParleyError, TicketResponse, TokenResponse } from 'parley-chat-protocol';
import Type from 'typebox';
import { protectedBy } from '../http/security.js';
import type { AccountService } from './accounts.js';
import type { AttemptBudgets } from './attempts.js';
import type { Authenticator } from './authenticator.js';
import { ifRefused } from './failures.js';
import { authGate } from './gate.js';
import { chooseScopes, tokenResponse } from './grants.js';
import { profileRoutes } from './profile.js';
import type { Grant, TokenSessions } from './sessions.js';
import type { TicketService } from './tickets.js';

export interface AuthRoutesOptions {
  accounts: AccountService;
  sessions: TokenSessions;
  tickets: TicketService;
  authenticator: Authenticator;
  budgets: AttemptBudgets;
  allowedOrigins: readonly string[];
}

const TokenRequest = Type.Object({
  grant_type: Type.Optional(Type.String({ description: '"password" (the default) or "refresh_token"' })),
  username: Type.Optional(Type.String({ description: 'password grant' })),
  password: Type.Optional(Type.String({ format: 'password', description: 'password grant' })),
  refresh_token: Type.Optional(Type.String({ description: 'refresh_token grant' })),
  scope: Type.Optional(Type.String({ description: 'space-delimited: chat:read chat:write admin' })),
});

const FORM = 'application/x-www-form-urlencoded';
const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };

/**
 * The form's fields, each once: RFC 6749 §3.2 bodies are form-encoded (JSON is refused) and a repeated
 * parameter is an error (§3.1).
 */
function formBody(request: FastifyRequest): Record<string, string> {
  const mediaType = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType !== FORM) throw new ParleyError('invalid_request', `the token endpoints take ${FORM} bodies`);
  const body = (request.body ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== 'string') throw new ParleyError('invalid_request', `parameter ${name} is repeated`);
  }
  return body as Record<string, string>;
}

function required(body: Record<string, string>, name: string): string {
  const value = body[name];
  if (!value) throw new ParleyError('invalid_request', `missing parameter: ${name}`);
  return value;
}

export async function authRoutes(app: FastifyInstance, options: AuthRoutesOptions): Promise<void> {
  const { sessions, authenticator, accounts, budgets } = options;
  const bearer = authGate(authenticator, { cookie: false, handshake: false });

  app.post(
    '/token',
    {
      // The grant is form-encoded by definition; field checks are ours so that errors speak RFC 6749.
      attachValidation: true,
      schema: {
        tags: ['oauth2'],
        summary: 'OAuth2 token endpoint (password and refresh_token grants)',
        consumes: [FORM],
        body: TokenRequest,
        response: { 200: TokenResponse, 400: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
      config: {
        crossOrigin: true,
      },
    },
    async (request, reply) => {
      const body = formBody(request);
      const grantType = body.grant_type ?? 'password';
      let grant: Grant;
      if (grantType === 'refresh_token') {
        const refreshToken = required(body, 'refresh_token');
        await budgets.spend(request, { refreshToken });
        grant = await sessions.rotate(refreshToken, body.scope);
      } else if (grantType === 'password') {
        const username = required(body, 'username');
        await budgets.spend(request, { username });
        const user = await accounts.checkPassword(username, required(body, 'password'));
        if (!user) throw new ParleyError('invalid_grant', 'incorrect username or password');
        grant = await sessions.start(user.username, chooseScopes(user, body.scope), user.revokedBefore);
      } else {
        throw new ParleyError('unsupported_grant_type', `grant_type ${grantType} is not supported; use password or refresh_token`);
      }
      return reply.headers(noStore).send(tokenResponse(grant));
    },
  );

  app.post(
    '/token/revoke',
    {
      config: { crossOrigin: true },
      attachValidation: true,
      schema: {
        tags: ['oauth2'],
        summary: 'RFC 7009 revocation: a refresh token revokes its whole login, an access token itself',
        description: 'Always 200, whether or not the token was valid (RFC 7009 §2.2). Live sockets on a revoked token close with 4403.',
        consumes: [FORM],
        body: Type.Object({ token: Type.String(), token_type_hint: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({}), 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const token = required(formBody(request), 'token');
      // A JWT has dots; a refresh token never does. The hint is only a hint (RFC 7009 §2.1).
      if (token.includes('.')) {
        const principal = await authenticator.verify(token).catch(ifRefused(undefined));
        if (principal) await sessions.revokeAccess(principal);
      } else {
        await sessions.revokeRefreshToken(token);
      }
      return reply.headers(noStore).send({});
    },
  );

  app.post(
    '/ws-ticket',
    {
      preValidation: bearer,
      schema: {
        tags: ['websocket'],
        summary: 'A one-time ticket for ws://…/ws?ticket=… (single use, 30 seconds)',
        description: 'For clients that hold a bearer token but cannot set headers on a WebSocket (browsers).',
        security: protectedBy(),
        response: { 200: TicketResponse, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const { ticket, expiresIn } = await options.tickets.issue(request.principal!);
      return reply.headers(noStore).send({ ticket, expires_in: expiresIn });
    },
  );

  app.get(
    '/users/me',
    {
      preValidation: bearer,
      schema: { tags: ['users'], summary: 'The user the bearer token belongs to', security: protectedBy(), response: { 200: Me, 401: ErrorBody } },
    },
    async (request) => {
      const principal = request.principal!;
      const displayName = (await accounts.profile(principal.username))?.displayName;
      return {
        username: principal.username,
        ...(displayName ? { display_name: displayName } : {}),
        scopes: principal.scopes,
        expires_at: principal.expiresAt,
      };
    },
  );

  await profileRoutes(app, options);
}
