// The /ws wire contract as the client sees it (README, "Chat protocol"). Written out here rather than imported
// from the server so the SDK stays free of server modules and compiles to plain browser-loadable ES modules.

/** A stored message as it stands now: an edit changes `body` and sets `editedAt`, a deletion sets `deleted`. */
export interface Message {
  room: string;
  id: string;
  /** Gap-free and increasing per room; edits and deletions take the room's next seq too. */
  seq: number;
  user: string;
  body: string;
  /** Milliseconds since the epoch, assigned by the server when stored. */
  ts: number;
  editedAt?: number;
  deleted?: true;
}

export interface Edited {
  room: string;
  /** The edited message's id. */
  id: string;
  seq: number;
  user: string;
  body: string;
  editedAt: number;
}

export interface Deleted {
  room: string;
  /** The deleted message's id. */
  id: string;
  seq: number;
  /** Who deleted it. */
  user: string;
}

/** The server's answer to a send: the message is durably stored. */
export interface Ack {
  clientId: string;
  id: string;
  seq: number;
}

export interface Joined {
  room: string;
  /** Who is online in the room, each user once. */
  members: string[];
}

export interface Presence {
  room: string;
  user: string;
  state: 'online' | 'offline';
}

export interface Typing {
  room: string;
  user: string;
}

export interface Left {
  room: string;
  /** `removed`: a moderator removed this user from a private room (absent when the client asked to leave). */
  reason?: 'removed' | (string & {});
}

export interface Welcome {
  user: string;
  /** When the socket's access token expires, in ms since the epoch. */
  expiresAt: number;
}

/** Server error codes; the server may add more, so any string is possible. */
export type ErrorCode =
  | 'bad_frame'
  | 'unknown_type'
  | 'invalid_frame'
  | 'no_such_room'
  | 'not_joined'
  | 'not_found'
  | 'forbidden'
  | 'invalid_token'
  | 'internal'
  | (string & {});

export interface ErrorFrame {
  code: ErrorCode;
  message: string;
  ref?: string;
}

type Ref = { ref?: string };

export type ServerFrame =
  | ({ type: 'welcome' } & Welcome)
  | ({ type: 'joined' } & Joined & Ref)
  | ({ type: 'message' } & Message)
  | ({ type: 'edited' } & Edited)
  | ({ type: 'deleted' } & Deleted)
  | ({ type: 'ack' } & Ack & Ref)
  | { type: 'history'; room: string; messages: Message[]; ref?: string }
  | ({ type: 'presence' } & Presence)
  | ({ type: 'typing' } & Typing)
  | { type: 'expiring'; at: number }
  | { type: 'refreshed'; expiresAt: number; ref?: string }
  | ({ type: 'left' } & Left & Ref)
  | { type: 'pong'; ref?: string }
  | ({ type: 'error' } & ErrorFrame);

export type ClientFrame = (
  | { type: 'join'; room: string; since?: number }
  | { type: 'leave'; room: string }
  | { type: 'send'; room: string; body: string; clientId: string }
  | { type: 'edit'; room: string; id: string; body: string }
  | { type: 'delete'; room: string; id: string }
  | { type: 'history'; room: string; before?: number; limit?: number }
  | { type: 'typing'; room: string }
  | { type: 'refresh'; token: string }
  | { type: 'ping' }
) &
  Ref;

/** Close codes the client acts on (README, "Close codes"). */
export const CloseCodes = {
  normal: 1000,
  policy: 1008,
  tokenExpired: 4001,
  tokenRevoked: 4003,
} as const;
