// A room's stream as stored: messages, and the edits and deletions of messages, each with the room's next seq.
// chat/entries.ts turns a stored entry into the frame clients receive; the store never builds frames.

export type EntryKind = 'message' | 'edit' | 'delete';

export interface StoredEntry {
  kind: EntryKind;
  room: string;
  seq: number;
  /** A message's id; for an edit or deletion, the id of the message it changed. */
  id: string;
  /** Who wrote the message, edited it, or deleted it. */
  user: string;
  /** A message's text as it stands now (empty once deleted); an edit's new text; empty for a deletion. */
  body: string;
  /** When the entry was stored, ms since the epoch. */
  ts: number;
  /** A message's last edit. */
  editedAt?: number;
  /** A deleted message. */
  deleted?: boolean;
  /** The users the text mentions (a message's as it stands now, an edit's as it set them); absent: none. */
  mentions?: string[];
}

/** What the chat hands to the store; `clientId` makes a resend after a reconnect idempotent. */
export type NewEntry =
  | { kind: 'message'; room: string; user: string; body: string; clientId?: string; mentions?: readonly string[] }
  | { kind: 'edit'; room: string; user: string; targetId: string; body: string; mentions?: readonly string[] }
  | { kind: 'delete'; room: string; user: string; targetId: string };

export type AppendResult =
  | { status: 'stored'; entry: StoredEntry }
  /** This user stored this clientId before (on any node): the earlier message; nothing new is written. */
  | { status: 'duplicate'; entry: StoredEntry }
  /** An edit or deletion of a message that is not there (or already deleted), or a room that is gone. */
  | { status: 'gone' }
  /** The room is archived: read-only. */
  | { status: 'archived' };
