// OAuth2 token endpoint (RFC 6749 §4.3 password grant, §5 responses) and the bearer-protected /users/me.
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import type { Store } from '../store/store.js';
import type { Authenticator } from './authenticator.js';
import { authGate } from './gate.js';
import { checkPassword, chooseScopes } from './grants.js';
import type { TokenService } from './tokens.js';

export interface AuthRoutesOptions {
  store: Store;
  tokens: TokenService;
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
  grant_type: Type.String({ description: '"password"' }),
  username: Type.String(),
  password: Type.String({ format: 'password' }),
  scope: Type.Optional(Type.String({ description: 'space-delimited: chat:read chat:write admin' })),
});

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
});

const FORM = 'application/x-www-form-urlencoded';

function oauthError(reply: FastifyReply, error: OAuthError, description: string) {
  return reply.code(400).headers(noStore).send({ error, error_description: description });
}

const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };

export async function authRoutes(app: FastifyInstance, options: AuthRoutesOptions): Promise<void> {
  const { store, tokens } = options;

  app.post(
    '/token',
    {
      // The grant is form-encoded by definition; field checks are ours so that errors speak RFC 6749.
      attachValidation: true,
      schema: {
        tags: ['oauth2'],
        summary: 'OAuth2 token endpoint (password grant)',
        consumes: [FORM],
        body: TokenRequest,
        response: { 200: TokenResponse, 400: OAuthErrorBody, 429: OAuthErrorBody },
      },
      config: {
        rateLimit: {
          max: options.loginRateLimit,
          timeWindow: '1 minute',
          keyGenerator: (request) => `${request.ip}|${formField(request.body, 'username') ?? ''}`,
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
      if (grantType !== 'password') {
        return oauthError(reply, 'unsupported_grant_type', `grant_type ${grantType} is not supported; use password`);
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
      const issued = await tokens.issue(user.username, choice.scopes);
      return reply.headers(noStore).send({
        access_token: issued.token,
        token_type: 'bearer',
        expires_in: issued.expiresIn,
        scope: choice.scopes.join(' '),
      });
    },
  );

  app.get(
    '/users/me',
    {
      preValidation: authGate(options.authenticator, { allowCookie: false }),
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

function formField(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
