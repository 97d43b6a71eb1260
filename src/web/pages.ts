// The browser side of the recipe: a chat page behind the access cookie, a login that sets it, registration.
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ParleyError } from 'parley-chat-protocol';
import type { AccountService } from '../auth/accounts.js';
import { normalizeUsername } from '../auth/accounts.js';
import type { Authenticator } from '../auth/authenticator.js';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '../auth/credentials.js';
import { AuthFailure, ifRefused } from '../auth/failures.js';
import { originAllowed } from '../auth/gate.js';
import { chooseScopes, loginAttemptKey } from '../auth/grants.js';
import type { Principal } from '../auth/principal.js';
import type { Grant, TokenSessions } from '../auth/sessions.js';
import { chatPage, errorPage, loginPage, registerPage } from './html.js';

export interface PagesOptions {
  accounts: AccountService;
  sessions: TokenSessions;
  authenticator: Authenticator;
  allowedOrigins: readonly string[];
  registrationOpen: boolean;
  loginRateLimit: number;
}


/** `next` must stay on this site: a path, never `//host` or a URL (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  try {
    const base = 'http://parley.invalid';
    const url = new URL(next, base);
    return url.origin === base ? url.pathname + url.search + url.hash : '/';
  } catch {
    return '/';
  }
}

/** The only path the refresh cookie is sent to. */
export const REFRESH_PATH = '/auth/refresh';

