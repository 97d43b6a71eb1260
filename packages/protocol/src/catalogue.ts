// The facts server and clients share that are not frame shapes: limits, names, error codes and close codes.
// Plain constants with no dependencies, so a browser bundle that needs them does not pull in the schemas.
// Each fact is written here once; the server, the SDK and the README tables read it from here.

/** Sizes and counts both sides must agree on. */
export const Limits = {
  /** Characters in a message body. */
  bodyLength: 4000,
  /** Bytes in one client frame; a bigger one closes the socket with 1009. */
  frameBytes: 64 * 1024,
  /** Characters in a frame's `ref`, a `clientId` or a message id. */
  refLength: 64,
  /** Characters in a token sent in-band (`refresh`). */
  tokenLength: 8192,
  /** Messages in one history page: the most a client may ask for, and what it gets when it does not say. */
  historyMax: 100,
  historyDefault: 50,
  /** A join without `since` starts with this many recent messages. */
  recentOnJoin: 50,
  /** A user's `typing` is relayed at most this often per room (ms); the rest is dropped. */
  typingIntervalMs: 2000,
  /** People in one DM, the caller included (a DM's members are fixed: another set of people is another DM). */
  dmMembersMax: 8,
  /** Characters in a room's display title (the name stays the room's id) and in its topic. */
  titleLength: 80,
  topicLength: 250,
  /** Characters in a user's display name. */
  displayNameLength: 64,
  /** Distinct `@username` mentions recognised in one message; the rest are plain text. */
  mentionsMax: 20,
  /** Characters in a search query. */
  searchQueryLength: 200,
  /** Search hits in one answer: the most a client may ask for, and what it gets when it does not say. */
  searchMax: 50,
  searchDefault: 20,
  /** People in one directory answer (`GET /users?q=`): the most, and the default. */
  directoryMax: 50,
  directoryDefault: 20,
} as const;

/**
 * How a search hit's `snippet` marks the words that matched: each match is wrapped in these two characters (STX
 * and ETX, which never occur in what people type), so a client can highlight without parsing any markup.
 */
export const SearchMarks = { open: '\u0002', close: '\u0003' } as const;

/** Room names: lowercase, so `#General` cannot pose as `#general`; short enough for a sidebar. */
export const ROOM_NAME_PATTERN = '^[a-z0-9][a-z0-9_\\-]{0,39}$';
/** The pattern in words, for people choosing a name. */
export const ROOM_NAME_RULE = 'Room names are 1 to 40 lowercase letters, digits, dashes or underscores, starting with a letter or digit.';
/** The room every server starts with. */
export const DEFAULT_ROOM = 'general';

/** WebSocket subprotocols: the server selects `chat`; a bearer token may ride beside it and is never echoed. */
export const Subprotocols = {
  chat: 'parley.v1',
  bearerPrefix: 'parley.bearer.',
} as const;

// ---------------------------------------------------------------------------------------------------------
// Close codes, in ranges that tell a client what to do without knowing every code (after centrifuge's
// disconnect.go): 4000–4399 come back (with backoff, or after fetching a new token), 4400–4999 do not.
// The standard 1xxx codes are each listed. A code this catalogue does not know falls back to its range.

/** What a client should do when the server closes its socket. */
export type Reconnect =
  /** Reconnect at once, preferably to another server: this one is going away. */
  | 'now'
  /** Reconnect after the usual backoff. */
  | 'backoff'
  /** Reconnect with a new access token (after the usual backoff). */
  | 'new_token'
  /** Do not reconnect: the session is over, or the client sent something it would send again. */
  | 'never';

export interface CloseEvent {
  code: number;
  /** Short: a close frame's reason must fit in 123 bytes. */
  reason: string;
  reconnect: Reconnect;
  /** For the README's table. */
  description: string;
}

