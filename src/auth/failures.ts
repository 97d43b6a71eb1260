// Every way authentication is refused, as named values: a catalogue code, the sentence the client sees, and the
// RFC 6750 §3 challenge when presenting a (better) token could fix it. src/http/errors.ts renders them.
import { type ErrorCode, ParleyError, Subprotocols } from 'parley-chat-protocol';

export class AuthFailure extends ParleyError {
  constructor(
    code: ErrorCode,
    description: string,
    /** The WWW-Authenticate value. */
    readonly challenge?: string,
    /** When it differs from the catalogue's: a malformed bearer credential is a 401 with a challenge. */
    private readonly statusOverride?: number,
  ) {
    super(code, description);
  }

  override get status(): number {
    return this.statusOverride ?? super.status;
  }
}

export const AuthFailures = {
  missing: new AuthFailure('unauthorized', 'authentication required: send Authorization: Bearer <token>', 'Bearer'),
  malformed: new AuthFailure('invalid_request', 'malformed Authorization header: expected "Bearer <token>"', 'Bearer error="invalid_request"', 401),
  malformedSubprotocol: new AuthFailure(
    'invalid_request',
    `malformed bearer subprotocol: offer "${Subprotocols.chat}" and exactly one "${Subprotocols.bearerPrefix}<token>" in Sec-WebSocket-Protocol`,
    'Bearer error="invalid_request"',
    401,
  ),
  duplicateHeader: new AuthFailure('invalid_request', 'send one Authorization header, not several'),
  wrongScheme: new AuthFailure('unsupported_scheme', 'only the Bearer authentication scheme is accepted'),
  forbiddenOrigin: new AuthFailure('forbidden_origin', 'this Origin is not allowed'),
  conflict: new AuthFailure('invalid_request', 'the credentials in this request belong to different users'),
  insufficientScope: new AuthFailure('insufficient_scope', 'the access token lacks the scope this needs', 'Bearer error="insufficient_scope"'),
} as const;

/** Bad signature, expired, wrong audience, unknown or disabled user: one answer, with the reason. */
export function invalidToken(description: string): AuthFailure {
  return new AuthFailure('invalid_token', description, 'Bearer error="invalid_token"');
}

/** For a `.catch`: a refusal becomes `fallback`; anything else (the store is down) stays an error. */
export const ifRefused =
  <T>(fallback: T) =>
  (error: unknown): T => {
    if (error instanceof AuthFailure) return fallback;
    throw error;
  };
