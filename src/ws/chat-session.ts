// One chat socket: frames in become ChatService calls (through the socket's memberships), frames out are
// written with backpressure. Transport only: what a frame may do, and what a room's stream owes the socket,
// is decided in chat/. The Principal was resolved by the gate; no token work happens per message.
// What one socket may hold is bounded both ways: unread frames out (PARLEY_WS_MAX_BUFFERED, 1013, bounded-send.ts;
// a replay is paced by the client's reading instead) and frames in that wait their turn (PARLEY_WS_MAX_PENDING_*,
// 4030) — frames are handled in order, so everything sent behind a join waits for its replay.

import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { type ClientFrame, type ClientFrameOf, CloseCodes, Limits, ParleyError, type ServerFrame } from 'parley-chat-protocol';
import type { WebSocket } from 'ws';
import type { Authenticator } from '../auth/authenticator.js';
import type { OutgoingFrame } from '../chat/entries.js';
import type { Actor } from '../chat/permissions.js';
import type { ChatService, Listener, Membership } from '../chat/service.js';
import type { UserListener } from '../chat/user-hub.js';
import { type SendBudget, sendWithin } from './bounded-send.js';
import { sendShared } from './corked-send.js';
import { onTextFrame } from './frame-budget.js';
import { encode, errorFrame, parseClientFrame } from './frames.js';
import type { TokenLife } from './token-life.js';

export interface SessionSettings extends SendBudget {
  frameRate: number;
  /** Frames received and not yet handled, in number and in bytes, before the socket is closed 4030. */
  maxPendingFrames: number;
  maxPendingBytes: number;
}

/**
 * A replay sends its next entry only while the client has less than this unread (beyond what the kernel holds):
 * what a stalled replay costs the server per socket, so a few hundred sockets replaying a big room and reading
 * nothing stay cheap. The kernel's own buffer keeps a reading client fed meanwhile (replay throughput measured the
 * same as with the 1 MiB mark this replaced).
 */
export const REPLAY_HIGH_WATER_BYTES = 64 * 1024;

export class ChatSession implements Listener, UserListener {
  private readonly rooms = new Map<string, Membership>();
  private readonly socket: WebSocket;
  /** Frames received and not yet handled, oldest first. */
  private readonly inbox: string[] = [];
  private inboxBytes = 0;
  private handling = false;
  /** Unique across the cluster. Not randomUUID(): it returns a rope of 16 concatenations, ~0.5 KiB kept per socket. */
  readonly socketId = randomBytes(12).toString('base64url');
  /** The socket's user never changes (a `refresh` must be for the same user). */
  readonly user: string;

  constructor(
    private readonly life: TokenLife,
    private readonly chat: ChatService,
    private readonly authenticator: Authenticator,
    /** The server's logger, shared; `reqId` ties a line to the upgrade (a child logger per socket costs ~0.2 KiB). */
    private readonly log: { error(details: object, message: string): void },
    private readonly reqId: string,
    private readonly settings: SessionSettings,
  ) {
    const socket = (this.socket = life.socket);
    const principal = life.current;
    this.user = principal.username;
    // The user's own events (rooms added and removed, reads on other sockets, mentions) come whatever is joined.
    // `welcome` waits until they come from every node (the user's bus channel is subscribed, or the wait ran
    // out): whatever happens to the user after a client sees `welcome` reaches this socket. Frames received
    // meanwhile wait in the inbox, handled in order after the welcome.
    const stream = chat.connect(this);
    this.handling = true;
    void stream.ready.then(() => {
      this.welcome(principal.expiresAt);
      this.handling = false;
      if (this.inbox.length > 0) void this.handleInbox();
    });
    onTextFrame(socket, settings.frameRate, (text) => this.receive(text));
    socket.once('close', () => {
      stream.close();
      this.inbox.length = 0;
      for (const membership of this.rooms.values()) membership.leave();
      this.rooms.clear();
    });
  }

  /** User events that came before the welcome, sent right after it. */
  private early: OutgoingFrame[] | undefined = [];

  private welcome(expiresAt: number): void {
    this.reply({ type: 'welcome', user: this.user, expiresAt });
    for (const frame of this.early ?? []) this.send(frame, false);
    this.early = undefined;
  }

  deliverUser(_event: unknown, frame: OutgoingFrame): void {
    if (this.early) this.early.push(frame);
    else this.send(frame, false);
  }

  onError(error: unknown): void {
    this.log.error({ err: error, reqId: this.reqId }, 'chat frame failed');
  }

  get actor(): Actor {
    return this.life.current;
  }

  /** Live traffic past the buffer limit drops the socket (1013); a replay is paced by `drained` instead. */
  send(frame: OutgoingFrame, replaying: boolean): void {
    if (!replaying) return sendWithin(this.socket, frame, this.settings);
    if (this.socket.readyState === this.socket.OPEN) sendShared(this.socket, frame);
  }

  /** A replay may add to the socket's send buffer while it is under the high-water mark. */
  ready(): boolean {
    return this.socket.bufferedAmount <= REPLAY_HIGH_WATER_BYTES;
  }

  /**
   * Resolves once the send buffer is under the replay high-water mark again, or the socket has closed (by then its
   * memberships have ended, and with them the replay). A closing socket is waited for, not resolved at once: the
   * replay would otherwise spin on a buffer that will never drain.
   */
  async drained(): Promise<void> {
    while (this.socket.readyState !== this.socket.CLOSED && !this.ready()) await writable(this.socket);
  }