export const CloseCodes = {
  normal: { code: 1000, reason: 'closed', reconnect: 'never', description: 'the client closed the socket' },
  shuttingDown: {
    code: 1001,
    reason: 'server shutting down: reconnect elsewhere',
    reconnect: 'now',
    description: 'the node is draining (SIGTERM): in-flight sends were answered; reconnect at once, to another node if there is one',
  },
  unsupportedData: { code: 1003, reason: 'text frames only', reconnect: 'never', description: 'a binary frame' },
  policy: { code: 1008, reason: 'policy violation', reconnect: 'never', description: 'a refresh for another user' },
  badFrame: { code: 1008, reason: 'frames must be JSON text objects', reconnect: 'never', description: 'a frame that is not a JSON object' },
  tooBig: { code: 1009, reason: 'frame too big', reconnect: 'never', description: `a frame over ${Limits.frameBytes / 1024} KiB` },
  internal: { code: 1011, reason: 'internal error', reconnect: 'backoff', description: 'the server failed unexpectedly' },
  slowConsumer: {
    code: 1013,
    reason: 'slow consumer: too much unread data',
    reconnect: 'backoff',
    description: 'the client left too much unread (see PARLEY_WS_MAX_BUFFERED); resume from the last seq seen',
  },
  tokenExpired: {
    code: 4001,
    reason: 'token expired',
    reconnect: 'new_token',
    description: 'the access token expired and no `refresh` came in time',
  },
  rateLimited: { code: 4029, reason: 'rate limited', reconnect: 'backoff', description: 'more frames than PARLEY_WS_FRAME_RATE per second' },
  tooManyPending: {
    code: 4030,
    reason: 'too many frames waiting: wait for answers before sending more',
    reconnect: 'backoff',
    description:
      'more frames waiting to be handled than PARLEY_WS_MAX_PENDING_FRAMES (or PARLEY_WS_MAX_PENDING bytes), e.g. sent behind a join whose replay the client does not read',
  },
  tokenRevoked: {
    code: 4403,
    reason: 'token revoked',
    reconnect: 'never',
    description:
      'the token, its login or its user was revoked (logout, RFC 7009, `user disable`, password change); it was 4003 until the ranges, where 4003 would mean reconnect',
  },
} as const satisfies Record<string, CloseEvent>;

export type CloseName = keyof typeof CloseCodes;

/** What a code the catalogue does not list means, by its range. */
export const CloseCodeRanges = [
  { from: 4000, to: 4399, reconnect: 'backoff' },
  { from: 4400, to: 4999, reconnect: 'never' },
] as const satisfies readonly { from: number; to: number; reconnect: Reconnect }[];

/** What to do after a close with `code`: the catalogue's answer, else the range's. */
export function reconnectPolicy(code: number): Reconnect {
  for (const event of Object.values(CloseCodes) as CloseEvent[]) if (event.code === code) return event.reconnect;
  for (const range of CloseCodeRanges) if (code >= range.from && code <= range.to) return range.reconnect;
  // 1005 (no status) and 1006 (abnormal: the connection dropped) and any other: the network, most likely.
  return 'backoff';
}

// ---------------------------------------------------------------------------------------------------------
// Error codes: one catalogue for HTTP answers (`{error, error_description}` with `status`) and socket error
// frames (`{type: "error", code, message, retryable}`). `retryable`: the same request may succeed later
// unchanged (a send is retried with the same clientId, so it is never stored twice).

export interface ErrorSpec {
  /** The HTTP status when the error answers a request. */
  status: number;
  retryable: boolean;
  /** The default sentence for a person; a particular error may say more. */
  message: string;
  /** Where it occurs, for the README: `http`, `ws`, or both. */
  on: readonly ('http' | 'ws')[];
}

const both = ['http', 'ws'] as const;
const http = ['http'] as const;
const ws = ['ws'] as const;

