// OAuth2 token endpoint (RFC 6749 §4.3 password grant, §5 responses) and the bearer-protected /users/me.
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import type { Store } from '../store/store.js';
import type { Authenticator } from './authenticator.js';
import { authGate } from './gate.js';
import { checkPassword, chooseScopes, loginAttemptKey } from './grants.js';
import type { Grant, TokenSessions } from './sessions.js';
import type { TicketService } from './tickets.js';

export interface AuthRoutesOptions {
  store: Store;
  sessions: TokenSessions;
  tickets: TicketService;
  authenticator: Authenticator;
  loginRateLimit: number;
}

/** RFC 6749 §5.2 error codes. */
type OAuthError = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';

const OAuthErrorBody = Type.Object({
  error: Type.String({ description: 'RFC 6749 §5.2 error code' }),
  error_description: Type.String(),
});

const TokenRequest = Type.Object({
  grant_type: Type.Optional(Type.String({ description: '"password" (the default) or "refresh_token"' })),
  username: Type.Optional(Type.String({ description: 'password grant' })),
  password: Type.Optional(Type.String({ format: 'password', description: 'password grant' })),
  refresh_token: Type.Optional(Type.String({ description: 'refresh_token grant' })),
  scope: Type.Optional(Type.String({ description: 'space-delimited: chat:read chat:write admin' })),
});

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.String({ description: 'opaque, single use: each refresh returns the next one' }),
  scope: Type.String(),
});

const FORM = 'application/x-www-form-urlencoded';

function oauthError(reply: FastifyReply, error: OAuthError, description: string) {
  return reply.code(400).headers(noStore).send({ error, error_description: description });
}

const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };

export async function authRoutes(app: FastifyInstance, options: AuthRoutesOptions): Promise<void> {
  const { store, sessions, authenticator } = options;

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
        response: { 200: TokenResponse, 400: OAuthErrorBody, 429: OAuthErrorBody },
      },
      config: {
        rateLimit: {
          max: options.loginRateLimit,
          timeWindow: '1 minute',
          keyGenerator: (request) => loginAttemptKey(request.ip, formField(request.body, 'username') ?? ''),
        },
      },
    },
    async (request, reply) => {
      const mediaType = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
      if (mediaType !== FORM) {
        return oauthError(reply, 'invalid_request', `the token endpoint takes ${FORM} bodies`);
      }
      const body = request.body as Record<string, unknown> | undefined;
      for (const [name, value] of Object.entries(body ?? {})) {
        if (typeof value !== 'string') return oauthError(reply, 'invalid_request', `parameter ${name} is repeated`);
      }
      const grantType = formField(body, 'grant_type') ?? 'password';
      if (grantType === 'refresh_token') {
        const refreshToken = formField(body, 'refresh_token');
        if (!refreshToken) return oauthError(reply, 'invalid_request', 'missing parameter: refresh_token');
        const rotated = await sessions.rotate(refreshToken, formField(body, 'scope'));
        if (!rotated.ok) return oauthError(reply, rotated.error, rotated.description);
        return reply.headers(noStore).send(tokenResponse(rotated.grant));
      }
      if (grantType !== 'password') {
        return oauthError(reply, 'unsupported_grant_type', `grant_type ${grantType} is not supported; use password or refresh_token`);
      }
      const username = formField(body, 'username');
      const password = formField(body, 'password');
      if (!username || !password) {
        return oauthError(reply, 'invalid_request', `missing parameter: ${!username ? 'username' : 'password'}`);
      }
      const user = await checkPassword(store, username, password);
      if (!user) return oauthError(reply, 'invalid_grant', 'incorrect username or password');
      const choice = chooseScopes(user, formField(body, 'scope'));
      if (!choice.ok) return oauthError(reply, 'invalid_scope', choice.description);
      return reply.headers(noStore).send(tokenResponse(await sessions.start(user.username, choice.scopes)));
    },
  );

  app.post(
    '/token/revoke',
    {
      schema: {
        tags: ['oauth2'],
        summary: 'RFC 7009 revocation: a refresh token revokes its whole login, an access token itself',
        description: 'Always 200, whether or not the token was valid (RFC 7009 §2.2). Live sockets on a revoked token close with 4003.',
        consumes: [FORM],
        body: Type.Object({ token: Type.String(), token_type_hint: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({}), 400: OAuthErrorBody },
      },
      attachValidation: true,
    },
    async (request, reply) => {
      const body = request.body as Record<string, unknown> | undefined;
      const token = formField(body, 'token');
      if (!token) return oauthError(reply, 'invalid_request', 'missing parameter: token');
      // A JWT has dots; a refresh token never does. The hint is only a hint (RFC 7009 §2.1).
      if (token.includes('.')) {
        const result = await authenticator.verify(token);
        if (result.ok) await sessions.revokeAccess(result.principal);
      } else {
        await sessions.revokeRefreshToken(token);
      }
      return reply.headers(noStore).send({});
    },
  );

  app.post(
    '/ws-ticket',
    {
      preValidation: authGate(authenticator, { cookie: false, handshake: false }),
      schema: {
        tags: ['websocket'],
        summary: 'A one-time ticket for ws://…/ws?ticket=… (single use, 30 seconds)',
        description: 'For clients that hold a bearer token but cannot set headers on a WebSocket (browsers).',
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ ticket: Type.String(), expires_in: Type.Integer() }), 401: OAuthErrorBody },
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
      preValidation: authGate(authenticator, { cookie: false, handshake: false }),
      schema: {
        tags: ['users'],
        summary: 'The user the bearer token belongs to',
        security: [{ bearer: [] }],
        response: {
          200: Type.Object({ username: Type.String(), scopes: Type.Array(Type.String()), expires_at: Type.Integer() }),
          401: OAuthErrorBody,
        },
      },
    },
    async (request) => {
      const principal = request.principal!;
      return { username: principal.username, scopes: principal.scopes, expires_at: principal.expiresAt };
    },
  );
}

export function tokenResponse(grant: Grant) {
  return {
    access_token: grant.access.token,
    token_type: 'bearer' as const,
    expires_in: grant.access.expiresIn,
    refresh_token: grant.refreshToken,
    scope: grant.access.principal.scopes.join(' '),
  };
}

function formField(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
