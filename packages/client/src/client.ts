// The chat client: rooms, the highest seq seen in each (resume and de-duplication), calls that wait for their
// answer across reconnects (a send is re-sent with its clientId until acked), and typed events.
import { Connection, type ConnectionOptions, type Status } from './connection.js';
import { Emitter } from './emitter.js';
import { ParleyError } from './errors.js';
import type {
  Ack,
  ClientFrame,
  Deleted,
  Edited,
  ErrorFrame,
  Joined,
  Left,
  Mention,
  Message,
  Presence,
  Read,
  RoomAdded,
  RoomRemoved,
  RoomUpdated,
  ServerFrame,
  Typing,
} from './frames.js';

export interface ClientEvents extends Record<string, unknown> {
  /** A message of a joined room, each seq once and in increasing order (replayed ones on join/resume included). */
  message: Message;
  edited: Edited;
  deleted: Deleted;
  presence: Presence;
  typing: Typing;
  /** A room was joined — again after every reconnect. */
  joined: Joined;
  /** A room was left: asked for with `leave`, or `reason: 'removed'` by a moderator (it is not rejoined). */
  left: Left;
  status: Status;
  /** An error frame that answered no pending call (those reject the call's promise instead). */
  error: ErrorFrame;
  /** The socket's token expires at `at`; with `getToken` the client refreshes it in-band by itself. */
  expiring: { at: number };
  refreshed: { expiresAt: number };
  /** A room became yours (created, invited, DM, joined, unarchived) — on every socket of yours, joined or not. */
  room_added: RoomAdded;
  /** A room is no longer yours (removed, left, archived). */
  room_removed: RoomRemoved;
  /** Your read position moved forward elsewhere (another tab, browser or device). */
  read: Read;
  /** You were mentioned, in any room you may read, joined or not. */
  mention: Mention;
  /** A joined room's title, topic or archived state changed. */
  room_updated: RoomUpdated;
  /** Every server frame after the welcome, before its typed event: for frame types this SDK does not know yet. */
  frame: ServerFrame;
}

export interface HistoryOptions {
  /** Messages with a seq below this one (default: the newest). */
  before?: number | undefined;
  /** At most this many, 1–100 (default 50). */
  limit?: number | undefined;
}

interface Room {
  /** The highest seq emitted: nothing at or below it is emitted again, and a rejoin asks for what follows it. */
  lastSeq?: number;
  /** Joined on the current socket: calls for the room may go out. */
  live: boolean;
  members: string[];
  waiting: { resolve: (joined: Joined) => void; reject: (error: Error) => void }[];
}

/** A call that goes out once its room is joined, and again on every new socket until it is answered. */
interface Call {
  room: string;
  frame: ClientFrame;
  /** False for fire-and-forget frames (edit, delete): dropped once written. */
  awaitsAnswer: boolean;
  resolve: (value: never) => void;
  reject: (error: Error) => void;
  /** The socket generation it was last written on. */
  sentOn?: number;
  /** Times the server refused it with a retryable error (the store away, the node draining). */
  retries: number;
}

/** A call refused retryably is sent again after 250 ms, 500 ms, … up to 5 s apart, at most this many times. */
const MAX_RETRIES = 12;

const JOIN_REF = 'join:';

/** A read position written this recently before a socket dropped is written again on the next one. */
const RECENT_READ_MS = 30_000;
/** Read positions wait this long for later ones, so a burst of messages shown sends one frame per room. */
const READ_DELAY_MS = 200;

export class ParleyClient extends Emitter<ClientEvents> {
  private readonly rooms = new Map<string, Room>();
  /** By clientId (sends) or ref (everything else), in the order they were made. */
  private readonly calls = new Map<string, Call>();
  private current: Status = { state: 'connecting' };
  /** Read positions to send (the highest per room), and the highest sent or heard per room. */
  private readonly reads = new Map<string, number>();
  private readonly readUpTo = new Map<string, number>();
  /** Positions written lately: a socket that dies right after may have lost them, so the next one repeats them. */
  private readonly recentReads = new Map<string, { seq: number; at: number }>();
  private nextRef = 0;
  private readonly connection: Connection;

