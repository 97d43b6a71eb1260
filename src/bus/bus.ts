// Fan-out across nodes. The in-process bus (default) and the Redis bus implement it.
import type { ChatMessage } from '../chat/message.js';

export type RoomEvent =
  | { type: 'message'; message: ChatMessage }
  | { type: 'typing'; room: string; user: string };

export type Unsubscribe = () => void;

export interface Bus {
  /** Events on one channel reach subscribers in the order they were published. */
  publish(channel: string, event: RoomEvent): void;
  subscribe(channel: string, handler: (event: RoomEvent) => void): Unsubscribe;
  close(): Promise<void>;
}
