// The minimal admin API, for tokens (or page sessions) with the `admin` scope: every account with its state,
// disabling and enabling (what `parley user disable` does: every login and socket of the user ends at once, on
// every node, through the revocation feed), and whether registration is open, at run time, for every node.
import type { FastifyInstance } from 'fastify';
import { AdminUser, ErrorBody, ParleyError, ServerSettings, SetUserState } from 'parley-chat-protocol';
import Type from 'typebox';
import type { AccountService } from '../auth/accounts.js';
import type { Authenticator } from '../auth/authenticator.js';
import { authGate } from '../auth/gate.js';
import type { Registration } from '../auth/registration.js';
import type { User } from '../domain/accounts.js';
import { protectedBy } from '../http/security.js';

export interface AdminRoutesOptions {
  accounts: AccountService;
  registration: Registration;
  authenticator: Authenticator;
  allowedOrigins: readonly string[];
  /** A revocation was just recorded: read the feed now rather than at the next poll. */
  revoked(): void;
}

const userJson = (user: User): AdminUser => ({
  username: user.username,
  ...(user.displayName ? { display_name: user.displayName } : {}),
  scopes: user.scopes,
  disabled: user.disabled,
  external: user.issuer !== undefined,
  created_at: user.createdAt,
});

export async function adminRoutes(app: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const { accounts, registration } = options;
  app.addHook(
    'preValidation',
    authGate(options.authenticator, { cookie: true, handshake: false, allowedOrigins: options.allowedOrigins, scope: 'admin' }),
  );
  const security = protectedBy('admin');
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

  app.get(
    '/admin/users',
    {
      schema: { tags: ['admin'], summary: 'Every account, disabled ones included', security, response: { 200: Type.Array(AdminUser), ...errors } },
    },
    async () => (await accounts.list()).map(userJson),
  );

  app.patch(
    '/admin/users/:username',
    {
      schema: {
        tags: ['admin'],
        summary: 'Disable or enable an account (disabling ends its logins and sockets at once, as `parley user disable` does)',
        security,
        params: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: SetUserState,
        response: { 200: AdminUser, ...errors },
      },
    },
    async (request) => {
      const { username } = request.params as { username: string };
      const { disabled } = request.body as SetUserState;
      if (disabled && username === request.principal!.username) throw new ParleyError('forbidden', 'you cannot disable your own account');
      const user = await accounts.setDisabled(username, disabled);
      if (disabled) options.revoked();
      return userJson(user);
    },
  );

  app.get(
    '/admin/settings',
    {
      schema: { tags: ['admin'], summary: 'Run-time settings every node shares', security, response: { 200: ServerSettings, ...errors } },
    },
    async () => ({ registration: (await registration.refresh()) ? 'open' : 'closed' }),
  );

  app.patch(
    '/admin/settings',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change run-time settings: `registration` open or closed, for every node at once',
        security,
        body: Type.Partial(ServerSettings),
        response: { 200: ServerSettings, ...errors },
      },
    },
    async (request) => {
      const body = request.body as Partial<ServerSettings>;
      if (body.registration !== undefined) await registration.set(body.registration === 'open');
      return { registration: (await registration.refresh()) ? 'open' : 'closed' };
    },
  );
}
