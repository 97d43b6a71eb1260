// The chat domain that sockets and HTTP routes talk to: rooms, membership, sending, editing, deleting, history,
// presence, typing, read positions, mentions, search, and each user's own stream of events (user-hub.ts). Every
// call names the acting principal and every permission is decided here (permissions.ts); refusals are thrown as
// ParleyError with a catalogue code. No transport, no SQL.
import { createHash } from 'node:crypto';
import { Limits, ParleyError, type ServerFrameOf } from 'parley-chat-protocol';

type Message = ServerFrameOf<'message'>;

import type { Bus } from '../bus/bus.js';
import type { Person } from '../domain/accounts.js';
import type { AppendResult, NewEntry, StoredEntry } from '../domain/entries.js';
import { type Room, type RoomChange, RoomExistsError, type RoomKind, type RoomMember, type RoomRole, type UserRoom } from '../domain/rooms.js';
import type { FoundMessage } from '../domain/search.js';
import { entryFrame, type OutgoingFrame, outgoing } from './entries.js';
import type { RoomEvent } from './events.js';
import { type FeedItem, type FeedSink, RoomFeed } from './feed.js';
import { Hub, type HubOptions, type Member } from './hub.js';
import { mentionCandidates, resolveMentions } from './mentions.js';
import {
  type Actor,
  canDelete,
  canEdit,
  canJoin,
  canManageMembers,
  canRead,
  canReadAnything,
  canRemove,
  canRename,
  canSetTopic,
  canWriteAnything,
  searchesEverywhere,
} from './permissions.js';
import type { EntryStore, Presence, RoomStore, SearchIndex, UserDirectory } from './ports.js';
import type { UserEvent } from './user-events.js';
import { UserHub, type UserListener } from './user-hub.js';
import { EntryWriter } from './writer.js';

/** A socket (or any receiver), as the chat sees it: a feed's sink, with the principal acting through it. */
export interface Listener extends FeedSink<OutgoingFrame> {
  /** The principal acting now (a socket's token may be renewed in-band). */
  readonly actor: Actor;
  /** Which socket this is, so a `read` it sends is not echoed back to it. */
  readonly socketId?: string;
  onError(error: unknown): void;
}

export interface ChatParts {
  rooms: RoomStore;
  entries: EntryStore;
  users: UserDirectory;
  bus: Bus;
  presence: Presence;
  search: SearchIndex;
}

/** A room in a user's list: theirs with unread counts (and a DM's people), or a public one to browse. */
export interface RoomView extends UserRoom {
  unread?: number;
  mentions?: number;
  members?: string[];
}

export interface SearchRequest {
  q: string;
  room?: string;
  before?: number;
  limit: number;
}

/** How often this node renews its presence records and sweeps the expired ones of the rooms it serves. */
const PRESENCE_HEARTBEAT_MS = 5000;

const REPLAY_PAGE = 500;

