// The ways a client call can fail. A server error frame that answered the call rejects it with the protocol's
// ParleyError (its code and whether a retry can succeed come from the shared catalogue); so does the client
// closing, or leaving the room, before an answer came (`closed`, `left`).
import type { ErrorCode } from 'parley-chat-protocol/catalogue';

export { ParleyError } from 'parley-chat-protocol/catalogue';

export type ClientErrorCode = ErrorCode | 'closed' | 'left';

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
