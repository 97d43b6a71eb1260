// What the chat needs from the store, in its own words: each port lists only the methods chat/ calls. The
// store's classes fit them by shape (server.ts hands them over), so neither side imports the other.

import type { Person, User } from '../domain/accounts.js';
import type { AppendResult, NewEntry, StoredEntry } from '../domain/entries.js';
import type { Room, RoomChange, RoomKind, RoomMember, RoomRole, Unread, UserRoom } from '../domain/rooms.js';
import type { FoundMessage, SearchQuery } from '../domain/search.js';

export interface RoomStore {
  create(room: { name: string; kind: RoomKind; owner: string; members: RoomMember[]; title?: string; topic?: string }): Promise<Room>;
  find(name: string): Promise<Room | undefined>;
  /** The user's rooms (not archived), with role, mute and read position. */
  mine(username: string): Promise<UserRoom[]>;
  /** Public rooms (not archived), whether the user belongs, how many do. */
  publicRooms(username: string): Promise<UserRoom[]>;
  /** Unread messages and mentions in each of the user's rooms (absent: none). */
  unread(username: string): Promise<Map<string, Unread>>;
  /** Who is in each of the user's DMs. */
  dmMembers(username: string): Promise<Map<string, string[]>>;
  roleIn(room: string, username: string): Promise<RoomRole | undefined>;
  members(room: string): Promise<RoomMember[]>;
  /** True when added (a new member starts with everything before read), false when only the role changed. */
  setMember(room: string, member: RoomMember): Promise<boolean>;
  removeMember(room: string, username: string): Promise<boolean>;
  update(name: string, change: RoomChange): Promise<Room | undefined>;
  /** False when the user is not a member. */
  setMuted(room: string, username: string, muted: boolean): Promise<boolean>;
  /** The read position after moving it forward (capped at the room's top); undefined when it did not move. */
  markRead(room: string, username: string, seq: number): Promise<number | undefined>;
  /** Of these usernames, the enabled users who may read the room. */
  mentionable(room: string, usernames: readonly string[]): Promise<string[]>;
  /** Each named room's newest seq. */
  tops(names: readonly string[]): Promise<Map<string, number>>;
}

/** Full-text search over messages as they stand now. */
export interface SearchIndex {
  messages(query: SearchQuery): Promise<FoundMessage[]>;
}

export interface EntryStore {
  /** One transaction for the batch; results in input order (see store/entries.ts for the guarantees). */
  append(batch: readonly NewEntry[]): Promise<AppendResult[]>;
  after(room: string, afterSeq: number, limit: number): Promise<StoredEntry[]>;
  messagesBefore(room: string, beforeSeq: number | undefined, limit: number): Promise<StoredEntry[]>;
  findMessage(room: string, id: string): Promise<StoredEntry | undefined>;
}

/** Whether a user exists (DMs, invitations), and who matches a prefix (autocomplete). */
export interface UserDirectory {
  find(username: string): Promise<User | undefined>;
  /** Enabled users whose username or display name starts with the prefix. */
  directory(prefix: string, limit: number): Promise<Person[]>;
}

/**
 * Who is online in each room across every node: a user is online while any of their sockets on any node is in
 * the room. A node records only the transitions it sees (its first and last socket of a user in a room) and
 * keeps its records alive by heartbeat, so a node that dies without a word has its users expire.
 */
export interface Presence {
  /** This node's first socket of `user` joined `room`; true when no other node has the user there (announce online). */
  arrive(room: string, user: string): Promise<boolean>;
  /** This node's last socket of `user` left `room`; true when no other node has the user there (announce offline). */
  depart(room: string, user: string): Promise<boolean>;
  /** The users online in the room on any node. */
  online(room: string): Promise<string[]>;
  /**
   * Renews this node's records of `local` (room → its users here) and sweeps the expired records of those
   * rooms; answers the users who went offline by expiry (a dead node's), each to exactly one caller cluster-wide.
   */
  heartbeat(local: ReadonlyMap<string, readonly string[]>): Promise<{ room: string; user: string }[]>;
}
