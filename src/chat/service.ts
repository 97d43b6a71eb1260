// The chat domain that sockets and HTTP routes talk to: rooms, membership, sending, editing, deleting,
// history, presence, typing. Every permission is decided here (permissions.ts). No transport, no SQL.
import { createHash } from 'node:crypto';
import type { Bus, RoomEvent } from '../bus/bus.js';
import { type AppendResult, type Room, RoomExistsError, type RoomMember, type Store } from '../store/store.js';
import { Hub, type Member, roomChannel } from './hub.js';
import type { ChatMessage, NewEntry, RoomEntry, RoomKind, RoomRole } from './message.js';
import { type Actor, canDelete, canEdit, canJoin, canManageMembers, canRemove } from './permissions.js';
import { EntryWriter } from './writer.js';

export type ChatErrorCode = 'no_such_room' | 'forbidden' | 'not_found' | 'room_exists' | 'no_such_user';
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: ChatErrorCode; message: string };

const fail = (code: ChatErrorCode, message: string) => ({ ok: false, code, message }) as const;

export class ChatService {
  private readonly hub: Hub;
  private readonly writer: EntryWriter;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    encode: (event: RoomEvent) => string,
  ) {
    this.hub = new Hub(bus, encode);
    this.writer = new EntryWriter(store, (entry) => this.publish(entry.room, { type: 'entry', entry }));
  }

  /** Checks access, then adds the member to live delivery; answers who is online here. */
  async join(room: string, member: Member, actor: Actor): Promise<Outcome<{ members: string[] }>> {
    const readable = await this.canRead(room, actor);
    if (!readable.ok) return readable;
    let first: boolean;
    try {
      first = await this.hub.add(room, member);
    } catch (error) {
      this.hub.remove(room, member); // the bus could not subscribe: no half-joined member stays behind
      throw error;
    }
    if (first) this.publish(room, { type: 'presence', room, user: member.user, state: 'online' });
    return { ok: true, value: { members: this.hub.users(room) } };
  }

  leave(room: string, member: Member): void {
    if (this.hub.remove(room, member)) this.publish(room, { type: 'presence', room, user: member.user, state: 'offline' });
  }

  /** Resolves once the message is durably stored (and published); a repeated clientId is not stored twice. */
  send(input: Omit<Extract<NewEntry, { kind: 'message' }>, 'kind'>): Promise<AppendResult> {
    return this.writer.write({ kind: 'message', ...input });
  }

  /** Only the author edits. The edit is a stream entry: live clients and resuming ones both get it. */
  async edit(room: string, id: string, body: string, actor: Actor): Promise<Outcome<RoomEntry>> {
    const message = await this.store.findMessage(room, id);
    if (!message || message.deleted) return fail('not_found', 'no such message');
    if (!canEdit(message, actor)) return fail('forbidden', 'only the author can edit a message');
    return this.change({ kind: 'edit', room, user: actor.username, targetId: id, body });
  }

  /** The author, the room's owner or moderators, or an admin. The body is erased from the store. */
  async delete(room: string, id: string, actor: Actor): Promise<Outcome<RoomEntry>> {
    const message = await this.store.findMessage(room, id);
    if (!message || message.deleted) return fail('not_found', 'no such message');
    if (!canDelete(message, await this.store.roleIn(room, actor.username), actor)) {
      return fail('forbidden', 'only the author, a moderator or an admin can delete this message');
    }
    return this.change({ kind: 'delete', room, user: actor.username, targetId: id });
  }

  replay(room: string, afterSeq: number, limit: number): Promise<RoomEntry[]> {
    return this.store.entriesAfter(room, afterSeq, limit);
  }

  history(room: string, beforeSeq: number | undefined, limit: number): Promise<ChatMessage[]> {
    return this.store.messagesBefore(room, beforeSeq, limit);
  }

  typing(room: string, user: string): void {
    this.publish(room, { type: 'typing', room, user });
  }

  /** Whether the actor may read the room: join it, or page its history over HTTP. */
  async canRead(room: string, actor: Actor): Promise<Outcome<Room>> {
    const found = await this.store.findRoom(room);
    if (!found) return fail('no_such_room', `no room named ${room}`);
    if (!canJoin(found, await this.store.roleIn(room, actor.username), actor)) {
      return fail('forbidden', `${room} is private: ask its owner for an invitation`);
    }
    return { ok: true, value: found };
  }

  rooms(actor: Actor): Promise<(Room & { role?: RoomRole })[]> {
    return this.store.visibleRooms(actor.username);
  }

  async createRoom(name: string, kind: Exclude<RoomKind, 'dm'>, actor: Actor): Promise<Outcome<Room>> {
    try {
      return { ok: true, value: await this.store.createRoom({ name, kind, owner: actor.username, members: [{ username: actor.username, role: 'owner' }] }) };
    } catch (error) {
      if (error instanceof RoomExistsError) return fail('room_exists', `a room named ${name} exists`);
      throw error;
    }
  }

  /** A DM is a private two-member room whose name derives from the pair: opening it twice finds the same one. */
  async openDm(actor: Actor, other: string): Promise<Outcome<Room>> {
    if (!(await this.store.findUser(other))) return fail('no_such_user', `no user named ${other}`);
    const pair = [actor.username, other].sort();
    const name = `dm-${createHash('sha256').update(pair.join('\n')).digest('hex').slice(0, 24)}`;
    const existing = await this.store.findRoom(name);
    if (existing) return { ok: true, value: existing };
    try {
      const members: RoomMember[] = [...new Set(pair)].map((username) => ({ username, role: 'member' }));
      return { ok: true, value: await this.store.createRoom({ name, kind: 'dm', owner: actor.username, members }) };
    } catch (error) {
      if (error instanceof RoomExistsError) return { ok: true, value: (await this.store.findRoom(name))! };
      throw error;
    }
  }

  async members(room: string, actor: Actor): Promise<Outcome<RoomMember[]>> {
    const readable = await this.canRead(room, actor);
    return readable.ok ? { ok: true, value: await this.store.members(room) } : readable;
  }

  async addMember(room: string, actor: Actor, username: string, role: RoomRole): Promise<Outcome<RoomMember>> {
    const found = await this.store.findRoom(room);
    if (!found) return fail('no_such_room', `no room named ${room}`);
    if (!canManageMembers(found, await this.store.roleIn(room, actor.username), actor, role)) {
      return fail('forbidden', role === 'member' ? 'only owners and moderators invite' : 'only the owner appoints moderators');
    }
    if (!(await this.store.findUser(username))) return fail('no_such_user', `no user named ${username}`);
    await this.store.setMember(room, { username, role });
    return { ok: true, value: { username, role } };
  }

  /** Leaving or being removed; a removed member's live sockets leave the room at once. */
  async removeMember(room: string, actor: Actor, username: string): Promise<Outcome<void>> {
    const found = await this.store.findRoom(room);
    if (!found) return fail('no_such_room', `no room named ${room}`);
    if (!canRemove(found, await this.store.roleIn(room, actor.username), actor, username)) {
      return fail('forbidden', username === found.owner ? 'the owner cannot be removed' : 'only owners and moderators remove members');
    }
    if (!(await this.store.removeMember(room, username))) return fail('not_found', `${username} is not a member of ${room}`);
    if (found.kind !== 'public') this.publish(room, { type: 'removed', room, user: username });
    return { ok: true, value: undefined };
  }

  private async change(input: NewEntry): Promise<Outcome<RoomEntry>> {
    const result = await this.writer.write(input);
    return result.status === 'gone' ? fail('not_found', 'no such message') : { ok: true, value: result.entry };
  }

  private publish(room: string, event: RoomEvent): void {
    this.bus.publish(roomChannel(room), event);
  }
}
