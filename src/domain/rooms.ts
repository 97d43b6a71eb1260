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
}

export interface RoomMember {
  username: string;
  role: RoomRole;
}

export class RoomExistsError extends Error {
  override name = 'RoomExistsError';
}
