// The server's logger: pino, JSON lines. Requests are logged by method, path and address only — never the
// query string (one-time tickets ride there), never headers (Authorization, Cookie), never bodies.
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';

export function createLogger(level: string): FastifyBaseLogger {
  return pino({
    level,
    serializers: {
      req: (request: FastifyRequest) => ({ method: request.method, path: request.url.split('?', 1)[0], remoteAddress: request.ip }),
      res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
      err: pino.stdSerializers.err,
    },
  });
}
