// The browser side of the recipe: a chat page behind the access cookie, a login that sets it, registration.
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ParleyError } from 'parley-chat-protocol';
import type { AccountService } from '../auth/accounts.js';
import { normalizeUsername } from '../auth/accounts.js';
import type { AttemptBudgets } from '../auth/attempts.js';
import type { Authenticator } from '../auth/authenticator.js';
import { clearSessionCookies, refreshCookie, setSessionCookies } from '../auth/cookies.js';
import { ACCESS_COOKIE } from '../auth/credentials.js';
import { AuthFailure, ifRefused } from '../auth/failures.js';
import { originAllowed } from '../auth/gate.js';
import { pageScopes } from '../auth/grants.js';
import type { Principal } from '../auth/principal.js';
import type { TokenSessions } from '../auth/sessions.js';
import type { User } from '../domain/accounts.js';
import { RetryLater } from '../http/errors.js';
import { adminPage, chatPage, errorPage, loginPage, registerPage } from './html.js';

export interface PagesOptions {
  accounts: AccountService;
  sessions: TokenSessions;
  authenticator: Authenticator;
  allowedOrigins: readonly string[];
  registrationOpen: boolean;
  budgets: AttemptBudgets;
}

const BASE = 'http://parley.invalid';

/**
 * `next` must stay on this site: a local path, judged AFTER the URL parser has resolved it — dot segments
 * (`/.//evil`, `/%2e//evil`, `/..//evil`) collapse to `//evil`, which a browser reads as another host. Anything
 * that is not plainly a path on this origin goes to `/`.
 */
export function safeNext(next: unknown): string {
  // Backslashes and control characters (tabs and newlines are stripped by URL parsers) have no business here.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  if (typeof next !== 'string' || next.length > 2048 || !next.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  try {
    const url = new URL(next, BASE);
    if (url.origin !== BASE) return '/';
    const target = url.pathname + url.search + url.hash;
    // The resolved form must itself be a local path that resolves to itself: `//host` is not.
    return target.startsWith('/') && !target.startsWith('//') && new URL(target, BASE).href === url.href ? target : '/';
  } catch {
    return '/';
  }
}

/** The page's silent refresh; the refresh cookie (Path=/auth) reaches it. */
export const REFRESH_PATH = '/auth/refresh';
/** The logout the page's form posts to: the refresh cookie reaches it too, so the login dies even without the access cookie. */
export const LOGOUT_PATH = '/auth/logout';
/** Where a logout lands: a fixed flag the login page turns into "You are signed out." (it never echoes the address). */
const SIGNED_OUT_PATH = '/login?signed_out=1';

