// The ways a client call can fail, as named values: a server error frame that answered the call, or the client
// closing or leaving the room before an answer came.
import type { ErrorCode } from './frames.js';

export type ClientErrorCode = ErrorCode | 'closed' | 'left';

export class ParleyError extends Error {
  override name = 'ParleyError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Thrown by a `getToken` that can never succeed again (the refresh token is spent, revoked or expired; the
 * password is wrong): the client stops reconnecting instead of asking again. Any other error from `getToken`
 * counts as a failed attempt and is retried with backoff (the server may just be unreachable).
 */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    /** The OAuth2 error code (RFC 6749 §5.2), e.g. `invalid_grant`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
