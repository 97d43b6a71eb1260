// The composition root: buildServer(config, parts) takes its parts (store, bus, logger, node id) or builds the
// defaults the config names, wires the services, and registers one plugin per area. Parts passed in belong to
// the caller (several servers in one process may share a store and a bus); parts built here are closed here.
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyWebsocket, { type WebsocketPluginOptions } from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { CloseCodes, Limits } from 'parley-chat-protocol';
import { adminRoutes } from './api/admin.js';
import { roomRoutes } from './api/rooms.js';
import { searchRoutes } from './api/search.js';
import { userRoutes } from './api/users.js';
import { AccountService } from './auth/accounts.js';
import { AttemptBudgets } from './auth/attempts.js';
import { Authenticator } from './auth/authenticator.js';
import { selectProtocol } from './auth/credentials.js';
import { discoveryRoutes } from './auth/discovery.js';
import { ExternalIssuer } from './auth/external-issuer.js';
import { loadSigningKey } from './auth/keys.js';
import { PasswordHasher } from './auth/passwords.js';
import { Registration } from './auth/registration.js';
import { RevocationFeed } from './auth/revocation-feed.js';
import { authRoutes } from './auth/routes.js';
import { TokenSessions } from './auth/sessions.js';
import { Standing } from './auth/standing.js';
import { TicketService } from './auth/tickets.js';
import { TokenService } from './auth/tokens.js';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory.js';
import { RedisBus } from './bus/redis.js';
import type { Presence } from './chat/ports.js';
import { ChatService } from './chat/service.js';
import type { Config } from './config.js';
import { withDeadline } from './deadline.js';
import { BudgetRefusals } from './http/budgets.js';
import { guardConnections, serverTimeouts } from './http/connections.js';
import { crossOrigin } from './http/cors.js';
import { errorHandling } from './http/errors.js';
import { opsRoutes } from './http/ops.js';
import { isWildcard, PublicUrl } from './http/public-url.js';
import { MemoryRateLimiter } from './limits/rate-limiter.js';
import { RedisRateLimiter } from './limits/redis-rate-limiter.js';
import { createLogger, RequestLog } from './logger.js';
import { MemoryPresence } from './presence/memory.js';
import { RedisPresence } from './presence/redis.js';
import { redisOutageLog } from './startup-errors.js';
import { lockDataDir } from './store/lock.js';
import { makeDataDir, openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { pageRoutes } from './web/pages.js';
import { startHeartbeat } from './ws/heartbeat.js';
import { LiveSockets } from './ws/live-sockets.js';
import { wsRoutes } from './ws/routes.js';
import { ParleySocket } from './ws/socket-class.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether anyone can log in yet (the CLI says how to make the first user). */
    hasUsers(): Promise<boolean>;
    /**
     * Drains the node before it stops (SIGTERM): /readyz turns 503 and new sockets are refused at once; after
     * the drain delay, new sends are refused (retryably), the sends already taken are stored and acked, and
     * every socket is closed with 1001 ("reconnect elsewhere"). Then call close().
     */
    drain(): Promise<void>;
  }
}

/** A node that stops renewing its presence records (it died) has its users go offline within this (plus 5 s). */
const PRESENCE_TTL_MS = 20_000;

