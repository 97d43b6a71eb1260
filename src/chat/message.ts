// What a room's stream holds. Every entry has the room's next `seq` — messages, and the edits and deletions
// of messages too — so a client resuming from a seq gets everything it missed, in order. Each entry is also
// the exact frame clients receive (its `type` is the frame type): encoding is one JSON.stringify.

// The payloads are the wire contract, shared with the SDK (src/client/frames.ts re-exports them as types).

/** A stored message as it stands now: an edit changes `body` and sets `editedAt`, a deletion empties it. */
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
  /** Who deleted it: the author, a room moderator or an admin. */
  user: string;
}

export type ChatMessage = { type: 'message' } & Message;
export type MessageEdit = { type: 'edited' } & Edited;
export type MessageDeletion = { type: 'deleted' } & Deleted;

export type RoomEntry = ChatMessage | MessageEdit | MessageDeletion;

/** What the chat hands to the store; `clientId` makes a resend after a reconnect idempotent. */
export type NewEntry =
  | { kind: 'message'; room: string; user: string; body: string; clientId?: string }
  | { kind: 'edit'; room: string; user: string; targetId: string; body: string }
  | { kind: 'delete'; room: string; user: string; targetId: string };

export type RoomKind = 'public' | 'private' | 'dm';
export type RoomRole = 'owner' | 'moderator' | 'member';

export const MAX_BODY_LENGTH = 4000;
export const ROOM_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
export const DEFAULT_ROOM = 'general';