  /** Use `connect()`. The first attempt starts in a microtask, so listeners added right away see every event. */
  constructor(options: ConnectionOptions) {
    super();
    const connection = (this.connection = new Connection(
      options,
      (frame) => this.receive(frame),
      (status) => this.statusChanged(status),
    ));
    queueMicrotask(() => connection.start());
  }

  private receive(frame: ServerFrame): void {
    this.emit('frame', frame);
    switch (frame.type) {
      case 'joined':
        return this.joined(frame.room, frame.members);
      case 'message':
      case 'edited':
      case 'deleted': {
        const room = this.rooms.get(frame.room);
        if (!room || (room.lastSeq !== undefined && frame.seq <= room.lastSeq)) return;
        room.lastSeq = frame.seq;
        const { type, ...entry } = frame;
        return type === 'message'
          ? this.emit('message', entry as Message)
          : type === 'edited'
            ? this.emit('edited', entry as Edited)
            : this.emit('deleted', entry as Deleted);
      }
      case 'ack':
        return this.answer(frame.clientId, { clientId: frame.clientId, id: frame.id, seq: frame.seq });
      case 'history':
        return this.answer(frame.ref, frame.messages);
      case 'presence':
        return this.emit('presence', { room: frame.room, user: frame.user, state: frame.state });
      case 'typing':
        return this.emit('typing', { room: frame.room, user: frame.user });
      case 'left':
        // Unasked (no ref): removed by a moderator. The answer to our own leave must not drop a room joined again since.
        if (frame.ref === undefined) this.forget(frame.room, new ParleyError('left', `removed from ${frame.room}`));
        return this.emit('left', frame.reason === undefined ? { room: frame.room } : { room: frame.room, reason: frame.reason });
      case 'expiring':
        return this.emit('expiring', { at: frame.at });
      case 'refreshed':
        return this.emit('refreshed', { expiresAt: frame.expiresAt });
      case 'error':
        return this.failed({ code: frame.code, message: frame.message, retryable: frame.retryable, ref: frame.ref });
      case 'read':
        if (frame.seq > (this.readUpTo.get(frame.room) ?? -1)) this.readUpTo.set(frame.room, frame.seq);
        return this.emit('read', { room: frame.room, seq: frame.seq });
      case 'room_added': {
        const { type: _type, ...added } = frame;
        return this.emit('room_added', added);
      }
      case 'room_removed': {
        const { type: _type, ...removed } = frame;
        return this.emit('room_removed', removed);
      }
      case 'mention':
        return this.emit('mention', { room: frame.room, id: frame.id, seq: frame.seq, user: frame.user });
      case 'room_updated': {
        const { type: _type, ...updated } = frame;
        return this.emit('room_updated', updated);
      }
    }
  }

  private statusChanged(status: Status): void {
    this.current = status;
    if (status.state === 'open') {
      for (const [name, room] of this.rooms) this.sendJoin(name, room);
      this.repeatRecentReads();
      this.flushReads();
    } else {
      for (const room of this.rooms.values()) room.live = false;
    }
    if (status.state === 'closed') {
      clearTimeout(this.readTimer);
      const error = new ParleyError('closed', `the client is closed${status.reason ? `: ${status.reason}` : ''}`);
      for (const room of this.rooms.values()) for (const waiter of room.waiting.splice(0)) waiter.reject(error);
      for (const call of this.calls.values()) call.reject(error);
      this.calls.clear();
    }
    this.emit('status', status);
  }

  get status(): Status {
    return this.current;
  }

  /** The highest seq seen in a room: keep it to resume from it later with `join(room, {since})`. */
  lastSeq(room: string): number | undefined {
    return this.rooms.get(room)?.lastSeq;
  }

  /**
   * Joins a room (and rejoins it after every reconnect, from the last seq seen). Without `since` the server
   * first replays the last 50 messages; with it, everything after that seq. All arrive as `message` events.
   */
  join(room: string, options: { since?: number | undefined } = {}): Promise<Joined> {
    if (this.current.state === 'closed') return Promise.reject(this.closedError());
    let state = this.rooms.get(room);
    if (state?.live) return Promise.resolve({ room, members: [...state.members] });
    if (!state) {
      state = { lastSeq: options.since, live: false, members: [], waiting: [] };
      this.rooms.set(room, state);
      this.sendJoin(room, state);
    }
    const waiting = state.waiting;
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  }

