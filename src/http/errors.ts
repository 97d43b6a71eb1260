// One error handler for every route: whatever failed — a ParleyError thrown by a service, an AuthFailure from
// the gate, Fastify's own validation, body-parser, 404 and 405 errors, a rate limit — answers with the
// catalogue's status and `{error, error_description}`, never cached. Unexpected failures are logged and answer
// `internal` without their details. A browser that navigated there (it asks for text/html: a mistyped address,
// the login form past its rate limit) gets the same status as an HTML page with a sentence instead.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ParleyError } from 'parley-chat-protocol';
import { AuthFailure } from '../auth/failures.js';
import { routePattern } from './route-pattern.js';
import { validationSentence } from './validation.js';

/** A refusal that will pass: `too_many_requests` or `unavailable`, answered with `Retry-After`. */
export class RetryLater extends ParleyError {
  constructor(
    code: 'too_many_requests' | 'unavailable',
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
  }
}

import { errorPage } from '../web/html.js';

/** Fastify's and its plugins' error codes, in the catalogue's words. */
const FASTIFY_CODES: Record<string, ParleyError['code']> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
};

/** The catalogue's view of any error. */
export function asParleyError(error: unknown): ParleyError | undefined {
  if (error instanceof ParleyError) return error;
  const fastify = error as Partial<FastifyError>;
  if (fastify.validation) {
    return new ParleyError(
      'invalid_request',
      validationSentence(fastify.validation, fastify.validationContext) ?? fastify.message ?? 'invalid request',
    );
  }
  const code = fastify.code && FASTIFY_CODES[fastify.code];
  if (code) return new ParleyError(code, fastify.message);
  if (fastify.statusCode === 429) return new ParleyError('too_many_requests', fastify.message);
  if (fastify.statusCode === 400) return new ParleyError('invalid_request', fastify.message);
  return undefined;
}

export function sendError(reply: FastifyReply, error: ParleyError): FastifyReply {
  if (error instanceof AuthFailure && error.challenge) reply.header('www-authenticate', error.challenge);
  if (error instanceof RetryLater) reply.header('retry-after', String(error.retryAfterSeconds));
  // Any other retryable refusal says when to come back too.
  else if (error.retryable && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
  reply.code(error.status).header('cache-control', 'no-store');
  if (wantsHtml(reply.request)) return reply.type('text/html; charset=utf-8').send(errorPage(pageFor(error, reply)));
  return reply.send({ error: error.code, error_description: error.message });
}

/** A browser navigating (its Accept names text/html); fetch, curl and API clients ask for anything or JSON. */
function wantsHtml(request: FastifyRequest): boolean {
  return /\btext\/html\b/.test(request.headers.accept ?? '');
}

/** The error in a person's words. */
function pageFor(error: ParleyError, reply: FastifyReply): { title: string; text: string } {
  const path = reply.request.url.split('?', 1)[0]!;
  switch (error.code) {
    case 'not_found':
    case 'method_not_allowed':
      return { title: 'Page not found', text: `There is no page at ${path}. Check the address, or go back to the chat.` };
    case 'too_many_requests': {
      const wait = Number(reply.getHeader('retry-after'));
      const when =
        Number.isFinite(wait) && wait > 1 ? `in ${Math.ceil(wait / 60) > 1 ? `${Math.ceil(wait / 60)} minutes` : 'a minute'}` : 'in a moment';
      return { title: 'Too many attempts', text: `There were too many attempts from here. Wait, then try again ${when}.` };
    }
    case 'unauthorized':
    case 'invalid_token':
      return { title: 'Please log in', text: 'This page needs you to be logged in.' };
    default: {
      const sentence = error.message.charAt(0).toUpperCase() + error.message.slice(1);
      return { title: error.status >= 500 ? 'Something went wrong' : 'That did not work', text: sentence.endsWith('.') ? sentence : `${sentence}.` };
    }
  }
}

export function errorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = asParleyError(error);
    // A known refusal (a spent budget's 503 too) is the client's answer, not the server's failure: not logged.
    if (known && known.code !== 'internal') return sendError(reply, known);
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, known ?? new ParleyError('internal'));
  });

  // A path that exists under other methods answers 405 with Allow; any other, 404.
  const methods = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const pattern = route.url;
    // The CORS preflight route answers OPTIONS anywhere, but only for the routes that allow other origins.
    if (pattern === '*') return;
    const set = methods.get(pattern) ?? new Set<string>();
    for (const method of [route.method].flat()) set.add(method);
    methods.set(pattern, set);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0]!;
    const allowed = [...new Set([...methods].filter(([pattern]) => routePattern(pattern).test(path)).flatMap(([, set]) => [...set]))].sort();
    // A route that takes this method but found nothing (a static file that is not there) is a plain 404.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      return sendError(reply, new ParleyError('method_not_allowed', `${request.method} is not allowed on ${path}; use ${allowed.join(' or ')}`));
    }
    return sendError(reply, new ParleyError('not_found', `nothing at ${path}`));
  });
}
