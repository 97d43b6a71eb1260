// The browser side of the recipe: a chat page behind the access cookie, a login that sets it, registration.
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '../auth/credentials.js';
import { originAllowed } from '../auth/gate.js';
import { checkPassword, chooseScopes, loginAttemptKey } from '../auth/grants.js';
import { MAX_PASSWORD, MIN_PASSWORD, createAccount, normalizeUsername } from '../auth/accounts.js';
import { DEFAULT_SCOPES } from '../auth/principal.js';
import type { Grant, TokenSessions } from '../auth/sessions.js';
import { type Store, UsernameTakenError } from '../store/store.js';
import { STYLESHEET, chatPage, loginPage, registerPage } from './html.js';

export interface PagesOptions {
  store: Store;
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
  const { store, sessions, authenticator } = options;
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

  async function signIn(request: FastifyRequest, reply: FastifyReply, username: string, scopes: string[], next: string) {
    setSessionCookies(request, reply, await sessions.start(username, scopes));
    return reply.code(303).header('cache-control', 'no-store').redirect(next);
  }

  // Login CSRF: a foreign site must not be able to post these forms with the user's browser.
  const sameOriginPost = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!originAllowed(request, options.allowedOrigins)) {
      return reply.code(403).type('text/plain').send('Forbidden: cross-site form post');
    }
  };

  // The page scripts and the SDK they import, as compiled ES modules (dist/src/web/browser, dist/src/client).
  await app.register(fastifyStatic, {
    root: fileURLToPath(new URL('../', import.meta.url)),
    prefix: '/assets/',
    allowedPath: (pathName) => /^\/(web\/browser|client)\/[\w-]+\.js$/.test(pathName),
  });
  app.get('/assets/parley.css', { schema: page }, (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(STYLESHEET),
  );

  // No icon: answer so browsers stop asking (and stop logging a 404 on every page).
  app.get('/favicon.ico', { schema: page }, (_request, reply) => reply.code(204).header('cache-control', 'max-age=86400').send());

  app.get('/', { schema: page }, async (request, reply) => {
    const token = request.cookies[ACCESS_COOKIE];
    const result = token ? await authenticator.verify(token) : undefined;
    if (!result?.ok) return reply.code(303).header('cache-control', 'no-store').redirect('/login?next=/');
    return html(reply, 200, chatPage(result.principal.username));
  });

  app.get('/login', { schema: page }, async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    return html(reply, 200, loginPage({ next, registrationOpen: options.registrationOpen }));
  });

  app.post('/login', { schema: page, preHandler: sameOriginPost, config: { rateLimit } }, async (request, reply) => {
    const body = form(request);
    const next = safeNext(body.next);
    const username = text(body.username);
    const password = text(body.password);
    const user = username && password && password.length <= MAX_PASSWORD ? await checkPassword(store, username, password) : undefined;
    if (!user) {
      const error = 'Incorrect username or password.';
      return html(reply, 401, loginPage({ next, error, username, registrationOpen: options.registrationOpen }));
    }
    const choice = chooseScopes(user, undefined);
    return signIn(request, reply, user.username, choice.ok ? choice.scopes : [], next);
  });

  app.get('/register', { schema: page }, async (request, reply) => {
    if (!options.registrationOpen) return reply.code(404).type('text/plain').send('Registration is closed.');
    const next = safeNext((request.query as Record<string, unknown>).next);
    return html(reply, 200, registerPage({ next, registrationOpen: true }));
  });

  app.post('/register', { schema: page, preHandler: sameOriginPost, config: { rateLimit } }, async (request, reply) => {
    if (!options.registrationOpen) return reply.code(404).type('text/plain').send('Registration is closed.');
    const body = form(request);
    const next = safeNext(body.next);
    const username = normalizeUsername(text(body.username));
    const password = text(body.password);
    const refuse = (status: number, error: string) => html(reply, status, registerPage({ next, error, username, registrationOpen: true }));
    try {
      const created = await createAccount(store, username, password, DEFAULT_SCOPES);
      if (!created.ok && created.problem === 'username') return refuse(400, 'Usernames are 3 to 32 letters, digits, dots, dashes or underscores.');
      if (!created.ok) return refuse(400, `Passwords need at least ${MIN_PASSWORD} characters.`);
    } catch (error) {
      if (error instanceof UsernameTakenError) return refuse(409, 'That username is taken.');
      throw error;
    }
    return signIn(request, reply, username, DEFAULT_SCOPES, next);
  });

  // The page's silent refresh: spends the refresh cookie, sets both cookies anew, and hands the page the new
  // access token for its socket's in-band `refresh` (a page script can hold it for 15 minutes; never the refresh token).
  app.post(REFRESH_PATH, { schema: page, preHandler: sameOriginPost }, async (request, reply) => {
    const refreshToken = request.cookies[REFRESH_COOKIE];
    const rotated = refreshToken ? await sessions.rotate(refreshToken, undefined) : undefined;
    // The cookie is left alone on failure: another tab may just have replaced it with a good one.
    if (!rotated?.ok) {
      return reply.code(401).header('cache-control', 'no-store').send({ error: 'invalid_grant', error_description: rotated?.description ?? 'no session to refresh' });
    }
    setSessionCookies(request, reply, rotated.grant);
    return reply.header('cache-control', 'no-store').send({ access_token: rotated.grant.access.token, expires_in: rotated.grant.access.expiresIn });
  });

  // Logout revokes, not only forgets: the refresh family and the access token die, and so do their live sockets.
  app.post('/logout', { schema: page, preHandler: sameOriginPost }, async (request, reply) => {
    const refreshToken = request.cookies[REFRESH_COOKIE];
    if (refreshToken) await sessions.revokeRefreshToken(refreshToken);
    const accessToken = request.cookies[ACCESS_COOKIE];
    const access = accessToken ? await authenticator.verify(accessToken) : undefined;
    if (access?.ok) await sessions.revokeAccess(access.principal);
    reply.clearCookie(ACCESS_COOKIE, { path: '/' });
    reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_PATH });
    return reply.code(303).header('cache-control', 'no-store').redirect('/login');
  });
}