  /** Frames wait their turn here: handled one at a time, in order; past the budget the socket is closed 4030. */
  private receive(text: string): void {
    if (this.inbox.length >= this.settings.maxPendingFrames || this.inboxBytes + text.length > this.settings.maxPendingBytes) {
      this.settings.refusals.refused('pending_frames');
      this.inbox.length = 0;
      this.inboxBytes = 0;
      return this.close(CloseCodes.tooManyPending);
    }
    this.inbox.push(text);
    this.inboxBytes += text.length;
    if (!this.handling) void this.handleInbox();
  }

  // One frame at a time. A send is done once queued to the writer (acked when stored), so sends do not hold the
  // line; a join holds it until its replay is through.
  private async handleInbox(): Promise<void> {
    this.handling = true;
    try {
      while (this.inbox.length > 0 && this.socket.readyState === this.socket.OPEN) {
        const text = this.inbox.shift()!;
        this.inboxBytes -= text.length;
        await this.handle(text).catch((error: unknown) => this.onError(error));
      }
    } finally {
      this.handling = false;
    }
  }

  private async handle(text: string): Promise<void> {
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      this.reply(errorFrame(parsed.error, parsed.ref));
      if (parsed.fatal) this.close(CloseCodes.badFrame);
      return;
    }
    const { frame } = parsed;
    const ref = frame.ref ?? (frame.type === 'send' ? frame.clientId : undefined);
    try {
      await this.dispatch(frame);
    } catch (error) {
      this.fail(error, ref);
    }
  }

  /** Coded refusals answer in-band; anything else is logged and answered `internal`. The socket stays usable. */
  private fail(error: unknown, ref: string | undefined): void {
    if (!(error instanceof ParleyError) || error.code === 'internal') this.onError(error);
    this.reply(errorFrame(error instanceof ParleyError ? error : new ParleyError('internal'), ref));
  }

  private async dispatch(frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'ping':
        return this.reply({ type: 'pong', ...ref(frame) });
      case 'join':
        return this.join(frame);
      case 'leave':
        this.rooms.get(frame.room)?.leave();
        this.rooms.delete(frame.room);
        return this.reply({ type: 'left', room: frame.room, ...ref(frame) });
      case 'send': {
        // Sends do not hold the line: the next frame is read while this one waits for its batch to commit.
        const membership = this.joined(frame.room);
        const clientRef = frame.ref ?? frame.clientId;
        membership.send(frame.body, frame.clientId).then(
          ({ id, seq }) => this.reply({ type: 'ack', ...(frame.clientId ? { clientId: frame.clientId } : {}), id, seq, ...ref(frame) }),
          (error: unknown) => this.fail(error, clientRef),
        );
        return;
      }
      case 'history': {
        const messages = await this.joined(frame.room).history(frame.before, frame.limit ?? Limits.historyDefault);
        return this.reply({ type: 'history', room: frame.room, messages, ...ref(frame) });
      }
      case 'typing':
        return this.joined(frame.room).typing();
      // Success needs no answer: the edited/deleted entry reaches every member, this socket included.
      case 'edit':
        return this.joined(frame.room).edit(frame.id, frame.body);
      case 'delete':
        return this.joined(frame.room).delete(frame.id);
      case 'refresh':
        return this.refresh(frame);
      case 'read': {
        const membership = this.rooms.get(frame.room);
        return membership ? membership.read(frame.seq) : this.chat.markRead(this, frame.room, frame.seq, false);
      }
    }
  }

  private async join(frame: ClientFrameOf<'join'>): Promise<void> {
    if (this.rooms.has(frame.room)) throw new ParleyError('invalid_frame', `already joined ${frame.room}`);
    const membership = await this.chat.join(this, frame.room, {
      ...(frame.since !== undefined ? { since: frame.since } : {}),
      onRemoved: () => this.rooms.delete(frame.room),
    });
    // The socket closed while access was being checked: undo the join, or a ghost stays online.
    if (this.socket.readyState !== this.socket.OPEN) return membership.leave();
    this.rooms.set(frame.room, membership);
    this.reply({ type: 'joined', room: frame.room, members: await membership.members(), ...ref(frame) });
    await membership.catchUp();
  }

  private joined(room: string): Membership {
    const membership = this.rooms.get(room);
    if (!membership) throw new ParleyError('not_joined', `join ${room} first`);
    return membership;
  }

  private async refresh(frame: ClientFrameOf<'refresh'>): Promise<void> {
    const principal = await this.authenticator.verify(frame.token);
    if (principal.username !== this.life.current.username) {
      this.fail(new ParleyError('forbidden', 'a refresh must be for the same user'), frame.ref);
      return this.close(CloseCodes.policy);
    }
    this.life.renew(principal);
    this.reply({ type: 'refreshed', expiresAt: principal.expiresAt, ...ref(frame) });
  }

  /** An answer to this socket alone. */
  private reply(frame: ServerFrame): void {
    sendWithin(this.socket, encode(frame), this.settings);
  }

  private close(event: { code: number; reason: string }): void {
    this.socket.close(event.code, event.reason);
  }
}

const ref = (frame: { ref?: string | undefined }) => (frame.ref === undefined ? {} : { ref: frame.ref });

/** Resolves when the socket's kernel-bound buffer has emptied (or the connection is gone). */
function writable(socket: WebSocket): Promise<void> {
  // ws's `_socket` is the net.Socket it wraps (see corked-send.ts); a buffer over its high-water mark always ends
  // in 'drain'. Without it, look again shortly.
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  if (!raw || raw.destroyed || !raw.writableNeedDrain) return new Promise((resolve) => setTimeout(resolve, 10));
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}
