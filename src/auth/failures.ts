// Every way authentication is refused, as named values: status, challenge and the body the client sees.
// RFC 6750 §3 for the challenges; the bodies use the OAuth2 error shape.
import type { FastifyReply } from 'fastify';

export interface AuthFailure {
  status: 400 | 401 | 403;
  /** The WWW-Authenticate value, when the client can fix the failure by presenting a (better) token. */
  challenge?: string;
  error: string;
  description: string;
}

export const AuthFailures = {
  missing: {
    status: 401,
    challenge: 'Bearer',
    error: 'unauthorized',
    description: 'authentication required: send Authorization: Bearer <token>',
  },
  malformed: {
    status: 401,
    challenge: 'Bearer error="invalid_request"',
    error: 'invalid_request',
    description: 'malformed Authorization header: expected "Bearer <token>"',
  },
  wrongScheme: {
    status: 403,
    error: 'unsupported_scheme',
    description: 'only the Bearer authentication scheme is accepted',
  },
  forbiddenOrigin: {
    status: 403,
    error: 'forbidden_origin',
    description: 'this Origin is not allowed',
  },
  conflict: {
    status: 400,
    error: 'invalid_request',
    description: 'the credentials in this request belong to different users',
  },
  insufficientScope: {
    status: 403,
    challenge: 'Bearer error="insufficient_scope"',
    error: 'insufficient_scope',
    description: 'the access token lacks the scope this needs',
  },
} as const satisfies Record<string, AuthFailure>;

/** Bad signature, expired, wrong audience, unknown or disabled user: one answer, with the reason. */
export function invalidToken(description: string): AuthFailure {
  return { status: 401, challenge: 'Bearer error="invalid_token"', error: 'invalid_token', description };
}

export function sendAuthFailure(reply: FastifyReply, failure: AuthFailure): FastifyReply {
  if (failure.challenge) reply.header('www-authenticate', failure.challenge);
  return reply
    .code(failure.status)
    .header('cache-control', 'no-store')
    .send({ error: failure.error, error_description: failure.description });
}