export interface ServerParts {
  /** The store; default: the one `config` names (SQLite in the data dir, or PostgreSQL). */
  store?: Store;
  /** The bus; default: Redis when `config` names it, else an in-process bus of this server's own. */
  bus?: Bus;
  /** A pino logger; default: one at `config.logLevel`. */
  logger?: FastifyBaseLogger;
  /** Who is online across nodes; default: Redis when `config` names it, else this process's own. */
  presence?: Presence;
  /** Tells this node's bus messages from the others'; default: random. */
  nodeId?: string;
  /** The time tokens are issued and checked at (ms since the epoch); default: Date.now. */
  clock?: () => number;
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
    logController: new RequestLog(),
    bodyLimit: Limits.frameBytes,
    // Behind PARLEY_TRUST_PROXY's hops, request.ip is the client and request.protocol what it used.
    // (A hop count as proxy-addr's function: Fastify's types omit the number form.)
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : (config.trustProxy ?? false),
    ...serverTimeouts(connectionBudget),
  });
  guardConnections(app.server, connectionBudget);
  const owned: { close(): Promise<void> }[] = [];
  // What can refuse to start comes first, before anything needs closing: the key, then the data dir's lock.
  makeDataDir(config.dataDir);
  const signingKey = loadSigningKey(config.dataDir, config.jwtSecret);
  if (!parts.store && !config.databaseUrl) {
    // A second server on one SQLite file must not start at all.
    const lock = lockDataDir(config.dataDir);
    owned.push({ close: async () => lock.release() });
  }
  let store: Store;
  try {
    store = parts.store ?? (await openStore(config, (error, message) => app.log.warn({ err: error }, message)));
  } catch (error) {
    for (const part of owned) await part.close();
    throw error;
  }
  if (!parts.store) owned.push(store);
  const bus =
    parts.bus ??
    (config.redisUrl ? new RedisBus(config.redisUrl, config.redisPrefix, redisOutageLog(app.log, config.redisUrl, 'the bus')) : new MemoryBus());
  if (!parts.bus) owned.push(bus);
  const nodeId = parts.nodeId ?? randomUUID();
  const presence =
    parts.presence ??
    (config.redisUrl
      ? new RedisPresence(config.redisUrl, config.redisPrefix, nodeId, PRESENCE_TTL_MS, redisOutageLog(app.log, config.redisUrl, 'presence'))
      : new MemoryPresence(nodeId));
  if (!parts.presence && presence instanceof RedisPresence) owned.push(presence);

  // ---- services
  const publicUrl = new PublicUrl(config.publicUrl, { host: config.host, port: config.port }, () => app.server.address());
  if (publicUrl.derived && (isWildcard(config.host) || config.redisUrl)) {
    app.log.warn(
      "PARLEY_PUBLIC_URL is not set: the OAuth2 issuer is this node's listen address; set it to the URL clients use (the same on every node)",
    );
  }
  const tokens = new TokenService(
    signingKey,
    { issuer: () => config.issuer ?? publicUrl.value, audience: config.audience, accessTokenTtlSeconds: config.accessTokenTtlSeconds },
    parts.clock,
  );
  const hasher = new PasswordHasher({
    concurrency: config.hashConcurrency,
    maxWaiting: config.hashQueue,
    onRefused: () => refusals.refused('hash_queue'),
  });
  owned.push(hasher);
  const accounts = new AccountService(store.accounts, hasher);
  const tickets = new TicketService(store.tokens);
  const external = config.oidc ? new ExternalIssuer(config.oidc) : undefined;
  const standing = new Standing(store.accounts, store.tokens, 30_000);
  const authenticator = new Authenticator({ tokens, standing, tickets, accountService: accounts, external });
  const feed = new RevocationFeed(store.tokens, { pollMs: 500, staleAfterMs: 10_000, log: app.log });
  feed.on((revocation) => standing.apply(revocation));
  const sessions = new TokenSessions(
    store.tokens,
    store.accounts,
    tokens,
    { refreshTtlSeconds: config.refreshTokenTtlSeconds, reuseGraceMs: config.refreshReuseGraceSeconds * 1000 },
    () => void feed.poke(),
  );
  const limiter = config.redisUrl
    ? new RedisRateLimiter(config.redisUrl, config.redisPrefix, redisOutageLog(app.log, config.redisUrl, 'rate limits'))
    : new MemoryRateLimiter();
  owned.push(limiter);
  const budgets = new AttemptBudgets(limiter, { perSubject: config.loginRateLimit, perAddress: config.addressRateLimit, windowMs: 60_000 }, app.log);
  const live = new LiveSockets(config.expiryWarningSeconds * 1000, config.maxSocketsPerUser, function (error) {
    // ws has already closed the socket (1002, 1009) or the peer reset it: worth a line when debugging, no more.
    app.log.debug({ err: error }, 'socket error');
    this.terminate();
  });
  const chat = new ChatService(
    { rooms: store.rooms, entries: store.entries, users: store.accounts, bus, presence, search: store.search },
    {
      nodeId,
      positionEveryMs: parts.positionEveryMs ?? 1000,
      subscribeWaitMs: 2000,
      storeTimeoutMs: config.storeTimeoutSeconds * 1000,
      log: app.log,
    },
  );
  const registration = new Registration(store.settings, config.registration);
  await feed.start();
  await standing.load();
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
  await crossOrigin(app, config.allowedOrigins);
  await app.register(fastifyHelmet, {
    // Parley speaks plain HTTP on loopback by default; TLS (and so HSTS) belongs to the reverse proxy.
    hsts: false,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  type SocketOptions = NonNullable<WebsocketPluginOptions['options']>;
  const socketOptions: SocketOptions = {
    maxPayload: Limits.frameBytes,
    handleProtocols: selectProtocol,
    // The types ask for the ws module's statics too (Server, …), which a subclass has at run time only.
    WebSocket: ParleySocket as unknown as SocketOptions['WebSocket'],
  };
  await app.register(fastifyWebsocket, {
    options: socketOptions,
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
  let draining = false;
  const storeAnswers = () =>
    withDeadline(store.ping(), Math.min(2000, config.storeTimeoutSeconds * 1000), () => new Error('the store did not answer in time')).then(
      () => true,
      () => false,
    );
  await app.register(opsRoutes, {
    live,
    metrics: { token: config.metricsToken, host: config.metricsHost, port: config.metricsPort },
    refusals,
    ready: async () => ({ store: await storeAnswers(), bus: bus.up, revocations: feed.current, accepting: !draining }),
  });
  await app.register(discoveryRoutes, { publicUrl });
  await app.register(authRoutes, { accounts, sessions, tickets, authenticator, budgets, allowedOrigins: config.allowedOrigins });
  await app.register(roomRoutes, {
    chat,
    authenticator,
    allowedOrigins: config.allowedOrigins,
    roomQuota: { limiter, perHour: config.roomsPerHour },
    refusals,
  });
  await app.register(searchRoutes, { chat, authenticator, allowedOrigins: config.allowedOrigins });
  await app.register(userRoutes, { chat, authenticator, allowedOrigins: config.allowedOrigins });
  await app.register(adminRoutes, { accounts, registration, authenticator, allowedOrigins: config.allowedOrigins, revoked: () => void feed.poke() });
  await app.register(wsRoutes, {
    authenticator,
    chat,
    live,
    revocations: feed,
    draining: () => draining,
    allowedOrigins: config.allowedOrigins,
    frameRate: config.wsFrameRate,
    maxBufferedBytes: config.wsMaxBufferedBytes,
    maxPendingFrames: config.wsMaxPendingFrames,
    maxPendingBytes: config.wsMaxPendingBytes,
    maxSocketsPerUser: config.maxSocketsPerUser,
    refusals,
  });
  // Registration is a run-time setting (an admin may switch it; every node reads it from the database): the
  // pages that show or take it read it fresh for each request.
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?', 1)[0];
    if (path === '/register' || path === '/login') await registration.refresh();
  });
  await app.register(pageRoutes, {
    accounts,
    sessions,
    authenticator,
    allowedOrigins: config.allowedOrigins,
    get registrationOpen() {
      return registration.open;
    },
    budgets,
  });

  if (config.demo) {
    await accounts.seedDemo();
    app.log.warn('DEMO MODE: users johndoe and janedoe exist with the recipe\'s passwords ("secret", "secret2"). Never use --demo in production.');
  }
  app.decorate('hasUsers', () => store.accounts.any());
  app.decorate('drain', async () => {
    if (draining) return;
    draining = true;
    app.log.info(`draining: /readyz answers 503 and new sockets are refused; open sockets close in ${config.drainDelaySeconds} s`);
    await new Promise((resolve) => setTimeout(resolve, config.drainDelaySeconds * 1000));
    await chat.drain();
    live.closeAll(CloseCodes.shuttingDown);
  });
  return app;
}

/** The nearest `hops` addresses in X-Forwarded-For are proxies (the socket's peer is hop 0). */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
