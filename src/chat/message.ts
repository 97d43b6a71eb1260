/** A stored chat message, as every client sees it. `seq` is gap-free and strictly increasing per room. */
export interface ChatMessage {
  room: string;
  id: string;
  seq: number;
  user: string;
  body: string;
  /** Milliseconds since the epoch, assigned by the server when stored. */
  ts: number;
}

/** What a sender hands to the store; `clientId` makes a resend after a reconnect idempotent. */
export interface NewMessage {
  room: string;
  user: string;
  body: string;
  clientId?: string;
}

export const MAX_BODY_LENGTH = 4000;
export const ROOM_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
export const DEFAULT_ROOM = 'general';
