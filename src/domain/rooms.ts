// Rooms and who belongs to them: the vocabulary chat/ and the store engines share.
import type { RoomKind, RoomRole } from 'parley-chat-protocol';

export type { RoomKind, RoomRole } from 'parley-chat-protocol';

export interface Room {
  name: string;
  kind: RoomKind;
  owner?: string;
  /** The seq of the room's newest stream entry (0: none yet). */
  lastSeq: number;
  createdAt: number;
  /** A display title; the name stays the room's key everywhere (URLs, frames, the bus, the store). */
  title?: string;
  topic?: string;
  /** Read-only, and out of every list. */
  archived: boolean;
}

export interface RoomMember {
  username: string;
  role: RoomRole;
  displayName?: string;
}

/** A room as one user sees it: theirs (a member) or not, and if theirs, how far they read and whether muted. */
export interface UserRoom extends Room {
  role?: RoomRole;
  member: boolean;
  muted?: boolean;
  readSeq?: number;
  /** Public listings: how many belong to it. */
  memberCount?: number;
}

/** A user's unread counts in one room. */
export interface Unread {
  /** Messages by others after the read position (deleted ones not counted). */
  messages: number;
  /** Of those, the ones that mention the user. */
  mentions: number;
}

/** What changes about a room (absent: unchanged; null: cleared). */
export interface RoomChange {
  title?: string | null;
  topic?: string | null;
  archived?: boolean;
}

export class RoomExistsError extends Error {
  override name = 'RoomExistsError';
}
