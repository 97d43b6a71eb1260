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
