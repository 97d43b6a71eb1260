// Local fan-out, after Socket.IO's in-memory adapter: rooms as Map<room, Set<member>>, one bus
// subscription per room that has local members, and each event encoded once for all of them.
import type { Bus, RoomEvent, Unsubscribe } from '../bus/bus.js';

export interface Member {
  readonly user: string;
  /** `frame` is the same string for every member; `event` lets a member that is replaying decide. */
  deliver(event: RoomEvent, frame: string): void;
}

export const roomChannel = (room: string) => `room:${room}`;

export class Hub {
  /** Per room: its local members, how many sockets each user has there, and the bus subscription. */
  private readonly rooms = new Map<string, { members: Set<Member>; sockets: Map<string, number>; subscription: Promise<Unsubscribe> }>();

  constructor(
    private readonly bus: Bus,
    private readonly encode: (event: RoomEvent) => string,
  ) {}

  /**
   * Adds the member and resolves once the room's bus subscription is live (so a store read after it misses
   * nothing); true when it is the user's first socket here (they just came online in this room).
   */
  async add(room: string, member: Member): Promise<boolean> {
    let entry = this.rooms.get(room);
    if (!entry) {
      const members = new Set<Member>();
      const subscription = this.bus.subscribe(roomChannel(room), (event) => {
        const frame = this.encode(event);
        for (const m of members) m.deliver(event, frame);
      });
      this.rooms.set(room, (entry = { members, sockets: new Map(), subscription }));
    }
    if (entry.members.has(member)) return false;
    entry.members.add(member);
    const count = (entry.sockets.get(member.user) ?? 0) + 1;
    entry.sockets.set(member.user, count);
    await entry.subscription;
    return count === 1;
  }

  /** Removes the member; true when it was the user's last here (they just went offline in this room). */
  remove(room: string, member: Member): boolean {
    const entry = this.rooms.get(room);
    if (!entry || !entry.members.delete(member)) return false;
    const count = entry.sockets.get(member.user)! - 1;
    if (count === 0) entry.sockets.delete(member.user);
    else entry.sockets.set(member.user, count);
    if (entry.members.size === 0) {
      void entry.subscription.then((unsubscribe) => unsubscribe(), () => {});
      this.rooms.delete(room);
    }
    return count === 0;
  }

  /** Users online in the room on this node, each once however many tabs they have. */
  users(room: string): string[] {
    return [...(this.rooms.get(room)?.sockets.keys() ?? [])].sort();
  }
}
