// One chat socket: frames in become ChatService calls (through the socket's memberships), frames out are
// written with backpressure. Transport only: what a frame may do, and what a room's stream owes the socket,
// is decided in chat/. The Principal was resolved by the gate; no token work happens per message.
import { randomUUID } from 'node:crypto';
import { CloseCodes, type ClientFrame, type ClientFrameOf, Limits, ParleyError, type ServerFrame } from 'parley-chat-protocol';
import type { WebSocket } from 'ws';
import type { Authenticator } from '../auth/authenticator.js';
import type { OutgoingFrame } from '../chat/entries.js';
import type { Actor } from '../chat/permissions.js';
import type { ChatService, Listener, Membership } from '../chat/service.js';
import type { UserListener } from '../chat/user-hub.js';
import { sendCorked, sendShared } from './corked-send.js';
import { onTextFrame } from './frame-budget.js';
import { encode, errorFrame, parseClientFrame } from './frames.js';
import type { TokenLife } from './token-life.js';

export interface SessionSettings {
  frameRate: number;
  /** Unread bytes a client may leave queued before it is dropped as a slow consumer (1013). */
  maxBufferedBytes: number;
}

/** A replay sends its next page once the client has read the buffer down to this. */
const REPLAY_HIGH_WATER_BYTES = 1024 * 1024;

export class ChatSession implements Listener, UserListener {
  private readonly rooms = new Map<string, Membership>();
  private readonly socket: WebSocket;
  readonly socketId = randomUUID();
  /** The socket's user never changes (a `refresh` must be for the same user). */
  readonly user: string;

  constructor(
    private readonly life: TokenLife,
    private readonly chat: ChatService,
    private readonly authenticator: Authenticator,
    readonly onError: (error: unknown) => void,
    private readonly settings: SessionSettings,
  ) {
    const socket = (this.socket = life.socket);
    const principal = life.current;
    this.user = principal.username;
    // The user's own events (rooms added and removed, reads on other sockets, mentions) come whatever is joined.
    // `welcome` waits until they come from every node (the user's bus channel is subscribed, or the wait ran
    // out): whatever happens to the user after a client sees `welcome` reaches this socket.
    const stream = chat.connect(this);
    // Frames are handled one at a time, in order, after the welcome: a send right behind a join waits for the
    // join's replay. Sends do not hold the line: they are queued to the writer and acked when stored.
    let line = stream.ready.then(() => this.welcome(principal.expiresAt));
    onTextFrame(socket, settings.frameRate, (text) => {
      line = line.then(() => this.handle(text));
    });
    socket.once('close', () => {
      stream.close();
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

  get actor(): Actor {
    return this.life.current;
  }

  /** Live traffic past the buffer limit drops the socket (1013); a replay is paced by `drained` instead. */
  send(frame: OutgoingFrame, replaying: boolean): void {
    if (!replaying && this.socket.bufferedAmount > this.settings.maxBufferedBytes) return this.close(CloseCodes.slowConsumer);
    if (this.socket.readyState === this.socket.OPEN) sendShared(this.socket, frame);
  }

  /** Resolves once the socket's send buffer is below the replay high-water mark (or the socket is gone). */
  async drained(): Promise<void> {
    while (this.socket.readyState === this.socket.OPEN && this.socket.bufferedAmount > REPLAY_HIGH_WATER_BYTES) {
      await new Promise((resolve) => setTimeout(resolve, 5));
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
    this.write(encode(frame));
  }

  private write(text: string): void {
    if (this.socket.readyState === this.socket.OPEN) sendCorked(this.socket, text);
  }

  private close(event: { code: number; reason: string }): void {
    this.socket.close(event.code, event.reason);
  }
}

const ref = (frame: { ref?: string | undefined }) => (frame.ref === undefined ? {} : { ref: frame.ref });
