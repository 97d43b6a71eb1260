// Prometheus metrics at GET /metrics: the process, HTTP answers by route and status (refused handshakes
// included), open sockets, why sockets closed, and which budgets refused whom.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { LiveSockets } from '../ws/live-sockets.js';
import { BUDGETS, type BudgetRefusals } from './budgets.js';

export async function metricsRoutes(app: FastifyInstance, options: { live: LiveSockets; refusals: BudgetRefusals }): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  const responses = new Counter({
    name: 'parley_http_responses_total',
    help: 'HTTP answers by route and status, refused WebSocket handshakes included',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  new Gauge({
    name: 'parley_sockets_open',
    help: 'Open WebSockets on this node',
    registers: [registry],
    collect() {
      this.set(options.live.size);
    },
  });
  const closes = new Counter({
    name: 'parley_socket_closes_total',
    help: 'Closed WebSockets by close code (4001 expired, 4403 revoked, 4029 rate limited, 1013 slow …)',
    labelNames: ['code'],
    registers: [registry],
  });
  options.live.onClose((code) => closes.inc({ code: String(code) }));
  const refusals = new Counter({
    name: 'parley_budget_refusals_total',
    help: `Requests refused, connections reset and sockets closed because a client went over a budget: ${Object.keys(BUDGETS).join(', ')}`,
    labelNames: ['budget'],
    registers: [registry],
  });
  // Every series from the start, so a rate() over a budget never hit reads 0 rather than nothing.
  for (const budget of Object.keys(BUDGETS)) refusals.inc({ budget }, 0);
  options.refusals.onRefused((budget) => refusals.inc({ budget }));

  // The route pattern, not the URL: one series per route, whatever the path parameters.
  app.addHook('onResponse', async (request, reply) => {
    responses.inc({ route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics (serve it to your scraper only)' } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
