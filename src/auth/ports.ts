// What auth/ needs from the store, in its own words. The store's classes fit these by shape (server.ts hands
// them over); each module here asks for the slice it uses with Pick.
import type { NewUser, RefreshToken, RefreshUse, Revocation, RevocationKind, User } from '../domain/accounts.js';

export interface AccountStore {
  /** UsernameTakenError when the name is in use. */
  create(user: NewUser): Promise<User>;
  find(username: string): Promise<User | undefined>;
  list(): Promise<User[]>;
  any(): Promise<boolean>;
  /** False when there is no such user; disabling records a `user` revocation. */
  setDisabled(username: string, disabled: boolean): Promise<boolean>;
  /** A new hash; tokens issued before the returned cutoff die. Undefined when there is no such local user. */
  setPassword(username: string, passwordHash: string, dropSockets: boolean): Promise<number | undefined>;
  /** False when there is no such user. */
  setDisplayName(username: string, displayName: string | null): Promise<boolean>;
}

export interface TokenStore {
  saveRefreshToken(token: RefreshToken): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined>;
  /** Atomic: of two concurrent uses, one is `ok` and the other `reused`. */
  useRefreshToken(tokenHash: string, now: number): Promise<RefreshUse>;
  /** The families of the user's refresh tokens that have not expired. */
  liveFamilies(username: string, now: number): Promise<string[]>;
  revoke(kind: RevocationKind, value: string, expiresAt: number): Promise<void>;
  isRevoked(tokenId: string, family: string | undefined): Promise<boolean>;
  revocationsAfter(id: number): Promise<Revocation[]>;
  /** Every token and family revocation still in force. */
  activeRevocations(now: number): Promise<Revocation[]>;
  lastRevocationId(): Promise<number>;
  saveTicket(ticketHash: string, payload: string, expiresAt: number): Promise<void>;
  /** The payload of an unexpired, unused ticket, spent by this call. */
  redeemTicket(ticketHash: string, now: number): Promise<string | undefined>;
  prune(now: number): Promise<void>;
}
