// Cross-origin calls from the web apps in PARLEY_ALLOWED_ORIGINS (@fastify/cors). Open to them: the bearer API
// (every operation whose OpenAPI security takes a bearer token) and the routes that say `config.crossOrigin`
// (token, revocation, discovery) — answered with that one origin, never `*`, never to another origin, and never
// with credentials: cookies stay same-site, a cross-origin app holds a bearer token. Pages, forms, /auth/refresh
// and the sockets (which check Origin themselves) get no CORS headers at all. A preflight that is refused gets 403
// `forbidden_origin` saying why (the browser still shows only "CORS policy", but curl and the network tab tell the
// developer what to change) instead of the 405 an OPTIONS request would otherwise get.
import fastifyCors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ParleyError } from 'parley-chat-protocol';
import { routePattern } from './route-pattern.js';
import { takesBearer } from './security.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Web apps on PARLEY_ALLOWED_ORIGINS may call this route (bearer routes are open without saying so). */
    crossOrigin?: boolean;
  }
}

interface OpenRoute {
  pattern: RegExp;
  methods: Set<string>;
}

/** Call before the routes are registered: it learns which are open from their declarations as they come. */
export async function crossOrigin(app: FastifyInstance, allowedOrigins: readonly string[]): Promise<void> {
  const open: OpenRoute[] = [];
  app.addHook('onRoute', (route) => {
    if (!route.config?.crossOrigin && !takesBearer(route.schema?.security)) return;
    open.push({ pattern: routePattern(route.url), methods: new Set([route.method].flat()) });
  });

  /** The methods another origin may use on this path; none when the path is not open. */
  const methodsFor = (request: FastifyRequest) => {
    const path = request.url.split('?', 1)[0]!;
    return open.filter((route) => route.pattern.test(path)).flatMap((route) => [...route.methods]);
  };

  await app.register(fastifyCors, {
    hook: 'onRequest',
    delegator: (request, callback) => {
      const origin = request.headers.origin;
      const asked = request.method === 'OPTIONS' ? String(request.headers['access-control-request-method'] ?? '') : request.method;
      const allowed = origin !== undefined && allowedOrigins.includes(origin);
      const methods = allowed ? methodsFor(request) : [];
      if (!methods.includes(asked.toUpperCase())) {
        // Only a preflight is refused: a same-origin page's own requests carry an Origin too, and go on.
        if (origin === undefined || request.method !== 'OPTIONS' || !asked) return callback(null, { origin: false });
        const path = request.url.split('?', 1)[0];
        const why = allowed
          ? `${asked} ${path} is not open to other origins (the token, ticket, discovery and bearer API routes are)`
          : `the origin ${origin} is not among the server's allowed origins (PARLEY_ALLOWED_ORIGINS)`;
        return callback(new ParleyError('forbidden_origin', `cross-origin call refused: ${why}`), { origin: false });
      }
      callback(null, {
        origin,
        methods,
        credentials: false,
        allowedHeaders: ['authorization', 'content-type'],
        // What a client reads off refusals: the bearer challenge and the rate limit's wait.
        exposedHeaders: ['www-authenticate', 'retry-after'],
        maxAge: 600,
      });
    },
  });
}