export class ChatService {
  private readonly hub: Hub;
  private readonly userHub: UserHub;
  private readonly writer: EntryWriter;
  private readonly log: HubOptions['log'];
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly parts: ChatParts,
    options: HubOptions & { storeTimeoutMs: number },
  ) {
    this.log = options.log;
    this.hub = new Hub(parts.bus, parts, options);
    this.userHub = new UserHub(parts.bus, options);
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
    this.userHub.stop();
  }

  /**
   * A socket of the user: from now on it receives the user's events (rooms added and removed, read positions,
   * mentions) from any node. `ready` resolves once other nodes' events reach it too; `close` ends it.
   */
  connect(listener: UserListener): { ready: Promise<void>; close(): void } {
    return { ready: this.userHub.add(listener), close: () => this.userHub.remove(listener) };
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
    const room = await this.readable(listener.actor, name);
    // A position past the newest entry comes from another history (a new or restored database): replaying after it
    // would withhold every entry up to it, silently. (A client only ever sees committed seqs, so no race makes it.)
    if (options.since !== undefined && options.since > room.lastSeq) {
      throw new ParleyError(
        'since_ahead',
        `${name} has nothing after seq ${room.lastSeq}, and you asked for what came after ${options.since}: this is not the history you kept (a new or restored database); join without since`,
      );
    }
    const membership = new Membership(this, name, listener, options.since, options.onRemoved);
    if ((await this.hub.add(name, membership)) && (await this.presenceChange('arrive', name, membership.user))) {
      this.hub.publish({ type: 'presence', room: name, user: membership.user, state: 'online' });
    }
    return membership;
  }

  /**
   * `mine`: the rooms the actor belongs to (joined public rooms, private rooms, DMs; not archived) with unread
   * counts from their read positions. `public`: every public room, to browse and join. One query per area.
   */
  async rooms(actor: Actor, scope: 'mine' | 'public' = 'mine'): Promise<RoomView[]> {
    if (!canReadAnything(actor)) throw new ParleyError('forbidden', 'reading needs the chat:read scope');
    if (scope === 'public') return this.parts.rooms.publicRooms(actor.username);
    const rooms = await this.parts.rooms.mine(actor.username);
    const unread = await this.parts.rooms.unread(actor.username);
    const dms = rooms.some((room) => room.kind === 'dm') ? await this.parts.rooms.dmMembers(actor.username) : new Map<string, string[]>();
    return rooms.map((room) => ({
      ...room,
      unread: unread.get(room.name)?.messages ?? 0,
      mentions: unread.get(room.name)?.mentions ?? 0,
      ...(room.kind === 'dm' ? { members: dms.get(room.name) ?? [] } : {}),
    }));
  }

  /** Messages before `before` (or the newest), oldest first, for a reader over HTTP. */
  async history(actor: Actor, room: string, before: number | undefined, limit: number): Promise<Message[]> {
    await this.readable(actor, room);
    return this.messagesBefore(room, before, limit);
  }

  async createRoom(actor: Actor, name: string, kind: Exclude<RoomKind, 'dm'>, details: { title?: string; topic?: string } = {}): Promise<Room> {
    requireWrite(actor);
    const title = cleanText(details.title);
    const topic = cleanText(details.topic);
    let room: Room;
    try {
      room = await this.parts.rooms.create({
        name,
        kind,
        owner: actor.username,
        members: [{ username: actor.username, role: 'owner' }],
        ...(title ? { title } : {}),
        ...(topic ? { topic } : {}),
      });
    } catch (error) {
      if (error instanceof RoomExistsError) throw new ParleyError('room_exists', `a room named ${name} exists`);
      throw error;
    }
    this.userHub.publish({ type: 'room_added', user: actor.username, room: name, kind, reason: 'created' });
    return room;
  }

  /**
   * A DM is a private room of 2 to 8 fixed people whose name derives from the set: opening it again (by anyone
   * of them) finds the same one. When it is new, every one of them gets `room_added`.
   */
  async openDm(actor: Actor, others: readonly string[]): Promise<{ room: Room; people: string[] }> {
    requireWrite(actor);
    const people = [...new Set([actor.username, ...others.map((name) => name.trim().toLowerCase())])].sort();
    if (people.length > Limits.dmMembersMax) throw new ParleyError('invalid_request', `a DM has at most ${Limits.dmMembersMax} people, you included`);
    for (const name of people) {
      if (name === actor.username) continue;
      const user = await this.parts.users.find(name);
      if (!user || user.disabled) throw new ParleyError('no_such_user', `no user named ${name}`);
    }
    // A DM with oneself hashes the name twice, as it always has: its room stays the same.
    const key = people.length === 1 ? [actor.username, actor.username] : people;
    const name = `dm-${createHash('sha256').update(key.join('\n')).digest('hex').slice(0, 24)}`;
    const existing = await this.parts.rooms.find(name);
    if (existing) return { room: existing, people };
    let room: Room;
    try {
      const members: RoomMember[] = people.map((username) => ({ username, role: 'member' }));
      room = await this.parts.rooms.create({ name, kind: 'dm', owner: actor.username, members });
    } catch (error) {
      if (error instanceof RoomExistsError) return { room: (await this.parts.rooms.find(name))!, people };
      throw error;
    }
    for (const user of people) this.userHub.publish({ type: 'room_added', user, room: name, kind: 'dm', reason: 'dm', by: actor.username });
    return { room, people };
  }

  /** Makes a public room the actor's (it joins their list; nothing before now counts as unread). */
  async joinRoom(actor: Actor, name: string): Promise<Room & { role: RoomRole; added: boolean }> {
    requireWrite(actor);
    const room = await this.existing(name);
    if (!canJoin(room, actor)) {
      throw new ParleyError('forbidden', room.kind === 'dm' ? 'a DM’s people are fixed' : `${name} is private: ask its owner for an invitation`);
    }
    if (room.archived) throw new ParleyError('room_archived', `${name} is archived`);
    const role = await this.parts.rooms.roleIn(name, actor.username);
    if (role) return { ...room, role, added: false };
    const added = await this.parts.rooms.setMember(name, { username: actor.username, role: 'member' });
    if (added) this.userHub.publish({ type: 'room_added', user: actor.username, room: name, kind: room.kind, reason: 'joined' });
    return { ...room, role: 'member', added };
  }

  /** Leaves a room (it leaves the actor's list): the same as removing oneself. */
  leaveRoom(actor: Actor, name: string): Promise<void> {
    return this.removeMember(actor, name, actor.username);
  }

  /**
   * The owner renames (a display title: the name stays the key) and archives; the owner and moderators set the
   * topic. An archived room is read-only and leaves every member's list (`room_removed`, reason `archived`);
   * unarchiving brings it back (`room_added`, reason `unarchived`). Sockets in the room get `room_updated`.
   */
  async updateRoom(actor: Actor, name: string, change: RoomChange): Promise<Room> {
    const room = await this.existing(name);
    const role = await this.parts.rooms.roleIn(name, actor.username);
    if ((change.title !== undefined || change.archived !== undefined) && !canRename(room, role, actor)) {
      const why = room.kind === 'dm' ? 'a DM has no title and is never archived' : 'only the owner renames or archives a room';
      throw new ParleyError('forbidden', why);
    }
    if (change.topic !== undefined && !canSetTopic(room, role, actor)) {
      throw new ParleyError('forbidden', room.kind === 'dm' ? 'a DM has no topic' : 'only the owner and moderators set the topic');
    }
    if (room.archived && change.archived !== false && (change.title !== undefined || change.topic !== undefined)) {
      throw new ParleyError('room_archived', `${name} is archived: unarchive it first`);
    }
    const cleaned: RoomChange = {
      ...(change.title !== undefined ? { title: cleanText(change.title) ?? null } : {}),
      ...(change.topic !== undefined ? { topic: cleanText(change.topic) ?? null } : {}),
      ...(change.archived !== undefined ? { archived: change.archived } : {}),
    };
    const updated = (await this.parts.rooms.update(name, cleaned)) ?? room;
    this.hub.publish({
      type: 'updated',
      room: name,
      ...(updated.title ? { title: updated.title } : {}),
      ...(updated.topic ? { topic: updated.topic } : {}),
      archived: updated.archived,
    });
    if (updated.archived !== room.archived) {
      for (const member of await this.parts.rooms.members(name)) {
        this.userHub.publish(
          updated.archived
            ? { type: 'room_removed', user: member.username, room: name, reason: 'archived', by: actor.username }
            : { type: 'room_added', user: member.username, room: name, kind: room.kind, reason: 'unarchived', by: actor.username },
        );
      }
    }
    return updated;
  }

  /** The actor's role in the room, if they belong to it. */
  roleOf(actor: Actor, room: string): Promise<RoomRole | undefined> {
    return this.parts.rooms.roleIn(room, actor.username);
  }

  /** The actor's own mute for a room they belong to. */
  async setMuted(actor: Actor, name: string, muted: boolean): Promise<void> {
    await this.existing(name);
    if (!(await this.parts.rooms.setMuted(name, actor.username, muted))) throw new ParleyError('not_member', `you are not a member of ${name}`);
  }

  /**
   * Moves the actor's read position forward; when it moved, the user's other sockets (any node) get `read`.
   * `joined`: the socket holds a membership of the room (which proves access); otherwise access is checked.
   */
  async markRead(reader: { actor: Actor; socketId?: string }, room: string, seq: number, joined: boolean): Promise<void> {
    if (!joined) await this.readable(reader.actor, room);
    const user = reader.actor.username;
    const moved = await this.parts.rooms.markRead(room, user, seq);
    if (moved !== undefined) this.userHub.publish({ type: 'read', user, room, seq: moved, ...(reader.socketId ? { except: reader.socketId } : {}) });
  }

  /** Messages as they stand now in every room the actor may read (or in `room`), best matches first. */
  async search(actor: Actor, request: SearchRequest): Promise<FoundMessage[]> {
    const text = request.q.trim();
    if (!text) throw new ParleyError('invalid_request', 'say what to search for: q must have a word in it');
    if (request.room !== undefined) await this.readable(actor, request.room);
    return this.parts.search.messages({
      text,
      username: actor.username,
      everywhere: searchesEverywhere(actor),
      ...(request.room !== undefined ? { room: request.room } : {}),
      ...(request.before !== undefined ? { before: request.before } : {}),
      limit: request.limit,
    });
  }

  /** People whose username or display name starts with `prefix` (never a disabled account). */
  async people(actor: Actor, prefix: string, limit: number): Promise<Person[]> {
    if (!canReadAnything(actor)) throw new ParleyError('forbidden', 'the directory needs the chat:read scope');
    return this.parts.users.directory(prefix.trim().toLowerCase(), limit);
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
    if (await this.parts.rooms.setMember(name, { username, role })) {
      this.userHub.publish({ type: 'room_added', user: username, room: name, kind: room.kind, reason: 'invited', by: actor.username });
    }
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
    const self = username === actor.username;
    const reason = self ? 'left' : 'removed';
    this.userHub.publish({ type: 'room_removed', user: username, room: name, reason, ...(self ? {} : { by: actor.username }) });
  }

  // ---- for Membership

  /** @internal */ publish(event: RoomEvent): void {
    this.hub.publish(event);
  }

  /** @internal */ publishUser(event: UserEvent): void {
    this.userHub.publish(event);
  }

  /** @internal The people `body` mentions who may read the room (one query, only when there is an `@`). */
  async mentionsIn(room: string, body: string): Promise<string[]> {
    const candidates = mentionCandidates(body);
    if (candidates.length === 0) return [];
    return resolveMentions(body, new Set(await this.parts.rooms.mentionable(room, candidates)));
  }

  /** @internal Tells each newly mentioned user (never the author), on all their sockets. */
  notifyMentions(message: { room: string; id: string; seq: number }, by: string, users: readonly string[]): void {
    for (const user of users) {
      if (user !== by) this.userHub.publish({ type: 'mention', user, room: message.room, id: message.id, seq: message.seq, by });
    }
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

/** Trimmed text, or undefined for none (so `""` clears a title or topic). */
function cleanText(text: string | null | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

/** What an append outcome that stored nothing means to the sender. */
function refusal(status: 'gone' | 'archived', room: string, gone: ParleyError): ParleyError {
  return status === 'archived' ? new ParleyError('room_archived', `${room} is archived: it can be read, not written to`) : gone;
}

/**
 * One listener in one room: what a join grants. Holding one proves the actor could read the room when it joined;
 * a removal ends it. Sends, edits, deletions, history and typing for the room go through it.
 */
export class Membership implements Member {
  private readonly feed: RoomFeed<OutgoingFrame>;
  private lastTyping = 0;
  private ended = false;
  /** Settles when this socket's latest entry has been handed to the writer (not stored): the next one waits for it. */
  private line: Promise<unknown> = Promise.resolve();

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
      case 'updated':
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
    const result = await this.inOrder(
      this.chat.mentionsIn(this.room, body).then((mentions) => ({
        kind: 'message' as const,
        room: this.room,
        user: this.user,
        body,
        ...(clientId ? { clientId } : {}),
        ...(mentions.length > 0 ? { mentions } : {}),
      })),
    );
    if (result.status === 'gone' || result.status === 'archived') {
      throw refusal(result.status, this.room, new ParleyError('no_such_room', `${this.room} is gone`));
    }
    // A duplicate was announced when it was first stored.
    if (result.status === 'stored') this.chat.notifyMentions(result.entry, this.user, result.entry.mentions ?? []);
    return { id: result.entry.id, seq: result.entry.seq };
  }

  /** This socket read the room up to `seq`. */
  read(seq: number): Promise<void> {
    return this.chat.markRead(this.listener, this.room, seq, true);
  }

  /** Only the author edits. The edit is a stream entry: live clients and resuming ones both get it. */
  async edit(id: string, body: string): Promise<void> {
    const prepared = this.chat.message(this.room, id).then(async (message) => {
      if (!canEdit(message, this.listener.actor)) throw new ParleyError('forbidden', 'only the author can edit a message');
      return { message, mentions: await this.chat.mentionsIn(this.room, body) };
    });
    await this.change(
      prepared.then(({ mentions }) => ({
        kind: 'edit' as const,
        room: this.room,
        user: this.user,
        targetId: id,
        body,
        ...(mentions.length > 0 ? { mentions } : {}),
      })),
    );
    const { message, mentions } = await prepared;
    // Who the edit newly mentions is told now, pointing at the message itself.
    const before = new Set(message.mentions ?? []);
    this.chat.notifyMentions(
      message,
      this.user,
      mentions.filter((user) => !before.has(user)),
    );
  }

  /** The author, the room's owner or moderators, or an admin; the text is erased from every entry that held it. */
  async delete(id: string): Promise<void> {
    await this.change(
      Promise.all([this.chat.message(this.room, id), this.chat.roleIn(this.room, this.user)]).then(([message, role]) => {
        if (!canDelete(message, role, this.listener.actor)) {
          throw new ParleyError('forbidden', 'only the author, a moderator or an admin can delete this message');
        }
        return { kind: 'delete' as const, room: this.room, user: this.user, targetId: id };
      }),
    );
  }

  history(before: number | undefined, limit: number): Promise<Message[]> {
    return this.chat.messagesBefore(this.room, before, limit);
  }

  /**
   * Hands the entry to the writer after every entry this socket sent before it, so the room's order is the order
   * the socket sent them in. Preparing (a mention or permission lookup) runs at once, alongside the ones before;
   * only the hand-over waits its turn, and storing is never waited for (the writer batches what it is handed).
   */
  private inOrder(prepared: Promise<NewEntry>): Promise<AppendResult> {
    let stored!: Promise<AppendResult>;
    const handedOver = this.line
      .then(() => prepared)
      .then((entry) => {
        stored = this.chat.write(entry);
      });
    this.line = handedOver.catch(() => {});
    return handedOver.then(() => stored);
  }

  /** Relayed to the others at most once per interval per socket; dropped otherwise (it is a hint, not data). */
  typing(): void {
    if (!canWriteAnything(this.listener.actor) || Date.now() - this.lastTyping < Limits.typingIntervalMs) return;
    this.lastTyping = Date.now();
    this.chat.publish({ type: 'typing', room: this.room, user: this.user });
  }

  private async change(prepared: Promise<NewEntry>): Promise<void> {
    const { status } = await this.inOrder(prepared);
    if (status === 'gone' || status === 'archived') throw refusal(status, this.room, new ParleyError('not_found', 'no such message'));
  }
}
