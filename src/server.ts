// The composition root: buildServer(config, parts) takes its parts (store, bus, logger, node id) or builds the
// defaults the config names, wires the services, and registers one plugin per area. Parts passed in belong to
// the caller (several servers in one process may share a store and a bus); parts built here are closed here.
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { CloseCodes, Limits, ParleyError } from 'parley-chat-protocol';
import { roomRoutes } from './api/rooms.js';
import { AccountService } from './auth/accounts.js';
import { PasswordHasher } from './auth/passwords.js';
import { Authenticator } from './auth/authenticator.js';
import { selectProtocol } from './auth/credentials.js';
import { ExternalIssuer } from './auth/external-issuer.js';
import { loadSigningKey } from './auth/keys.js';
import { RevocationFeed } from './auth/revocation-feed.js';
import { authRoutes } from './auth/routes.js';
import { TokenSessions } from './auth/sessions.js';
import { TicketService } from './auth/tickets.js';
import { TokenService } from './auth/tokens.js';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory.js';
import { RedisBus } from './bus/redis.js';
import { ChatService } from './chat/service.js';
import type { Config } from './config.js';
import { BudgetRefusals } from './http/budgets.js';
import { guardConnections, serverTimeouts } from './http/connections.js';
import { errorHandling } from './http/errors.js';
import { LocalQuota } from './http/quota.js';
import { createLogger } from './logger.js';
import { opsRoutes } from './http/ops.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { pageRoutes } from './web/pages.js';
import { startHeartbeat } from './ws/heartbeat.js';
import { LiveSockets } from './ws/live-sockets.js';
import { wsRoutes } from './ws/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether anyone can log in yet (the CLI says how to make the first user). */
    hasUsers(): Promise<boolean>;
  }
}

export interface ServerParts {
  /** The store; default: the one `config` names (SQLite in the data dir, or PostgreSQL). */
  store?: Store;
  /** The bus; default: Redis when `config` names it, else an in-process bus of this server's own. */
  bus?: Bus;
  /** A pino logger; default: one at `config.logLevel`. */
  logger?: FastifyBaseLogger;
  /** Tells this node's bus messages from the others'; default: random. */
  nodeId?: string;
  /** How often the node compares each room's stored top with what it delivered (ms). */
  positionEveryMs?: number;
}

export async function buildServer(config: Config, parts: ServerParts = {}): Promise<FastifyInstance> {
  // What one client may take of what everyone shares: each budget is enforced where it applies, counted here.
  const refusals = new BudgetRefusals();
  const connectionBudget = {
    headersTimeoutMs: config.headersTimeoutSeconds * 1000,
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    idleTimeoutMs: config.idleTimeoutSeconds * 1000,
    keepAliveTimeoutMs: config.keepAliveTimeoutSeconds * 1000,
    perAddress: config.maxConnectionsPerAddress,
    refusals,
  };
  const app = Fastify({
    loggerInstance: parts.logger ?? createLogger(config.logLevel),
    bodyLimit: Limits.frameBytes,
    ...serverTimeouts(connectionBudget),
  });
  guardConnections(app.server, connectionBudget);
  const owned: { close(): Promise<void> }[] = [];
  const store = parts.store ?? (await openStore(config));
  if (!parts.store) owned.push(store);
  const bus =
    parts.bus ?? (config.redisUrl ? new RedisBus(config.redisUrl, config.redisPrefix, (error) => app.log.warn({ err: error }, 'redis bus')) : new MemoryBus());
  if (!parts.bus) owned.push(bus);

  // ---- services
  const tokens = new TokenService(loadSigningKey(config.dataDir, config.jwtSecret), {
    issuer: config.issuer,
    audience: config.audience,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
  });
  const hasher = new PasswordHasher({
    concurrency: config.hashConcurrency,
    maxWaiting: config.hashQueue,
    onRefused: () => refusals.refused('hash_queue'),
  });
  const accounts = new AccountService(store.accounts, hasher);
  const tickets = new TicketService(store.tokens);
  const external = config.oidc ? new ExternalIssuer(config.oidc) : undefined;
  const authenticator = new Authenticator({ tokens, accounts: store.accounts, revocations: store.tokens, tickets, accountService: accounts, external });
  const feed = new RevocationFeed(store.tokens, { pollMs: 500, staleAfterMs: 10_000, log: app.log });
  const sessions = new TokenSessions(
    store.tokens,
    store.accounts,
    tokens,
    { refreshTtlSeconds: config.refreshTokenTtlSeconds, reuseGraceMs: config.refreshReuseGraceSeconds * 1000 },
    () => void feed.poke(),
  );
  const live = new LiveSockets(config.expiryWarningSeconds * 1000, config.maxSocketsPerUser);
  const chat = new ChatService(
    { rooms: store.rooms, entries: store.entries, users: store.accounts, bus },
    { nodeId: parts.nodeId ?? randomUUID(), positionEveryMs: parts.positionEveryMs ?? 1000, subscribeWaitMs: 2000, log: app.log },
  );
  await feed.start();
  chat.start();
  app.addHook('onClose', async () => {
    live.stop();
    await feed.stop();
    await chat.stop();
    for (const part of owned.reverse()) await part.close();
  });

  // ---- HTTP plumbing
  app.decorateRequest('principal', null);
  errorHandling(app);
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
    errorResponseBuilder: (_request, context) => new ParleyError('too_many_requests', `too many attempts; retry in ${context.after}`),
  });
  await app.register(fastifyWebsocket, {
    options: { maxPayload: Limits.frameBytes, handleProtocols: selectProtocol },
    preClose: async () => {
      for (const client of app.websocketServer.clients) client.close(CloseCodes.shuttingDown.code, CloseCodes.shuttingDown.reason);
    },
  });
  const stopHeartbeat = startHeartbeat(app.websocketServer, {
    intervalMs: config.wsHeartbeatSeconds * 1000,
    onDead: () => refusals.refused('dead_socket'),
  });
  app.addHook('onClose', async () => stopHeartbeat());

  // ---- one plugin per area
  // First, so its onResponse hook (metrics) sees every route.
  await app.register(opsRoutes, {
    live,
    refusals,
    ready: async () => ({ store: await store.ping().then(() => true, () => false), bus: bus.up, revocations: feed.current }),
  });
  await app.register(authRoutes, { accounts, sessions, tickets, authenticator, loginRateLimit: config.loginRateLimit });
  await app.register(roomRoutes, {
    chat,
    authenticator,
    allowedOrigins: config.allowedOrigins,
    roomQuota: new LocalQuota(config.roomsPerHour, 3600_000),
    refusals,
  });
  await app.register(wsRoutes, {
    authenticator,
    chat,
    live,
    revocations: feed,
    allowedOrigins: config.allowedOrigins,
    frameRate: config.wsFrameRate,
    maxBufferedBytes: config.wsMaxBufferedBytes,
    maxPendingFrames: config.wsMaxPendingFrames,
    maxPendingBytes: config.wsMaxPendingBytes,
    maxSocketsPerUser: config.maxSocketsPerUser,
    refusals,
  });
  await app.register(pageRoutes, {
    accounts,
    sessions,
    authenticator,
    allowedOrigins: config.allowedOrigins,
    registrationOpen: config.registration === 'open',
    loginRateLimit: config.loginRateLimit,
  });

  if (config.demo) {
    await accounts.seedDemo();
    app.log.warn('DEMO MODE: users johndoe and janedoe exist with the recipe\'s passwords ("secret", "secret2"). Never use --demo in production.');
  }
  app.decorate('hasUsers', () => store.accounts.any());
  return app;
}