export async function pageRoutes(app: FastifyInstance, options: PagesOptions): Promise<void> {
  const { accounts, sessions, authenticator } = options;
  const html = (reply: FastifyReply, status: number, page: string) =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  const form = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const page = { hide: true };
  const rateLimit = {
    max: options.loginRateLimit,
    timeWindow: '1 minute',
    keyGenerator: (request: FastifyRequest) => loginAttemptKey(request.ip, text(form(request).username)),
  };

  /**
   * The access token rides in a Lax cookie on every path (pages and the socket handshake); the refresh token
   * in a Strict cookie sent only to /auth/refresh, so no page load or cross-site request ever carries it.
   */
  function setSessionCookies(request: FastifyRequest, reply: FastifyReply, grant: Grant) {
    const secure = request.protocol === 'https';
    reply.setCookie(ACCESS_COOKIE, grant.access.token, { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: grant.access.expiresIn });
    reply.setCookie(REFRESH_COOKIE, grant.refreshToken, { httpOnly: true, sameSite: 'strict', path: REFRESH_PATH, secure, maxAge: grant.refreshExpiresIn });
  }

  /** The access cookie's principal, if it is (still) good. */
  async function cookiePrincipal(request: FastifyRequest): Promise<Principal | undefined> {
    const token = request.cookies[ACCESS_COOKIE];
    return token ? authenticator.verify(token).catch(ifRefused(undefined)) : undefined;
  }

  async function signIn(request: FastifyRequest, reply: FastifyReply, username: string, scopes: string[], next: string) {
    setSessionCookies(request, reply, await sessions.start(username, scopes));
    return reply.code(303).header('cache-control', 'no-store').redirect(next);
  }

  // Login CSRF: a foreign site must not be able to post these forms with the user's browser.
  const sameOriginPost = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!originAllowed(request, options.allowedOrigins)) {
      const text = 'This form was sent from another site, so it was refused. Open Parley itself and try again.';
      return html(reply, 403, errorPage({ title: 'Refused', text }));
    }
  };

  // The page scripts, each bundled with the SDK it uses, and the stylesheet (npm run build: dist/assets).
  await app.register(fastifyStatic, {
    root: fileURLToPath(new URL('../../assets/', import.meta.url)),
    prefix: '/assets/',
    allowedPath: (pathName) => /^\/[\w-]+\.(js|css)(\.map)?$/.test(pathName),
  });

  // No icon: answer so browsers stop asking (and stop logging a 404 on every page).
  app.get('/favicon.ico', { schema: page }, (_request, reply) => reply.code(204).header('cache-control', 'max-age=86400').send());

  app.get('/', { schema: page }, async (request, reply) => {
    const principal = await cookiePrincipal(request);
    if (!principal) return reply.code(303).header('cache-control', 'no-store').redirect('/login?next=/');
    return html(reply, 200, chatPage(principal.username));
  });

  app.get('/login', { schema: page }, async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    const firstRun = !(await accounts.hasUsers());
    return html(reply, 200, loginPage({ next, registrationOpen: options.registrationOpen, firstRun }));
  });

  const registrationClosed = (reply: FastifyReply) =>
    html(reply, 404, errorPage({ title: 'Registration is closed', text: 'This server does not take new accounts. Ask its administrator for one.' }));

  app.post('/login', { schema: page, preHandler: sameOriginPost, config: { rateLimit } }, async (request, reply) => {
    const body = form(request);
    const next = safeNext(body.next);
    const username = text(body.username);
    const password = text(body.password);
    const user = username && password ? await accounts.checkPassword(username, password) : undefined;
    if (!user) {
      const error = 'Incorrect username or password.';
      return html(reply, 401, loginPage({ next, error, username, registrationOpen: options.registrationOpen }));
    }
    return signIn(request, reply, user.username, chooseScopes(user, undefined), next);
  });

  app.get('/register', { schema: page }, async (request, reply) => {
    if (!options.registrationOpen) return registrationClosed(reply);
    const next = safeNext((request.query as Record<string, unknown>).next);
    return html(reply, 200, registerPage({ next, registrationOpen: true }));
  });

  app.post('/register', { schema: page, preHandler: sameOriginPost, config: { rateLimit } }, async (request, reply) => {
    if (!options.registrationOpen) return registrationClosed(reply);
    const body = form(request);
    const next = safeNext(body.next);
    const username = normalizeUsername(text(body.username));
    const password = text(body.password);
    try {
      const user = await accounts.register(username, password);
      return await signIn(request, reply, user.username, user.scopes, next);
    } catch (error) {
      if (!(error instanceof ParleyError) || error.status >= 500) throw error;
      return html(reply, error.status, registerPage({ next, error: error.message, username, registrationOpen: true }));
    }
  });

  // The page's silent refresh: spends the refresh cookie, sets both cookies anew, and hands the page the new
  // access token for its socket's in-band `refresh` (a page script can hold it for 15 minutes; never the refresh token).
  app.post(REFRESH_PATH, { schema: page, preHandler: sameOriginPost }, async (request, reply) => {
    const refreshToken = request.cookies[REFRESH_COOKIE];
    // The cookie is left alone on failure: another tab may just have replaced it with a good one.
    // A cookie session that cannot be renewed is a 401 (the page then shows the login form).
    if (!refreshToken) throw new AuthFailure('invalid_grant', 'no session to refresh', undefined, 401);
    const grant = await sessions.rotate(refreshToken, undefined).catch((error: unknown) => {
      throw error instanceof ParleyError && error.code === 'invalid_grant' ? new AuthFailure('invalid_grant', error.message, undefined, 401) : error;
    });
    setSessionCookies(request, reply, grant);
    return reply.header('cache-control', 'no-store').send({ access_token: grant.access.token, expires_in: grant.access.expiresIn });
  });

  // Logout revokes, not only forgets: the refresh family and the access token die, and so do their live sockets.
  app.post('/logout', { schema: page, preHandler: sameOriginPost }, async (request, reply) => {
    const refreshToken = request.cookies[REFRESH_COOKIE];
    if (refreshToken) await sessions.revokeRefreshToken(refreshToken);
    const access = await cookiePrincipal(request);
    if (access) await sessions.revokeAccess(access);
    reply.clearCookie(ACCESS_COOKIE, { path: '/' });
    reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_PATH });
    return reply.code(303).header('cache-control', 'no-store').redirect('/login');
  });
}
