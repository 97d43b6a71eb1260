// One chat socket: translates frames to ChatService calls and room events back to frames.
// The Principal was resolved by the gate; no token work happens per message.
import type { WebSocket } from 'ws';
import type { Authenticator } from '../auth/authenticator.js';
import type { RoomEvent } from '../bus/bus.js';
import type { Member } from '../chat/hub.js';
import type { ChatService } from '../chat/service.js';
import { CloseEvents } from './close-codes.js';
import { sendCorked } from './corked-send.js';
import { onTextFrame } from './frame-budget.js';
import { type ClientFrame, type ErrorCode, encode, parseClientFrame } from './frames.js';
import type { TokenLife } from './token-life.js';

/** A join without `since` starts with this many recent messages. */
const RECENT_ON_JOIN = 50;
const REPLAY_PAGE = 500;
/** Unread bytes a client may leave queued before it is dropped as a slow consumer. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** A replay sends its next page once the client has read the buffer down to this. */
const REPLAY_HIGH_WATER_BYTES = 1024 * 1024;
/** A user's typing is relayed at most this often per room; the rest is dropped (it is a hint, not data). */
const TYPING_INTERVAL_MS = 2000;

interface Joined {
  /** False while stored entries are replayed; live ones wait in `waiting` meanwhile. */
  live: boolean;
  waiting: { seq: number; frame: string }[];
  /** Highest seq this client has been sent: nothing at or below it is sent again, nothing above it skipped. */
  sentSeq: number;
  /** Entries that arrived past a gap (another node's publish still on its way, or lost), by seq. */
  ahead: Map<number, string>;
  /** A gap fill from the store is scheduled or running. */
  filling: boolean;
  lastTyping: number;
}

/** How long an entry past a gap waits for the missing ones to arrive by bus before they are read from the store. */
const GAP_WAIT_MS = 50;

export class ChatSession implements Member {
  private readonly rooms = new Map<string, Joined>();
  private readonly socket: WebSocket;

  constructor(
    private readonly life: TokenLife,
    private readonly chat: ChatService,
    private readonly authenticator: Authenticator,
    private readonly onError: (error: unknown) => void,
    frameRate: number,
  ) {
    const socket = (this.socket = life.socket);
    const principal = life.current;
    // Frames are handled one at a time, in order: a send right behind a join waits for the join's replay.
    // Sends do not hold the line: they are queued to the writer and acked when stored.
    let line = Promise.resolve();
    onTextFrame(socket, frameRate, (text) => {
      line = line.then(() => this.handle(text));
    });
    socket.once('close', () => {
      for (const room of this.rooms.keys()) this.chat.leave(room, this);
      this.rooms.clear();
    });
    this.send({ type: 'welcome', user: principal.username, expiresAt: principal.expiresAt });
  }

  get user(): string {
    return this.life.current.username;
  }

  deliver(event: RoomEvent, frame: string): void {
    const name = event.type === 'entry' ? event.entry.room : event.room;
    const room = this.rooms.get(name);
    if (!room) return;
    switch (event.type) {
      case 'entry':
        if (!room.live) room.waiting.push({ seq: event.entry.seq, frame });
        else this.accept(name, room, event.entry.seq, frame);
        return;
      case 'typing':
        if (room.live && event.user !== this.user) this.sendRaw(frame);
        return;
      case 'presence':
        if (room.live) this.sendRaw(frame);
        return;
      case 'removed':
        if (event.user !== this.user) return;
        this.leave(name);
        return this.sendRaw(frame);
    }
  }

