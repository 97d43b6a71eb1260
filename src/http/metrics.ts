// Prometheus metrics at GET /metrics: the process, HTTP answers by route and status (refused handshakes
// included), open sockets, why sockets closed, and which budgets refused whom. Not for everyone: on the main
// listener /metrics answers only a bearer token (PARLEY_METRICS_TOKEN); PARLEY_METRICS_PORT serves it on a
// listener of its own.
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ParleyError } from 'parley-chat-protocol';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { AuthFailure } from '../auth/failures.js';
import { listenError } from '../startup-errors.js';
import type { LiveSockets } from '../ws/live-sockets.js';
import { BUDGETS, type BudgetRefusals } from './budgets.js';

export interface MetricsAccess {
  /** The bearer token a scraper must present; undefined: none is accepted. */
  token?: string | undefined;
  /** A listener of its own for /metrics (the token, if set, is required there too). */
  port?: number | undefined;
  host: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** `http://host:port` of the metrics listener, when PARLEY_METRICS_PORT opened one. */
    metricsUrl: string | undefined;
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares in constant time (equal-length digests), so the answer's timing tells nothing about the token. */
function presents(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+)$/i.exec(authorization?.trim() ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

export async function metricsRoutes(
  app: FastifyInstance,
  options: { live: LiveSockets; access: MetricsAccess; refusals: BudgetRefusals },
): Promise<void> {
  const { access } = options;
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

  const refusal = (authorization: string | undefined): ParleyError | undefined =>
    access.token === undefined || presents(authorization, access.token)
      ? undefined
      : new AuthFailure('unauthorized', 'metrics need Authorization: Bearer <PARLEY_METRICS_TOKEN>', 'Bearer realm="metrics"');

  app.get(
    '/metrics',
    { schema: { tags: ['ops'], summary: 'Prometheus metrics: Authorization: Bearer <PARLEY_METRICS_TOKEN>', security: [{ metrics: [] }] } },
    async (request, reply) => {
      if (access.token === undefined) {
        throw new ParleyError(
          'not_found',
          'metrics are not served on this listener: set PARLEY_METRICS_TOKEN to serve them here to a bearer of that token, or PARLEY_METRICS_PORT for a listener of their own',
        );
      }
      const refused = refusal(request.headers.authorization);
      if (refused) throw refused;
      return reply
        .type(registry.contentType)
        .header('cache-control', 'no-store')
        .send(await registry.metrics());
    },
  );

  app.decorate('metricsUrl', undefined);
  const wanted = access.port;
  if (wanted === undefined) return;
  // The scraper's own listener: /metrics only, nothing else of Parley's.
  const server = http.createServer((request, response) => {
    const refused = refusal(request.headers.authorization);
    if (request.url !== '/metrics' || request.method !== 'GET' || refused) {
      const error = refused ?? new ParleyError('not_found', 'only GET /metrics is served here');
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'cache-control': 'no-store' };
      if (error instanceof AuthFailure && error.challenge) headers['www-authenticate'] = error.challenge;
      response.writeHead(error.status, headers).end(JSON.stringify({ error: error.code, error_description: error.message }));
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(text),
      (error: unknown) => {
        app.log.error({ err: error }, 'metrics failed');
        response.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, access.host, () => resolve());
  }).catch((error: unknown) => {
    throw listenError(error, access.host, wanted, { host: 'metricsHost', port: 'metricsPort' });
  });
  const { address, port } = server.address() as AddressInfo;
  app.metricsUrl = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  app.addHook('onClose', () => new Promise<void>((resolve) => server.close(() => resolve())));
}
