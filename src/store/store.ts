// The storage boundary. SQLite (default) and PostgreSQL implement it; both pass test/store/contract.ts.
import type { ChatMessage, NewMessage } from '../chat/message.js';

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
  lastSeq: number;
  createdAt: number;
}

export interface AppendResult {
  message: ChatMessage;
  /** True when this clientId was already stored: the earlier message is returned, nothing new is written. */
  duplicate: boolean;
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
  /** Returns false when there is no such user. */
  setUserDisabled(username: string, disabled: boolean): Promise<boolean>;
  listRooms(): Promise<Room[]>;
  findRoom(name: string): Promise<Room | undefined>;
  /** Stores a batch in one transaction (group commit), assigning each room's next seq in order. */
  appendMessages(batch: NewMessage[]): Promise<AppendResult[]>;
  /** Messages with seq > afterSeq, oldest first, at most `limit`. */
  messagesAfter(room: string, afterSeq: number, limit: number): Promise<ChatMessage[]>;
  /** The `limit` messages just before `beforeSeq` (or the newest), oldest first. */
  messagesBefore(room: string, beforeSeq: number | undefined, limit: number): Promise<ChatMessage[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