export async function pageRoutes(app: FastifyInstance, options: PagesOptions): Promise<void> {
  const { accounts, sessions, authenticator, budgets } = options;
  const html = (reply: FastifyReply, status: number, page: string) =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  /** A spent budget (the password-hash queue) on a form: the form again, saying so, with Retry-After. */
  const busy = (reply: FastifyReply, error: RetryLater, page: string) =>
    html(reply.header('retry-after', String(error.retryAfterSeconds)), error.status, page);
  const BUSY = 'The server is busy signing other people in. Try again in a few seconds.';
  const form = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const page = { hide: true };

  /**
   * Counts a form's attempt; over budget, the form comes back (429, Retry-After) with the reason instead of a
   * JSON body. Undefined when the attempt may go on.
   */
  async function overBudget(request: FastifyRequest, reply: FastifyReply, username: string, render: (error: string) => string) {
    try {
      await budgets.spend(request, { username });
      return undefined;
    } catch (error) {
      if (!(error instanceof RetryLater)) throw error;
      reply.header('retry-after', String(error.retryAfterSeconds));
      const sentence =
        error.code === 'too_many_requests' ? `Too many attempts: try again in ${error.retryAfterSeconds} seconds.` : 'Please try again shortly.';
      return html(reply, error.status, render(sentence));
    }
  }

  /** The access cookie's principal, if it is (still) good. */
  async function cookiePrincipal(request: FastifyRequest): Promise<Principal | undefined> {
    const token = request.cookies[ACCESS_COOKIE];
    return token ? authenticator.verify(token).catch(ifRefused(undefined)) : undefined;
  }

  async function signIn(request: FastifyRequest, reply: FastifyReply, user: User, scopes: string[], next: string) {
    setSessionCookies(request, reply, await sessions.start(user.username, scopes, user.revokedBefore));
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
    return html(reply, 200, chatPage(principal.username, principal.scopes.includes('admin')));
  });

  // The admin page: a shell for admin.js, which calls the admin API with this cookie (the login granted `admin`).
  app.get('/admin', { schema: page }, async (request, reply) => {
    const principal = await cookiePrincipal(request);
    if (!principal) return reply.code(303).header('cache-control', 'no-store').redirect('/login?next=/admin');
    if (!principal.scopes.includes('admin')) {
      return html(reply, 403, errorPage({ title: 'Admins only', text: 'This page is for the administrators of this server.' }));
    }
    return html(reply, 200, adminPage(principal.username));
  });

  app.get('/login', { schema: page }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const next = safeNext(query.next);
    const firstRun = !(await accounts.hasUsers());
    const signedOut = query.signed_out === '1';
    return html(reply, 200, loginPage({ next, registrationOpen: options.registrationOpen, firstRun, signedOut }));
  });

  const registrationClosed = (reply: FastifyReply) =>
    html(reply, 404, errorPage({ title: 'Registration is closed', text: 'This server does not take new accounts. Ask its administrator for one.' }));

  app.post('/login', { schema: page, preHandler: sameOriginPost }, async (request, reply) => {
    const body = form(request);
    const next = safeNext(body.next);
    const username = text(body.username);
    const password = text(body.password);
    const again = (error: string) => loginPage({ next, error, username, registrationOpen: options.registrationOpen });
    const refused = await overBudget(request, reply, username, again);
    if (refused) return refused;
    let user: Awaited<ReturnType<AccountService['checkPassword']>>;
    try {
      user = username && password ? await accounts.checkPassword(username, password) : undefined;
    } catch (error) {
      if (!(error instanceof RetryLater)) throw error;
      return busy(reply, error, again(BUSY));
    }
    if (!user) return html(reply, 401, again('Incorrect username or password.'));
    return signIn(request, reply, user, pageScopes(user), next);
  });

  app.get('/register', { schema: page }, async (request, reply) => {
    if (!options.registrationOpen) return registrationClosed(reply);
    const next = safeNext((request.query as Record<string, unknown>).next);
    return html(reply, 200, registerPage({ next, registrationOpen: true }));
  });

  app.post('/register', { schema: page, preHandler: sameOriginPost }, async (request, reply) => {
    if (!options.registrationOpen) return registrationClosed(reply);
    const body = form(request);
    const next = safeNext(body.next);
    const username = normalizeUsername(text(body.username));
    const password = text(body.password);
    const again = (error: string) => registerPage({ next, error, username, registrationOpen: true });
    const refused = await overBudget(request, reply, username, again);
    if (refused) return refused;
    try {
      const user = await accounts.register(username, password);
      return await signIn(request, reply, user, pageScopes(user), next);
    } catch (error) {
      if (error instanceof RetryLater) return busy(reply, error, again(BUSY));
      if (!(error instanceof ParleyError) || error.status >= 500) throw error;
      return html(reply, error.status, again(error.message));
    }
  });

  // The page's silent refresh: spends the refresh cookie, sets both cookies anew, and hands the page the new
  // access token for its socket's in-band `refresh` (a page script can hold it for 15 minutes; never the refresh token).
  app.post(REFRESH_PATH, { schema: page, preHandler: sameOriginPost }, async (request, reply) => {
    const refreshToken = refreshCookie(request);
    // The cookie is left alone on failure: another tab may just have replaced it with a good one.
    // A cookie session that cannot be renewed is a 401 (the page then shows the login form).
    if (!refreshToken) throw new AuthFailure('invalid_grant', 'no session to refresh', undefined, 401);
    await budgets.spend(request, { refreshToken });
    const grant = await sessions.rotate(refreshToken, undefined).catch((error: unknown) => {
      throw error instanceof ParleyError && error.code === 'invalid_grant' ? new AuthFailure('invalid_grant', error.message, undefined, 401) : error;
    });
    setSessionCookies(request, reply, grant);
    return reply.header('cache-control', 'no-store').send({ access_token: grant.access.token, expires_in: grant.access.expiresIn });
  });

  /**
   * Logout revokes, not only forgets: the whole login (refresh family) dies, and with it every access token it
   * issued and every live socket on them, in every tab and on every node. The access cookie names the family
   * (`fam`); the refresh cookie does too, and is the only clue left once the access cookie has expired.
   */
  async function logout(request: FastifyRequest, reply: FastifyReply) {
    const families = new Set<string>();
    const access = await cookiePrincipal(request);
    if (access) {
      await sessions.revokeAccess(access);
      if (access.family) families.add(access.family);
    }
    const refreshToken = refreshCookie(request);
    const family = refreshToken ? await sessions.familyOf(refreshToken) : undefined;
    if (family) families.add(family);
    for (const each of families) await sessions.revokeFamily(each);
    clearSessionCookies(request, reply);
    return reply.code(303).header('cache-control', 'no-store').redirect(SIGNED_OUT_PATH);
  }
  app.post(LOGOUT_PATH, { schema: page, preHandler: sameOriginPost }, logout);
  // Where the page's form posted before the refresh cookie could reach a logout; kept for pages still open.
  app.post('/logout', { schema: page, preHandler: sameOriginPost }, logout);
}