  /** Stops receiving a room; calls still waiting for it are rejected (`left`). */
  leave(room: string): void {
    if (!this.forget(room, new ParleyError('left', `left ${room}`))) return;
    this.connection.send({ type: 'leave', room, ref: `leave:${room}` });
  }

  /**
   * Sends a message; resolves once the server has stored it. Made while disconnected, or when the socket drops
   * before the ack, it is (re-)sent on the next socket with the same clientId — stored once whatever happens.
   * Pass your own `clientId` (from `newClientId()`) to send a message again after a restart (a browser outbox):
   * the server acks a repeated clientId with the message it stored the first time.
   */
  send(room: string, body: string, options: { clientId?: string } = {}): Promise<Ack> {
    const clientId = options.clientId ?? newClientId();
    if (this.calls.has(clientId)) return Promise.reject(new ParleyError('invalid_request', `a send with clientId ${clientId} is already under way`));
    return this.call<Ack>(clientId, room, { type: 'send', room, body, clientId });
  }

  /** Older messages (oldest first), e.g. `history(room, {before: firstSeqShown})`. */
  history(room: string, options: HistoryOptions = {}): Promise<Message[]> {
    const ref = `history:${++this.nextRef}`;
    return this.call<Message[]>(ref, room, { type: 'history', room, ...options, ref });
  }

  /**
   * Edits a message. Resolves once the frame is written (at the latest after the next rejoin); the outcome
   * arrives as an `edited` event for everyone, or as an `error` event.
   */
  edit(room: string, id: string, body: string): Promise<void> {
    return this.call(`edit:${++this.nextRef}`, room, { type: 'edit', room, id, body }, false);
  }

  /** Deletes a message; like `edit`, the outcome arrives as a `deleted` (or `error`) event. */
  remove(room: string, id: string): Promise<void> {
    return this.call(`delete:${++this.nextRef}`, room, { type: 'delete', room, id }, false);
  }

  /** Tells the room's other members this user is typing; dropped when not connected (it would be stale). */
  typing(room: string): void {
    if (this.rooms.get(room)?.live) this.connection.send({ type: 'typing', room });
  }

  /**
   * Tells the server you have read `room` up to `seq` (e.g. the newest message shown): it keeps the position per
   * user (never backwards), your other sockets get a `read` event, and `GET /rooms` counts unread from it. Calls
   * are coalesced — within 200 ms only the highest seq per room goes out, and one made while disconnected goes out on the
   * next socket.
   */
  read(room: string, seq: number): void {
    if (seq <= (this.readUpTo.get(room) ?? -1) || seq <= (this.reads.get(room) ?? -1)) return;
    this.reads.set(room, seq);
    // A burst (a replay of hundreds of messages, each shown) becomes one frame per room.
    this.readTimer ??= setTimeout(() => this.flushReads(), READ_DELAY_MS);
  }

  private readTimer: ReturnType<typeof setTimeout> | undefined;

  private flushReads(): void {
    clearTimeout(this.readTimer);
    this.readTimer = undefined;
    if (this.current.state !== 'open') return;
    for (const [room, seq] of this.reads) {
      if (!this.connection.send({ type: 'read', room, seq })) return;
      this.reads.delete(room);
      this.recentReads.set(room, { seq, at: Date.now() });
      if (seq > (this.readUpTo.get(room) ?? -1)) this.readUpTo.set(room, seq);
    }
  }

  /** The server ignores a position it has (no answer, no echo), so repeating the last few is harmless. */
  private repeatRecentReads(): void {
    const since = Date.now() - RECENT_READ_MS;
    for (const [room, { seq, at }] of this.recentReads) {
      this.recentReads.delete(room);
      if (at >= since && seq > (this.reads.get(room) ?? -1)) this.reads.set(room, seq);
    }
  }

  /** Closes the socket for good; calls still waiting are rejected (`closed`). */
  close(): void {
    this.connection.stop();
  }

