// The chat domain that sockets and HTTP routes talk to: rooms, membership, sending, editing, deleting, history,
// presence, typing. Every call names the acting principal and every permission is decided here (permissions.ts);
// refusals are thrown as ParleyError with a catalogue code. No transport, no SQL.
import { createHash } from 'node:crypto';
import { Limits, ParleyError, type ServerFrameOf } from 'parley-chat-protocol';

type Message = ServerFrameOf<'message'>;
import type { Bus } from '../bus/bus.js';
import type { StoredEntry } from '../domain/entries.js';
import { type Room, RoomExistsError, type RoomKind, type RoomMember, type RoomRole } from '../domain/rooms.js';
import { type OutgoingFrame, entryFrame, outgoing } from './entries.js';
import type { RoomEvent } from './events.js';
import { type FeedItem, type FeedSink, RoomFeed } from './feed.js';
import { Hub, type HubOptions, type Member } from './hub.js';
import { type Actor, canDelete, canEdit, canManageMembers, canRead, canReadAnything, canRemove, canWriteAnything } from './permissions.js';
import type { EntryStore, Presence, RoomStore, UserDirectory } from './ports.js';
import { EntryWriter } from './writer.js';

/** A socket (or any receiver), as the chat sees it: a feed's sink, with the principal acting through it. */
export interface Listener extends FeedSink<OutgoingFrame> {
  /** The principal acting now (a socket's token may be renewed in-band). */
  readonly actor: Actor;
  onError(error: unknown): void;
}

export interface ChatParts {
  rooms: RoomStore;
  entries: EntryStore;
  users: UserDirectory;
  bus: Bus;
  presence: Presence;
}

/** How often this node renews its presence records and sweeps the expired ones of the rooms it serves. */
const PRESENCE_HEARTBEAT_MS = 5000;

const REPLAY_PAGE = 500;

