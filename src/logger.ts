// The server's logger: pino, JSON lines. Requests are logged by method, path and address only — never the
// query string (one-time tickets ride there), never headers (Authorization, Cookie), never bodies.
import { type FastifyBaseLogger, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
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

const isUpgrade = (request: FastifyRequest) => request.headers.upgrade !== undefined;

/**
 * One line per answered HTTP request, at info. Socket handshakes log at debug only: a busy node opens thousands,
 * each line costs, and the socket's life is in the metrics.
 */
export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (isUpgrade(request)) request.log.debug({ req: request }, 'socket handshake');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const fields = { req: request, res: reply, responseTime: Math.round(reply.elapsedTime) };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else if (isUpgrade(request)) reply.log.debug(fields, 'handshake refused');
    else reply.log.info(fields, 'request completed');
  }
}
