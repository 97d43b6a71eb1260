// What operators and tooling read: health and readiness for load balancers, Prometheus metrics, and the
// OpenAPI document with its UI (generated from the same TypeBox schemas that validate the routes).
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { LiveSockets } from '../ws/live-sockets.js';
import type { BudgetRefusals } from './budgets.js';
import { type MetricsAccess, metricsRoutes } from './metrics.js';
import { securitySchemes } from './security.js';

export interface Readiness {
  store: boolean;
  bus: boolean;
  /** The revocation feed was read recently: revocations still reach this node's sockets. */
  revocations: boolean;
  /** False once SIGTERM started the drain. */
  accepting: boolean;
}

export interface OpsOptions {
  live: LiveSockets;
  metrics: MetricsAccess;
  refusals: BudgetRefusals;
  ready(): Promise<Readiness>;
}

async function ops(app: FastifyInstance, options: OpsOptions): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Parley', version: '1', description: 'Secure real-time chat: OAuth2, JWTs, authenticated WebSockets.' },
      components: {
        securitySchemes,
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await metricsRoutes(app, { live: options.live, access: options.metrics, refusals: options.refusals });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { tags: ['ops'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: { tags: ['ops'], summary: 'The node can serve: store and bus reachable, revocations current' } },
    async (_request, reply) => {
      const checks = await options.ready();
      const down = Object.entries(checks)
        .filter(([, up]) => !up)
        .map(([name]) => name);
      const status = !checks.accepting ? 'draining' : down.length === 0 ? 'ready' : 'unavailable';
      return reply
        .code(down.length === 0 ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status, ...(down.length > 0 ? { down } : {}), checks });
    },
  );
}

/** Not encapsulated: the metrics hook and the OpenAPI document must see every route. */
export const opsRoutes = fastifyPlugin(ops);
