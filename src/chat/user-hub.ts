// The per-user stream: every socket of a user receives their user events (user-events.ts), whatever rooms it
// joined, on whichever node it is. Like the room hub: local delivery first and at once, then the bus channel
// `user:<name>` for the other nodes, which a node subscribes while the user has sockets on it (channels.ts)
// and which ignores its own events coming back. User events are notices, not stored entries: one lost with the
// bus is found in the store by the next `GET /rooms` (rooms, read positions and unread counts live there).
import type { Bus } from '../bus/bus.js';
import { Channels } from './channels.js';
import type { OutgoingFrame } from './entries.js';
import { decodeUserEnvelope, encodeUserEnvelope, type UserEvent, userEventFrame } from './user-events.js';

/** One socket, as the user hub sees it. */
export interface UserListener {
  readonly user: string;
  /** Tells this socket from the user's others (a `read` is not echoed to the socket that sent it). */
  readonly socketId: string;
  /** `frame` is the same object for every socket of the user here. */
  deliverUser(event: UserEvent, frame: OutgoingFrame): void;
}

interface UserState {
  listeners: Set<UserListener>;
  ready: Promise<void>;
}

const channel = (user: string) => `user:${user}`;

export class UserHub {
  private readonly users = new Map<string, UserState>();
  private readonly channels: Channels;

  constructor(
    private readonly bus: Bus,
    private readonly options: { nodeId: string; subscribeWaitMs: number; log: { warn(details: object, message: string): void } },
  ) {
    this.channels = new Channels(bus, (payload) => this.receive(payload), options.log);
  }

  /** From now on the listener gets its user's events published here; resolves once other nodes' reach it too. */
  add(listener: UserListener): Promise<void> {
    let state = this.users.get(listener.user);
    if (!state) {
      const fresh: UserState = { listeners: new Set(), ready: Promise.resolve() };
      this.users.set(listener.user, (state = fresh));
      fresh.ready = this.channels.hold(channel(listener.user), this.options.subscribeWaitMs);
    }
    state.listeners.add(listener);
    return state.ready;
  }

  remove(listener: UserListener): void {
    const state = this.users.get(listener.user);
    if (!state?.listeners.delete(listener) || state.listeners.size > 0) return;
    this.users.delete(listener.user);
    this.channels.release(channel(listener.user));
  }

  /** Delivers to the user's sockets here now, and to those on other nodes through the bus. */
  publish(event: UserEvent): void {
    this.deliver(event);
    this.bus.publish(channel(event.user), encodeUserEnvelope(this.options.nodeId, event));
  }

  stop(): void {
    this.channels.releaseAll();
    this.users.clear();
  }

  private deliver(event: UserEvent): void {
    const state = this.users.get(event.user);
    if (!state) return;
    const frame = userEventFrame(event);
    for (const listener of state.listeners) {
      if (event.type === 'read' && event.except === listener.socketId) continue;
      listener.deliverUser(event, frame);
    }
  }

  private receive(payload: string): void {
    const envelope = decodeUserEnvelope(payload);
    if (!envelope) return this.options.log.warn({ bytes: payload.length }, 'ignored a bus message that is not a user event');
    if (envelope.node !== this.options.nodeId) this.deliver(envelope.event);
  }
}