export class ChatService {
  private readonly hub: Hub;
  private readonly writer: EntryWriter;
  private readonly log: HubOptions['log'];
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly parts: ChatParts,
    options: HubOptions & { storeTimeoutMs: number },
  ) {
    this.log = options.log;
    this.hub = new Hub(parts.bus, parts, options);
    this.writer = new EntryWriter(parts.entries, (entry) => this.hub.publish({ type: 'entry', entry: entryFrame(entry) }), {
      timeoutMs: options.storeTimeoutMs,
      onError: (error) => options.log.warn({ err: error }, 'a batch of messages could not be stored; its senders retry'),
    });
  }

  start(): void {
    this.hub.start();
    this.heartbeat = setInterval(() => void this.renewPresence(), PRESENCE_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** True once draining: new sends are refused (retryably); the ones taken are being stored and acked. */
  closing = false;

  /** Stops taking sends and resolves once every send already taken is stored and answered. */
  async drain(): Promise<void> {
    this.closing = true;
    await this.writer.idle();
  }

  /** Answers what is queued, then stops positioning and drops the bus subscriptions. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.writer.idle();
    await this.hub.stop();
  }

  /** The room, if the actor may read it; no_such_room or forbidden otherwise. */
  async readable(actor: Actor, name: string): Promise<Room & { role?: RoomRole }> {
    const room = await this.parts.rooms.find(name);
    if (!room) throw new ParleyError('no_such_room', `no room named ${name}`);
    if (!canReadAnything(actor)) throw new ParleyError('forbidden', 'reading needs the chat:read scope');
    const role = await this.parts.rooms.roleIn(name, actor.username);
    if (!canRead(room, role, actor)) throw new ParleyError('forbidden', `${name} is private: ask its owner for an invitation`);
    return role ? { ...room, role } : room;
  }

  /**
   * Joins a room for a listener: from now on it receives the room's live events, and `catchUp` sends what it
   * missed after `since` (or the last messages) first. `onRemoved` runs if a moderator removes the user.
   */
  async join(listener: Listener, name: string, options: { since?: number; onRemoved: () => void }): Promise<Membership> {
    await this.readable(listener.actor, name);
    const membership = new Membership(this, name, listener, options.since, options.onRemoved);
    if ((await this.hub.add(name, membership)) && (await this.presenceChange('arrive', name, membership.user))) {
      this.hub.publish({ type: 'presence', room: name, user: membership.user, state: 'online' });
    }
    return membership;
  }

  /** Public rooms and the private rooms and DMs the actor belongs to. */
  rooms(actor: Actor): Promise<(Room & { role?: RoomRole })[]> {
    return this.parts.rooms.visibleTo(actor.username);
  }

  /** Messages before `before` (or the newest), oldest first, for a reader over HTTP. */
  async history(actor: Actor, room: string, before: number | undefined, limit: number): Promise<Message[]> {
    await this.readable(actor, room);
    return this.messagesBefore(room, before, limit);
  }

  async createRoom(actor: Actor, name: string, kind: Exclude<RoomKind, 'dm'>): Promise<Room> {
    requireWrite(actor);
    try {
      return await this.parts.rooms.create({ name, kind, owner: actor.username, members: [{ username: actor.username, role: 'owner' }] });
    } catch (error) {
      if (error instanceof RoomExistsError) throw new ParleyError('room_exists', `a room named ${name} exists`);
      throw error;
    }
  }

  /** A DM is a private two-member room whose name derives from the pair: opening it twice finds the same one. */
  async openDm(actor: Actor, other: string): Promise<Room> {
    requireWrite(actor);
    if (!(await this.parts.users.find(other))) throw new ParleyError('no_such_user', `no user named ${other}`);
    const pair = [actor.username, other].sort();
    const name = `dm-${createHash('sha256').update(pair.join('\n')).digest('hex').slice(0, 24)}`;
    const existing = await this.parts.rooms.find(name);
    if (existing) return existing;
    try {
      const members: RoomMember[] = [...new Set(pair)].map((username) => ({ username, role: 'member' }));
      return await this.parts.rooms.create({ name, kind: 'dm', owner: actor.username, members });
    } catch (error) {
      if (error instanceof RoomExistsError) return (await this.parts.rooms.find(name))!;
      throw error;
    }
  }

  async members(actor: Actor, room: string): Promise<RoomMember[]> {
    await this.readable(actor, room);
    return this.parts.rooms.members(room);
  }

  async addMember(actor: Actor, name: string, username: string, role: RoomRole): Promise<RoomMember> {
    const room = await this.existing(name);
    if (!canManageMembers(room, await this.parts.rooms.roleIn(name, actor.username), actor, role)) {
      throw new ParleyError('forbidden', role === 'member' ? 'only owners and moderators invite' : 'only the owner appoints moderators');
    }
    if (!(await this.parts.users.find(username))) throw new ParleyError('no_such_user', `no user named ${username}`);
    await this.parts.rooms.setMember(name, { username, role });
    return { username, role };
  }

  /** Leaving or being removed; a removed member's live sockets leave the room at once. */
  async removeMember(actor: Actor, name: string, username: string): Promise<void> {
    const room = await this.existing(name);
    if (!canRemove(room, await this.parts.rooms.roleIn(name, actor.username), actor, username)) {
      throw new ParleyError('forbidden', username === room.owner ? 'the owner cannot be removed' : 'only owners and moderators remove members');
    }
    if (!(await this.parts.rooms.removeMember(name, username))) throw new ParleyError('not_found', `${username} is not a member of ${name}`);
    if (room.kind !== 'public') this.hub.publish({ type: 'removed', room: name, user: username });
  }

  // ---- for Membership

  /** @internal */ publish(event: RoomEvent): void {
    this.hub.publish(event);
  }

  /** @internal */ leave(room: string, membership: Membership): void {
    if (!this.hub.remove(room, membership)) return;
    const { user } = membership;
    void this.presenceChange('depart', room, user).then((last) => last && this.hub.publish({ type: 'presence', room, user, state: 'offline' }));
  }

  /** Who is online in the room on any node (this node's view when the cluster's cannot be had). */
  async onlineIn(room: string): Promise<string[]> {
    const here = this.hub.users(room);
    try {
      return [...new Set([...(await this.parts.presence.online(room)), ...here])].sort();
    } catch (error) {
      this.log.warn({ err: error }, 'presence unavailable: answering who is online on this node');
      return here;
    }
  }

  /** Records a first arrival or last departure on this node; true when it changes the user's presence anywhere. */
  private async presenceChange(change: 'arrive' | 'depart', room: string, user: string): Promise<boolean> {
    try {
      return await this.parts.presence[change](room, user);
    } catch (error) {
      this.log.warn({ err: error }, 'presence unavailable: announcing what this node sees');
      return true;
    }
  }

  /** Keeps this node's users online and announces the ones whose node stopped renewing them (it died). */
  private async renewPresence(): Promise<void> {
    try {
      for (const { room, user } of await this.parts.presence.heartbeat(this.hub.local())) {
        this.hub.publish({ type: 'presence', room, user, state: 'offline' });
      }
    } catch (error) {
      this.log.warn({ err: error }, 'presence heartbeat failed; retrying');
    }
  }

  /** @internal */ write = (input: Parameters<EntryWriter['write']>[0]) => this.writer.write(input);

  /** @internal */ async messagesBefore(room: string, before: number | undefined, limit: number): Promise<Message[]> {
    return (await this.parts.entries.messagesBefore(room, before, limit)).map((entry) => entryFrame(entry) as Message);
  }

  /** @internal */ async entriesAfter(room: string, after: number, limit: number): Promise<FeedItem<OutgoingFrame>[]> {
    return (await this.parts.entries.after(room, after, limit)).map(feedItem);
  }

  /** @internal */ async message(room: string, id: string): Promise<StoredEntry> {
    const message = await this.parts.entries.findMessage(room, id);
    if (!message || message.deleted) throw new ParleyError('not_found', 'no such message');
    return message;
  }

  /** @internal */ roleIn(room: string, username: string): Promise<RoomRole | undefined> {
    return this.parts.rooms.roleIn(room, username);
  }

  private async existing(name: string): Promise<Room> {
    const room = await this.parts.rooms.find(name);
    if (!room) throw new ParleyError('no_such_room', `no room named ${name}`);
    return room;
  }
}

const feedItem = (entry: StoredEntry): FeedItem<OutgoingFrame> => ({ seq: entry.seq, frame: outgoing(entryFrame(entry)) });

function requireWrite(actor: Actor): void {
  if (!canWriteAnything(actor)) throw new ParleyError('forbidden', 'this needs the chat:write scope');
}

/**
 * One listener in one room: what a join grants. Holding one proves the actor could read the room when it joined;
 * a removal ends it. Sends, edits, deletions, history and typing for the room go through it.
 */
export class Membership implements Member {
  private readonly feed: RoomFeed<OutgoingFrame>;
  private lastTyping = 0;
  private ended = false;

  constructor(
    private readonly chat: ChatService,
    readonly room: string,
    private readonly listener: Listener,
    private readonly since: number | undefined,
    private readonly onRemoved: () => void,
  ) {
    this.feed = new RoomFeed(since ?? 0, { after: (after, limit) => chat.entriesAfter(room, after, limit) }, listener, {
      page: REPLAY_PAGE,
      onError: (error) => listener.onError(error),
    });
  }

  get user(): string {
    return this.listener.actor.username;
  }

  /** Who is online in the room (each user once, on any node). */
  members(): Promise<string[]> {
    return this.chat.onlineIn(this.room);
  }

  /** Sends what the listener missed — after `since`, or the last messages — then its live events. */
  async catchUp(): Promise<void> {
    if (this.since === undefined) {
      const recent = await this.chat.messagesBefore(this.room, undefined, Limits.recentOnJoin);
      if (this.ended) return;
      this.feed.skipTo(recent.map((message) => ({ seq: message.seq, frame: outgoing(message) })));
    }
    await this.feed.replay();
  }

  deliver(event: RoomEvent, frame: OutgoingFrame): void {
    switch (event.type) {
      case 'entry':
        return this.feed.offer({ seq: event.entry.seq, frame });
      case 'typing':
        if (this.feed.isLive && event.user !== this.user) this.listener.send(frame, false);
        return;
      case 'presence':
        if (this.feed.isLive) this.listener.send(frame, false);
        return;
      case 'removed':
        if (event.user !== this.user) return;
        this.leave();
        this.listener.send(frame, false);
        return this.onRemoved();
    }
  }

  leave(): void {
    if (this.ended) return;
    this.ended = true;
    this.feed.close();
    this.chat.leave(this.room, this);
  }

  /** Resolves once stored (a repeated clientId: with the first message); the entry reaches every member. */
  async send(body: string, clientId: string | undefined): Promise<{ id: string; seq: number }> {
    if (!canWriteAnything(this.listener.actor)) throw new ParleyError('forbidden', 'sending needs the chat:write scope');
    if (this.chat.closing) throw new ParleyError('unavailable', 'this node is shutting down: send it again (same clientId) after reconnecting');
    const result = await this.chat.write({ kind: 'message', room: this.room, user: this.user, body, ...(clientId ? { clientId } : {}) });
    if (result.status === 'gone') throw new ParleyError('no_such_room', `${this.room} is gone`);
    return { id: result.entry.id, seq: result.entry.seq };
  }

  /** Only the author edits. The edit is a stream entry: live clients and resuming ones both get it. */
  async edit(id: string, body: string): Promise<void> {
    const message = await this.chat.message(this.room, id);
    if (!canEdit(message, this.listener.actor)) throw new ParleyError('forbidden', 'only the author can edit a message');
    await this.change({ kind: 'edit', room: this.room, user: this.user, targetId: id, body });
  }

  /** The author, the room's owner or moderators, or an admin; the text is erased from every entry that held it. */
  async delete(id: string): Promise<void> {
    const message = await this.chat.message(this.room, id);
    if (!canDelete(message, await this.chat.roleIn(this.room, this.user), this.listener.actor)) {
      throw new ParleyError('forbidden', 'only the author, a moderator or an admin can delete this message');
    }
    await this.change({ kind: 'delete', room: this.room, user: this.user, targetId: id });
  }

  history(before: number | undefined, limit: number): Promise<Message[]> {
    return this.chat.messagesBefore(this.room, before, limit);
  }

  /** Relayed to the others at most once per interval per socket; dropped otherwise (it is a hint, not data). */
  typing(): void {
    if (!canWriteAnything(this.listener.actor) || Date.now() - this.lastTyping < Limits.typingIntervalMs) return;
    this.lastTyping = Date.now();
    this.chat.publish({ type: 'typing', room: this.room, user: this.user });
  }

  private async change(input: Parameters<ChatService['write']>[0]): Promise<void> {
    if ((await this.chat.write(input)).status === 'gone') throw new ParleyError('not_found', 'no such message');
  }
}
