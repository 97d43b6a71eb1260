// Local fan-out, after Socket.IO's in-memory adapter: rooms as Map<room, Set<member>>, one bus subscription per
// room that has local members (channels.ts), each event encoded once for all of them. What a node guarantees:
// - local delivery never waits for the bus: an event published on this node reaches its members at once, and
//   goes to the bus for the other nodes (which ignore their own events coming back);
// - a subscription that fails (the bus is down) is retried until it holds, never remembered as failed;
// - positioning: every `positionEveryMs`, and after every bus reconnect, the stored top of each room served here
//   is compared with what was delivered, and missed entries are read from the store and delivered — so an entry
//   whose publish was lost reaches everyone within seconds even in a quiet room.
import type { Bus } from '../bus/bus.js';
import { Channels } from './channels.js';
import type { OutgoingFrame } from './entries.js';
import { entryFrame } from './entries.js';
import { decodeEnvelope, encodeEnvelope, eventFrame, type RoomEvent, roomOf } from './events.js';
import type { EntryStore, RoomStore } from './ports.js';

export interface Member {
  readonly user: string;
  /** `frame` is the same object for every member. */
  deliver(event: RoomEvent, frame: OutgoingFrame): void;
}

export interface HubOptions {
  nodeId: string;
  positionEveryMs: number;
  /** How long a join waits for the room's bus subscription before going on without it (positioning covers it). */
  subscribeWaitMs: number;
  log: { warn(details: object, message: string): void };
}

interface RoomState {
  members: Set<Member>;
  /** Sockets per user here: presence changes on the first and the last. */
  sockets: Map<string, number>;
  /** Highest entry seq delivered here. */
  top: number;
  /** Resolves once the subscription is tried and the top is read. */
  ready: Promise<void>;
}

const channel = (room: string) => `room:${room}`;
const PAGE = 500;

export class Hub {
  private readonly rooms = new Map<string, RoomState>();
  private readonly channels: Channels;
  private timer?: NodeJS.Timeout;
  private positioning?: Promise<void>;

  constructor(
    private readonly bus: Bus,
    private readonly store: { rooms: Pick<RoomStore, 'tops'>; entries: Pick<EntryStore, 'after'> },
    private readonly options: HubOptions,
  ) {
    // Created first, so its resubscriptions run before the positioning a reconnect starts.
    this.channels = new Channels(bus, (payload) => this.receive(payload), options.log);
    bus.onReconnect(() => void this.position());
  }

  start(): void {
    this.timer = setInterval(() => void this.position(), this.options.positionEveryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.positioning;
    this.channels.releaseAll();
    this.rooms.clear();
  }

  /** Adds the member once the room is ready here; true when it is the user's first socket in the room on this node. */
  async add(room: string, member: Member): Promise<boolean> {
    let state = this.rooms.get(room);
    if (!state) {
      const fresh: RoomState = { members: new Set(), sockets: new Map(), top: 0, ready: Promise.resolve() };
      this.rooms.set(room, (state = fresh));
      fresh.ready = this.prepare(room, fresh);
    }
    if (state.members.has(member)) return false;
    state.members.add(member);
    const count = (state.sockets.get(member.user) ?? 0) + 1;
    state.sockets.set(member.user, count);
    await state.ready;
    return count === 1;
  }

  /** Removes the member; true when it was the user's last socket in the room on this node. */
  remove(room: string, member: Member): boolean {
    const state = this.rooms.get(room);
    if (!state?.members.delete(member)) return false;
    const count = state.sockets.get(member.user)! - 1;
    if (count === 0) state.sockets.delete(member.user);
    else state.sockets.set(member.user, count);
    if (state.members.size === 0) {
      this.channels.release(channel(room));
      this.rooms.delete(room);
    }
    return count === 0;
  }

  /** Users online in the room on this node, each once however many sockets they have. */
  users(room: string): string[] {
    return [...(this.rooms.get(room)?.sockets.keys() ?? [])].sort();
  }

  /** Every room served here, with its users here. */
  local(): Map<string, string[]> {
    return new Map([...this.rooms].map(([room, state]) => [room, [...state.sockets.keys()]]));
  }

  /** Delivers the event to this node's members now, and to the other nodes' through the bus. */
  publish(event: RoomEvent): void {
    this.deliver(event);
    this.bus.publish(channel(roomOf(event)), encodeEnvelope(this.options.nodeId, event));
  }

  private deliver(event: RoomEvent): void {
    const state = this.rooms.get(roomOf(event));
    if (!state) return;
    if (event.type === 'entry' && event.entry.seq > state.top) state.top = event.entry.seq;
    const frame = eventFrame(event);
    for (const member of state.members) member.deliver(event, frame);
  }

  private async prepare(room: string, state: RoomState): Promise<void> {
    await this.channels.hold(channel(room), this.options.subscribeWaitMs);
    // Read after subscribing: whatever is stored later arrives by bus or by positioning.
    const top = (await this.store.rooms.tops([room])).get(room) ?? 0;
    if (top > state.top) state.top = top;
  }

  private receive(payload: string): void {
    const envelope = decodeEnvelope(payload);
    if (!envelope) return this.options.log.warn({ bytes: payload.length }, 'ignored a bus message that is not a room event');
    if (envelope.node !== this.options.nodeId) this.deliver(envelope.event);
  }

  /** Positioning: one query for the tops of every room served here, then the missed entries of those behind. */
  private position(): Promise<void> {
    this.positioning ??= this.catchUp()
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'positioning could not read the store'))
      .finally(() => (this.positioning = undefined));
    return this.positioning;
  }

  private async catchUp(): Promise<void> {
    if (this.rooms.size === 0) return;
    const tops = await this.store.rooms.tops([...this.rooms.keys()]);
    for (const [room, top] of tops) {
      for (let state = this.rooms.get(room); state && state.top < top; state = this.rooms.get(room)) {
        const page = await this.store.entries.after(room, state.top, PAGE);
        if (page.length === 0) break;
        for (const entry of page) if (entry.seq > (this.rooms.get(room)?.top ?? Infinity)) this.deliver({ type: 'entry', entry: entryFrame(entry) });
      }
    }
  }
}
