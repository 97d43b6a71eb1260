// What the chat needs from the store, in its own words: each port lists only the methods chat/ calls. The
// store's classes fit them by shape (server.ts hands them over), so neither side imports the other.
import type { StoredEntry, AppendResult, NewEntry } from '../domain/entries.js';
import type { Room, RoomKind, RoomMember, RoomRole } from '../domain/rooms.js';
import type { User } from '../domain/accounts.js';

export interface RoomStore {
  create(room: { name: string; kind: RoomKind; owner: string; members: RoomMember[] }): Promise<Room>;
  find(name: string): Promise<Room | undefined>;
  visibleTo(username: string): Promise<(Room & { role?: RoomRole })[]>;
  roleIn(room: string, username: string): Promise<RoomRole | undefined>;
  members(room: string): Promise<RoomMember[]>;
  setMember(room: string, member: RoomMember): Promise<void>;
  removeMember(room: string, username: string): Promise<boolean>;
  /** Each named room's newest seq. */
  tops(names: readonly string[]): Promise<Map<string, number>>;
}

export interface EntryStore {
  /** One transaction for the batch; results in input order (see store/entries.ts for the guarantees). */
  append(batch: readonly NewEntry[]): Promise<AppendResult[]>;
  after(room: string, afterSeq: number, limit: number): Promise<StoredEntry[]>;
  messagesBefore(room: string, beforeSeq: number | undefined, limit: number): Promise<StoredEntry[]>;
  findMessage(room: string, id: string): Promise<StoredEntry | undefined>;
}

/** Whether a user exists, for DMs and invitations. */
export interface UserDirectory {
  find(username: string): Promise<User | undefined>;
}