export const ErrorCodes = {
  // RFC 6749 §5.2 (the token endpoint) and RFC 6750 §3.1 (bearer tokens).
  invalid_request: { status: 400, retryable: false, message: 'the request is malformed', on: http },
  invalid_grant: { status: 400, retryable: false, message: 'the grant is invalid, expired or revoked', on: http },
  unsupported_grant_type: { status: 400, retryable: false, message: 'use grant_type password or refresh_token', on: http },
  invalid_scope: { status: 400, retryable: false, message: 'the scope is unknown or not granted', on: http },
  /** A change that needs the current password (PATCH /users/me) was sent a wrong one. */
  wrong_password: { status: 400, retryable: false, message: 'the current password is not correct', on: http },
  unauthorized: { status: 401, retryable: false, message: 'authentication required: send Authorization: Bearer <token>', on: http },
  invalid_token: { status: 401, retryable: false, message: 'the access token is invalid', on: both },
  insufficient_scope: { status: 403, retryable: false, message: 'the access token lacks the scope this needs', on: http },
  unsupported_scheme: { status: 403, retryable: false, message: 'only the Bearer authentication scheme is accepted', on: http },
  forbidden_origin: { status: 403, retryable: false, message: 'this Origin is not allowed', on: http },
  // The chat.
  forbidden: { status: 403, retryable: false, message: 'you may not do that here', on: both },
  not_found: { status: 404, retryable: false, message: 'there is nothing here', on: both },
  no_such_room: { status: 404, retryable: false, message: 'there is no such room', on: both },
  no_such_user: { status: 404, retryable: false, message: 'there is no such user', on: both },
  room_exists: { status: 409, retryable: false, message: 'a room with that name exists', on: http },
  username_taken: { status: 409, retryable: false, message: 'that username is taken', on: http },
  not_joined: { status: 409, retryable: false, message: 'join the room first', on: ws },
  not_member: { status: 409, retryable: false, message: 'you are not a member of this room: join it first', on: http },
  room_archived: { status: 409, retryable: false, message: 'the room is archived: it can be read, not written to', on: both },
  /** A join's `since` past the room's newest entry: the position is from another history (a new or restored database). */
  since_ahead: {
    status: 409,
    retryable: false,
    message: 'the room has no entry at that position: this is not the history you kept; join without since',
    on: ws,
  },
  // Frames.
  bad_frame: { status: 400, retryable: false, message: 'frames must be JSON objects; the socket is closed (1008)', on: ws },
  unknown_type: { status: 400, retryable: false, message: 'unknown frame type', on: ws },
  invalid_frame: { status: 400, retryable: false, message: 'a field of the frame is invalid', on: ws },
  // HTTP plumbing.
  method_not_allowed: { status: 405, retryable: false, message: 'this method is not allowed here', on: http },
  payload_too_large: { status: 413, retryable: false, message: 'the request body is too large', on: http },
  unsupported_media_type: { status: 415, retryable: false, message: 'the request body has an unsupported content type', on: http },
  // The server's state.
  too_many_requests: { status: 429, retryable: true, message: 'too many attempts: wait and try again', on: both },
  too_many_sockets: { status: 429, retryable: true, message: 'this user has too many sockets open: close one and try again', on: http },
  request_timeout: { status: 408, retryable: true, message: 'the request took too long to arrive', on: http },
  headers_too_large: { status: 431, retryable: false, message: 'the request headers are too large', on: http },
  internal: { status: 500, retryable: true, message: 'the server could not do that; try again', on: both },
  unavailable: { status: 503, retryable: true, message: 'the server cannot do that right now; try again shortly', on: both },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ErrorCodes;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ErrorCodes, code);
}

/**
 * A coded failure, on either side: the server throws it and renders it as an HTTP answer or an error frame; the
 * SDK rejects a call with it. `retryable` comes from the catalogue unless the instance says otherwise.
 */
export class ParleyError extends Error {
  override name = 'ParleyError';
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode | (string & {}),
    message?: string,
    retryable?: boolean,
  ) {
    const spec = isErrorCode(code) ? ErrorCodes[code] : undefined;
    super(message ?? spec?.message ?? code);
    this.retryable = retryable ?? spec?.retryable ?? false;
  }

  /** The HTTP status this error answers with (500 for a code the catalogue does not know). */
  get status(): number {
    return isErrorCode(this.code) ? ErrorCodes[this.code].status : 500;
  }
}
