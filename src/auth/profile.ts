// PATCH /users/me: a user changes their own account, with a bearer token or the chat page's cookie. Each field of
// the body is one change (CHANGES); a new one is one more entry there and in UpdateMe.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorBody, ParleyError, UpdateMe, UpdateMeResponse } from 'parley-chat-protocol';
import { protectedBy } from '../http/security.js';
import type { AccountService } from './accounts.js';
import type { AttemptBudgets } from './attempts.js';
import type { Authenticator } from './authenticator.js';
import { setSessionCookies } from './cookies.js';
import { authGate } from './gate.js';
import { tokenResponse } from './grants.js';
import type { Principal } from './principal.js';
import type { Grant, TokenSessions } from './sessions.js';

export interface ProfileOptions {
  accounts: AccountService;
  sessions: TokenSessions;
  authenticator: Authenticator;
  budgets: AttemptBudgets;
  allowedOrigins: readonly string[];
}

interface ChangeContext {
  request: FastifyRequest;
  principal: Principal;
  body: UpdateMe;
  options: ProfileOptions;
}

/** Applies one field; a change that ends the caller's tokens answers the grant that replaces them. */
type Change = (context: ChangeContext) => Promise<Grant | undefined>;

/**
 * A password change: the current password must match (counted against the username's attempt budget, like a
 * login); every token issued before it dies, every other login of the user is revoked (their sockets close with
 * 4403), and the caller's login goes on with a new pair.
 */
const changePassword: Change = async ({ request, principal, body, options }) => {
  if (body.current_password === undefined) throw new ParleyError('invalid_request', 'send current_password with the new password');
  await options.budgets.spend(request, { username: principal.username });
  const cutoff = await options.accounts.changePassword(principal.username, body.current_password, body.password!);
  return options.sessions.keepOnly(principal.username, principal.scopes, principal.family ?? randomUUID(), cutoff);
};

/** How the user is shown (`null` or `""` clears it); the username stays their id. */
const changeDisplayName: Change = async ({ principal, body, options }) => {
  await options.accounts.setDisplayName(principal.username, body.display_name ?? null);
  return undefined;
};

/** In the order they apply. `current_password` is not a change of its own: it accompanies `password`. */
const CHANGES: [keyof UpdateMe, Change][] = [
  ['display_name', changeDisplayName],
  ['password', changePassword],
];

export async function profileRoutes(app: FastifyInstance, options: ProfileOptions): Promise<void> {
  const gate = authGate(options.authenticator, { cookie: true, handshake: false, allowedOrigins: options.allowedOrigins });

  // Fastify's validator drops unknown fields silently; a field this server does not know must not look accepted.
  const known = new Set(Object.keys(UpdateMe.properties));
  const onlyKnownFields = async (request: FastifyRequest) => {
    const body = request.body;
    const unknown = body && typeof body === 'object' ? Object.keys(body).filter((field) => !known.has(field)) : [];
    if (unknown.length > 0)
      throw new ParleyError('invalid_request', `unknown field ${unknown.join(', ')}: only ${[...known].join(', ')} can be changed`);
  };

  app.patch(
    '/users/me',
    {
      preValidation: [gate, onlyKnownFields],
      schema: {
        tags: ['users'],
        summary: 'Change your own account: `display_name`, or the password (with the current one)',
        description:
          "Bearer token or the chat page's cookie. A password change ends every other login of the user (their sockets close with 4403) " +
          'and every token issued before it; a bearer caller gets a new pair in `token`, a cookie caller new cookies.',
        security: protectedBy(),
        body: UpdateMe,
        response: { 200: UpdateMeResponse, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const body = request.body as UpdateMe;
      const principal = request.principal!;
      const asked = CHANGES.filter(([field]) => body[field] !== undefined);
      if (asked.length === 0) throw new ParleyError('invalid_request', `nothing to change: send ${CHANGES.map(([field]) => field).join(' or ')}`);
      let grant: Grant | undefined;
      for (const [, change] of asked) grant = (await change({ request, principal, body, options })) ?? grant;

      const byCookie = request.headers.authorization === undefined;
      if (grant && byCookie) setSessionCookies(request, reply, grant);
      const now = grant?.access.principal ?? principal;
      const displayName = (await options.accounts.profile(now.username))?.displayName;
      return reply.header('cache-control', 'no-store').send({
        username: now.username,
        ...(displayName ? { display_name: displayName } : {}),
        scopes: now.scopes,
        expires_at: now.expiresAt,
        ...(grant && !byCookie ? { token: tokenResponse(grant) } : {}),
      });
    },
  );
}