  private async handle(text: string): Promise<void> {
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      this.error(parsed.code, parsed.message, parsed.ref);
      if (parsed.fatal) this.close(CloseEvents.badFrame);
      return;
    }
    const frame = parsed.frame;
    try {
      await this.dispatch(frame);
    } catch (error) {
      this.fail(error, frame.ref ?? refOf(frame));
    }
  }

  /** An unexpected failure: logged by the route, answered in-band; the socket stays usable. */
  private fail(error: unknown, ref: string | undefined): void {
    this.onError(error);
    this.error('internal', 'the server could not do that; try again', ref);
  }

  private async dispatch(frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'ping':
        return this.send({ type: 'pong', ref: frame.ref });
      case 'join':
        return this.join(frame.room, frame.since, frame.ref);
      case 'leave':
        this.leave(frame.room);
        return this.send({ type: 'left', room: frame.room, ref: frame.ref });
      case 'send':
        return this.sendMessage(frame);
      case 'history': {
        if (!this.requireJoined(frame.room, frame.ref)) return;
        const messages = await this.chat.history(frame.room, frame.before, frame.limit ?? 50);
        return this.send({ type: 'history', room: frame.room, messages, ref: frame.ref });
      }
      case 'typing': {
        if (!this.requireJoined(frame.room, frame.ref)) return;
        const room = this.rooms.get(frame.room)!;
        if (Date.now() - room.lastTyping < TYPING_INTERVAL_MS) return;
        room.lastTyping = Date.now();
        return this.chat.typing(frame.room, this.user);
      }
      case 'edit':
      case 'delete': {
        if (!this.requireJoined(frame.room, frame.ref)) return;
        if (!this.life.current.scopes.includes('chat:write')) return this.error('forbidden', 'changing messages needs the chat:write scope', frame.ref);
        const outcome =
          frame.type === 'edit'
            ? await this.chat.edit(frame.room, frame.id, frame.body, this.life.current)
            : await this.chat.delete(frame.room, frame.id, this.life.current);
        // Success needs no answer: the edited/deleted entry reaches every member, this socket included.
        if (!outcome.ok) this.error(outcome.code, outcome.message, frame.ref);
        return;
      }
      case 'refresh':
        return this.refresh(frame.token, frame.ref);
    }
  }

  private async join(room: string, since: number | undefined, ref: string | undefined): Promise<void> {
    if (!this.life.current.scopes.includes('chat:read')) return this.error('forbidden', 'reading needs the chat:read scope', ref);
    if (this.rooms.has(room)) return this.error('invalid_frame', `already joined ${room}`, ref);
    // Subscribe first, then read the store: whatever is published meanwhile waits, and seq removes overlap.
    const joined: Joined = { live: false, waiting: [], sentSeq: since ?? 0, ahead: new Map(), filling: false, lastTyping: 0 };
    this.rooms.set(room, joined);
    const outcome = await this.chat.join(room, this, this.life.current);
    if (!outcome.ok) {
      this.rooms.delete(room);
      return this.error(outcome.code, outcome.message, ref);
    }
    // The socket closed (or left) while access was being checked: undo the join, or a ghost stays online.
    if (this.rooms.get(room) !== joined) return this.chat.leave(room, this);
    this.send({ type: 'joined', room, members: outcome.value.members, ref });
    if (since === undefined) {
      const recent = await this.chat.history(room, undefined, RECENT_ON_JOIN);
      if (this.rooms.get(room) !== joined) return;
      for (const message of recent) {
        joined.sentSeq = message.seq;
        this.write(JSON.stringify(message));
      }
    }
    for (;;) {
      // A long backlog is paced by the client's reading, not cut off as a slow consumer: each page waits
      // until the previous one has mostly left.
      await this.drained();
      const page = await this.chat.replay(room, joined.sentSeq, REPLAY_PAGE);
      if (this.rooms.get(room) !== joined) return; // left or closed meanwhile
      for (const entry of page) {
        joined.sentSeq = entry.seq;
        this.write(JSON.stringify(entry));
      }
      if (page.length < REPLAY_PAGE) break;
    }
    joined.live = true;
    for (const { seq, frame } of joined.waiting.splice(0)) this.accept(room, joined, seq, frame);
  }

  /**
   * Sends live entries strictly in seq order, each once. With one node they always arrive in order; with
   * several, another node's publish may come late (or never): entries past the gap wait, and if the gap does
   * not close by itself it is filled from the store.
   */
  private accept(room: string, joined: Joined, seq: number, frame: string): void {
    if (seq <= joined.sentSeq) return;
    if (seq > joined.sentSeq + 1) {
      joined.ahead.set(seq, frame);
      return this.fillGapSoon(room, joined);
    }
    joined.sentSeq = seq;
    this.sendRaw(frame);
    for (let next = joined.ahead.get(seq + 1); next !== undefined; next = joined.ahead.get(joined.sentSeq + 1)) {
      joined.ahead.delete(joined.sentSeq + 1);
      joined.sentSeq++;
      this.sendRaw(next);
    }
    for (const held of joined.ahead.keys()) if (held <= joined.sentSeq) joined.ahead.delete(held);
  }

  private fillGapSoon(room: string, joined: Joined): void {
    if (joined.filling) return;
    joined.filling = true;
    setTimeout(async () => {
      try {
        while (joined.ahead.size > 0 && this.rooms.get(room) === joined) {
          const page = await this.chat.replay(room, joined.sentSeq, Math.min(REPLAY_PAGE, Math.max(...joined.ahead.keys()) - joined.sentSeq));
          if (page.length === 0 || this.rooms.get(room) !== joined) break;
          for (const entry of page) this.accept(room, joined, entry.seq, JSON.stringify(entry));
        }
      } catch (error) {
        this.onError(error);
      } finally {
        joined.filling = false;
      }
    }, GAP_WAIT_MS).unref();
  }

  private leave(room: string): void {
    if (this.rooms.delete(room)) this.chat.leave(room, this);
  }

  private async sendMessage(frame: Extract<ClientFrame, { type: 'send' }>): Promise<void> {
    const ref = frame.ref ?? frame.clientId;
    if (!this.life.current.scopes.includes('chat:write')) return this.error('forbidden', 'sending needs the chat:write scope', ref);
    if (!this.requireJoined(frame.room, ref)) return;
    this.chat.send({ room: frame.room, user: this.user, body: frame.body, clientId: frame.clientId }).then(
      (result) => {
        if (result.status !== 'gone') this.send({ type: 'ack', clientId: frame.clientId, id: result.entry.id, seq: result.entry.seq, ref: frame.ref });
      },
      (error) => this.fail(error, ref),
    );
  }

  private async refresh(token: string, ref: string | undefined): Promise<void> {
    const result = await this.authenticator.verify(token);
    if (!result.ok) return this.error('invalid_token', result.failure.description, ref);
    if (result.principal.username !== this.user) {
      this.error('forbidden', 'a refresh must be for the same user', ref);
      return this.close(CloseEvents.policy);
    }
    this.life.renew(result.principal);
    this.send({ type: 'refreshed', expiresAt: result.principal.expiresAt, ref });
  }

  private requireJoined(room: string, ref: string | undefined): boolean {
    if (this.rooms.get(room)?.live) return true;
    this.error('not_joined', `join ${room} first`, ref);
    return false;
  }

  private error(code: ErrorCode, message: string, ref?: string): void {
    this.send({ type: 'error', code, message, ref });
  }

  private send(frame: { type: string } & Record<string, unknown>): void {
    this.sendRaw(encode(frame));
  }

  /** Live traffic: a client that lets it pile up past the limit is dropped as a slow consumer (1013). */
  private sendRaw(frame: string): void {
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) return this.close(CloseEvents.slowConsumer);
    this.write(frame);
  }

  private write(frame: string): void {
    if (this.socket.readyState === this.socket.OPEN) sendCorked(this.socket, frame);
  }

  /** Resolves once the socket's send buffer is below the replay high-water mark (or the socket is gone). */
  private async drained(): Promise<void> {
    while (this.socket.readyState === this.socket.OPEN && this.socket.bufferedAmount > REPLAY_HIGH_WATER_BYTES) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private close(event: { code: number; reason: string }): void {
    this.socket.close(event.code, event.reason);
  }
}

function refOf(frame: ClientFrame): string | undefined {
  return frame.type === 'send' ? frame.clientId : undefined;
}
