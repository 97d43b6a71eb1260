// Fan-out across nodes. The in-process bus (default) and the Redis bus implement it.
import type { RoomEntry } from '../chat/message.js';

export type RoomEvent =
  /** A stored stream entry (message, edit, deletion), published after its commit. */
  | { type: 'entry'; entry: RoomEntry }
  | { type: 'typing'; room: string; user: string }
  | { type: 'presence'; room: string; user: string; state: 'online' | 'offline' }
  /** A member was removed: their sockets leave the room. */
  | { type: 'removed'; room: string; user: string };

export type Unsubscribe = () => void;

export interface Bus {
  /** Events on one channel reach subscribers in the order they were published. */
  publish(channel: string, event: RoomEvent): void;
  subscribe(channel: string, handler: (event: RoomEvent) => void): Unsubscribe;
  close(): Promise<void>;
}