  private call<T>(ref: string, room: string, frame: ClientFrame, awaitsAnswer = true): Promise<T> {
    if (this.current.state === 'closed') return Promise.reject(this.closedError());
    if (!this.rooms.has(room)) return Promise.reject(new ParleyError('not_joined', `join ${room} first`));
    if (!awaitsAnswer) frame = { ...frame, ref };
    return new Promise<T>((resolve, reject) => {
      this.calls.set(ref, { room, frame, awaitsAnswer, resolve: resolve as (value: never) => void, reject, retries: 0 });
      if (this.rooms.get(room)!.live) this.flush(room);
    });
  }

  /** Writes the room's calls that the current socket has not carried yet. */
  private flush(room: string): void {
    const generation = this.connection.generation;
    for (const [ref, call] of this.calls) {
      if (call.room !== room || call.sentOn === generation) continue;
      if (!this.connection.send(call.frame)) return;
      call.sentOn = generation;
      if (!call.awaitsAnswer) {
        this.calls.delete(ref);
        call.resolve(undefined as never);
      }
    }
  }

  private sendJoin(name: string, room: Room): void {
    room.live = false;
    this.connection.send({ type: 'join', room: name, ...(room.lastSeq === undefined ? {} : { since: room.lastSeq }), ref: JOIN_REF + name });
  }

  private joined(name: string, members: string[]): void {
    const room = this.rooms.get(name);
    if (!room) return; // left meanwhile
    room.live = true;
    room.members = members;
    for (const waiter of room.waiting.splice(0)) waiter.resolve({ room: name, members: [...members] });
    this.emit('joined', { room: name, members: [...members] });
    this.flush(name);
  }

  private answer(ref: string | undefined, value: unknown): void {
    const call = ref === undefined ? undefined : this.calls.get(ref);
    if (!call) return;
    this.calls.delete(ref!);
    (call.resolve as (value: unknown) => void)(value);
  }

  private retry(ref: string, call: Call): void {
    const delayMs = Math.min(5000, 250 * 2 ** call.retries++);
    call.sentOn = undefined;
    setTimeout(() => {
      if (this.calls.get(ref) === call && this.rooms.get(call.room)?.live) this.flush(call.room);
    }, delayMs);
  }

  private failed(error: ErrorFrame): void {
    const { ref } = error;
    const call = ref === undefined ? undefined : this.calls.get(ref);
    if (call) {
      // A send keeps its clientId, so sending it again can never store it twice: retry what may succeed later.
      if (error.retryable && call.awaitsAnswer && call.retries < MAX_RETRIES) return this.retry(ref!, call);
      this.calls.delete(ref!);
      return call.reject(new ParleyError(error.code, error.message, error.retryable));
    }
    const room = ref?.startsWith(JOIN_REF) ? this.rooms.get(ref.slice(JOIN_REF.length)) : undefined;
    if (room && !room.live && error.code === 'since_ahead') {
      // The server's history is not the one this position came from: start over from its recent messages (their
      // seqs may be below what was seen), and tell the app, which may hold messages the server no longer has.
      room.lastSeq = undefined;
      this.sendJoin(ref!.slice(JOIN_REF.length), room);
      return this.emit('error', error);
    }
    if (room && !room.live) {
      // The room cannot be joined (no such room, no access): stop trying, and fail what waited for it.
      const waited = room.waiting.length > 0;
      this.forget(ref!.slice(JOIN_REF.length), new ParleyError(error.code, error.message, error.retryable));
      if (waited) return;
    }
    this.emit('error', error);
  }

  /** Drops a room: it is not rejoined, and whatever waited for it fails with `error`. */
  private forget(name: string, error: ParleyError): boolean {
    const room = this.rooms.get(name);
    if (!room) return false;
    this.rooms.delete(name);
    for (const waiter of room.waiting.splice(0)) waiter.reject(error);
    for (const [ref, call] of this.calls) {
      if (call.room !== name) continue;
      this.calls.delete(ref);
      call.reject(error);
    }
    return true;
  }

  private closedError(): ParleyError {
    return new ParleyError('closed', 'the client is closed');
  }
}

/** 96 random bits as hex: a clientId the server can dedupe by (crypto.getRandomValues works on plain http too). */
export function newClientId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
