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
  private readonly rooms = new Map<string, { members: Set<Member>; unsubscribe: Unsubscribe }>();

  constructor(
    private readonly bus: Bus,
    private readonly encode: (event: RoomEvent) => string,
  ) {}

  add(room: string, member: Member): void {
    let entry = this.rooms.get(room);
    if (!entry) {
      const members = new Set<Member>();
      const unsubscribe = this.bus.subscribe(roomChannel(room), (event) => {
        const frame = this.encode(event);
        for (const m of members) m.deliver(event, frame);
      });
      this.rooms.set(room, (entry = { members, unsubscribe }));
    }
    entry.members.add(member);
  }

  remove(room: string, member: Member): void {
    const entry = this.rooms.get(room);
    if (!entry) return;
    entry.members.delete(member);
    if (entry.members.size === 0) {
      entry.unsubscribe();
      this.rooms.delete(room);
    }
  }

  /** Users online in the room on this node, each once however many tabs they have. */
  users(room: string): string[] {
    const members = this.rooms.get(room)?.members ?? [];
    return [...new Set([...members].map((m) => m.user))].sort();
  }
}
