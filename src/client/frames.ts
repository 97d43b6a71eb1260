// The /ws wire contract as the client sees it (README, "Chat protocol"). The stream's payloads are the
// server's own types: type-only imports vanish when compiled, so the SDK still loads in a browser as plain
// ES modules with no server module behind it.
export type { Deleted, Edited, Message } from '../chat/message.js';
import type { Deleted, Edited, Message } from '../chat/message.js';

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
