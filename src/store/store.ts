// The storage boundary. SQLite (default) and PostgreSQL implement it; both pass test/store/contract.ts.
import type { ChatMessage, NewEntry, RoomEntry, RoomKind, RoomRole } from '../chat/message.js';

export interface User {
  username: string;
  passwordHash: string;
  /** Scopes this user may be granted, e.g. ["chat:read", "chat:write"]. */
  scopes: string[];
  disabled: boolean;
  createdAt: number;
}

export interface NewUser {
  username: string;
  passwordHash: string;
  scopes: string[];
}

export interface Room {
  name: string;
  kind: RoomKind;
  owner?: string;
  lastSeq: number;
  createdAt: number;
}

export interface RoomMember {
  username: string;
  role: RoomRole;
}

export type AppendResult =
  | { status: 'stored'; entry: RoomEntry }
  /** This clientId was stored before: the earlier message is returned, nothing new is written. */
  | { status: 'duplicate'; entry: ChatMessage }
  /** An edit or deletion of a message that is not there (or already deleted): nothing is written. */
  | { status: 'gone' };

export class RoomExistsError extends Error {
  override name = 'RoomExistsError';
}

export interface RefreshTokenRecord {
  tokenHash: string;
  /** Every rotation of one login shares the family; reuse of a spent token kills the whole family. */
  family: string;
  username: string;
  scopes: string[];
  expiresAt: number;
}

export type RefreshUse =
  | { status: 'ok'; token: RefreshTokenRecord }
  /** Already spent: someone replayed it (RFC 6749 §10.4). The caller revokes the family. */
  | { status: 'reused'; token: RefreshTokenRecord; usedAt: number }
  | { status: 'unknown' | 'expired' | 'revoked' };

export type RevocationKind = 'token' | 'family' | 'user';

export interface Revocation {
  id: number;
  kind: RevocationKind;
  value: string;
}

export class UsernameTakenError extends Error {
  override name = 'UsernameTakenError';
}

export interface Store {
  /** Brings the schema up to date; safe to call on every start. */
  migrate(): Promise<void>;
  createUser(user: NewUser): Promise<User>;
  findUser(username: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /** Returns false when there is no such user. Disabling also records a `user` revocation. */
  setUserDisabled(username: string, disabled: boolean): Promise<boolean>;

  saveRefreshToken(token: RefreshTokenRecord): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Spends a refresh token, atomically: of two concurrent uses, one is `ok` and the other `reused`. */
  useRefreshToken(tokenHash: string, now: number): Promise<RefreshUse>;
  /** Records a revocation; `expiresAt` is when the revoked thing would be dead anyway. */
  revoke(kind: RevocationKind, value: string, expiresAt: number): Promise<void>;
  isRevoked(tokenId: string, family: string | undefined): Promise<boolean>;
  /** The revocation feed after `id`, oldest first; every node tails it to drop live sockets. */
  revocationsAfter(id: number): Promise<Revocation[]>;
  lastRevocationId(): Promise<number>;
  saveTicket(ticketHash: string, payload: string, expiresAt: number): Promise<void>;
  /** The ticket's payload if it exists, is unexpired and unused; it is spent by this call. */
  redeemTicket(ticketHash: string, now: number): Promise<string | undefined>;
  /** Deletes expired tickets, refresh tokens and revocations. */
  prune(now: number): Promise<void>;

  /** Creates the room with its first members (the owner among them); RoomExistsError if the name is taken. */
  createRoom(room: { name: string; kind: RoomKind; owner: string; members: RoomMember[] }): Promise<Room>;
  findRoom(name: string): Promise<Room | undefined>;
  /** Public rooms and the private rooms and DMs the user belongs to, with the user's role where there is one. */
  visibleRooms(username: string): Promise<(Room & { role?: RoomRole })[]>;
  roleIn(room: string, username: string): Promise<RoomRole | undefined>;
  members(room: string): Promise<RoomMember[]>;
  /** Adds the member or changes their role. */
  setMember(room: string, member: RoomMember): Promise<void>;
  removeMember(room: string, username: string): Promise<boolean>;
  findMessage(room: string, id: string): Promise<ChatMessage | undefined>;
  /** Stores a batch in one transaction (group commit), assigning each room's next seq in order. */
  appendEntries(batch: NewEntry[]): Promise<AppendResult[]>;
  /** The stream after `afterSeq`, oldest first, at most `limit`: messages as they stand now, edits, deletions. */
  entriesAfter(room: string, afterSeq: number, limit: number): Promise<RoomEntry[]>;
  /** The `limit` messages just before `beforeSeq` (or the newest), oldest first, as they stand now. */
  messagesBefore(room: string, beforeSeq: number | undefined, limit: number): Promise<ChatMessage[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
