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
  /**
   * Events one node publishes on a channel reach subscribers in that order; events from different nodes may
   * interleave in any order (sessions restore seq order from the store). Delivery is best effort: whatever is
   * missed is found in the store.
   */
  publish(channel: string, event: RoomEvent): void;
  /** Resolves once every event published from then on will be delivered to `handler`. */
  subscribe(channel: string, handler: (event: RoomEvent) => void): Promise<Unsubscribe>;
  close(): Promise<void>;
}
