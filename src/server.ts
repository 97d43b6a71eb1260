// The composition root: chooses the store and bus from config, builds the services, registers the plugins.
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { roomRoutes } from './api/rooms.js';
import { Authenticator } from './auth/authenticator.js';
import { loadSigningKey } from './auth/keys.js';
import { hashPassword } from './auth/passwords.js';
import { DEFAULT_SCOPES } from './auth/principal.js';
import { authRoutes } from './auth/routes.js';
import { selectProtocol } from './auth/credentials.js';
import { ExternalIssuer } from './auth/external-issuer.js';
import { RevocationFeed } from './auth/revocation-feed.js';
import { TokenSessions } from './auth/sessions.js';
import { TicketService } from './auth/tickets.js';
import { TokenService } from './auth/tokens.js';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory.js';
import { RedisBus } from './bus/redis.js';
import { ChatService } from './chat/service.js';
import type { Config } from './config.js';
import { metricsRoutes } from './metrics.js';
import { openStore } from './store/open.js';
import { type Store, UsernameTakenError } from './store/store.js';
import { pageRoutes } from './web/pages.js';
import { CloseEvents } from './ws/close-codes.js';
import { encodeRoomEvent } from './ws/frames.js';
import { startHeartbeat } from './ws/heartbeat.js';
import { LiveSockets } from './ws/live-sockets.js';
import { wsRoutes } from './ws/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether anyone can log in yet (the CLI says how to make the first user). */
    hasUsers(): Promise<boolean>;
  }
}

/** Largest client frame; ws closes a bigger one with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;

export const DEMO_USERS = ['johndoe', 'janedoe'];
export const DEMO_PASSWORD = 'secret';

export async function buildServer(config: Config): Promise<FastifyInstance> {
  const store = await openStore(config);
  // Bus errors arrive asynchronously, once the app (and its logger) exists.
  let reportBusError = (_error: unknown) => {};
  const bus: Bus = config.redisUrl ? new RedisBus(config.redisUrl, config.redisPrefix, (error) => reportBusError(error)) : new MemoryBus();
  const tokens = new TokenService(loadSigningKey(config.dataDir, config.jwtSecret), config);
  const tickets = new TicketService(store);
  const external = config.oidc ? new ExternalIssuer(config.oidc) : undefined;
  const authenticator = new Authenticator(tokens, store, tickets, external);
  const feed = new RevocationFeed(store);
  const sessions = new TokenSessions(store, tokens, config.refreshTokenTtlSeconds, config.refreshReuseGraceSeconds * 1000, () => void feed.poke());
  const live = new LiveSockets(config.expiryWarningSeconds * 1000);
  feed.on((revocation) => live.apply(revocation));
  await feed.start();
  const chat = new ChatService(store, bus, encodeRoomEvent);

  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Log the path only: query strings may carry one-time tickets. Headers (Authorization, Cookie) are never logged.
      serializers: {
        req: (request) => ({ method: request.method, path: request.url.split('?', 1)[0], remoteAddress: request.ip }),
      },
    },
    bodyLimit: 64 * 1024,
  });
  app.decorateRequest('principal', null);
  reportBusError = (error) => app.log.error({ err: error }, 'redis bus');
  app.addHook('onClose', async () => {
    await feed.stop();
    await bus.close();
    await store.close();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'server_error', error_description: 'internal error' });
    }
    const code = error.validation ? 'invalid_request' : (error.code ?? 'bad_request').toLowerCase();
    return reply.code(status).send({ error: code, error_description: error.message });
  });

  await app.register(fastifyHelmet, {
    // Parley speaks plain HTTP on loopback by default; TLS (and so HSTS) belongs to the reverse proxy.
    hsts: false,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyRateLimit, {
    global: false,
    // After body parsing: the key includes the username being tried.
    hook: 'preHandler',
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`too many attempts; retry in ${context.after}`), { statusCode: 429, code: 'too_many_requests' }),
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Parley', version: '1', description: 'Secure real-time chat: OAuth2, JWTs, authenticated WebSockets.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          oauth2: { type: 'oauth2', flows: { password: { tokenUrl: '/token', scopes: { 'chat:read': 'read rooms', 'chat:write': 'send messages', admin: 'administer' } } } },
        },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyWebsocket, {
    options: { maxPayload: MAX_FRAME_BYTES, handleProtocols: selectProtocol },
    preClose: async () => {
      for (const client of app.websocketServer.clients) {
        client.close(CloseEvents.shuttingDown.code, CloseEvents.shuttingDown.reason);
      }
    },
  });
  const stopHeartbeat = startHeartbeat(app.websocketServer);
  app.addHook('onClose', async () => stopHeartbeat());

  // Registered first so its onResponse hook sees every route.
  await app.register(fastifyPlugin(metricsRoutes), { live });
  await app.register(authRoutes, { store, sessions, tickets, authenticator, loginRateLimit: config.loginRateLimit });
  await app.register(roomRoutes, { chat, authenticator, allowedOrigins: config.allowedOrigins });
  await app.register(wsRoutes, { authenticator, chat, live, allowedOrigins: config.allowedOrigins, frameRate: config.wsFrameRate });
  await app.register(pageRoutes, {
    store,
    sessions,
    authenticator,
    allowedOrigins: config.allowedOrigins,
    registrationOpen: config.registration === 'open',
    loginRateLimit: config.loginRateLimit,
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { tags: ['ops'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['ops'], summary: 'The store answers' } }, async (request, reply) => {
    try {
      await store.ping();
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'store not ready');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  if (config.demo) await seedDemoUsers(store, app);
  app.decorate('hasUsers', async () => (await store.listUsers()).length > 0);
  return app;
}

async function seedDemoUsers(store: Store, app: FastifyInstance): Promise<void> {
  for (const username of DEMO_USERS) {
    if (await store.findUser(username)) continue;
    try {
      await store.createUser({ username, passwordHash: await hashPassword(DEMO_PASSWORD), scopes: DEFAULT_SCOPES });
    } catch (error) {
      if (!(error instanceof UsernameTakenError)) throw error; // another node seeded it first
    }
  }
  app.log.warn(`DEMO MODE: users ${DEMO_USERS.join(' and ')} exist with the README's demo password. Never use --demo in production.`);
}
