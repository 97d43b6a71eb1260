// The chat domain the sockets talk to: rooms, sending, history, typing. No transport, no SQL.
import { type Bus, type RoomEvent } from '../bus/bus.js';
import type { AppendResult, Store } from '../store/store.js';
import { Hub, type Member, roomChannel } from './hub.js';
import type { ChatMessage, NewMessage } from './message.js';
import { MessageWriter } from './writer.js';

export class ChatService {
  readonly hub: Hub;
  private readonly writer: MessageWriter;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    encode: (event: RoomEvent) => string,
  ) {
    this.hub = new Hub(bus, encode);
    this.writer = new MessageWriter(store, ({ message }) =>
      bus.publish(roomChannel(message.room), { type: 'message', message }),
    );
  }

  async roomExists(room: string): Promise<boolean> {
    return (await this.store.findRoom(room)) !== undefined;
  }

  /** Joins the member to live delivery and answers who is online here. */
  join(room: string, member: Member): string[] {
    this.hub.add(room, member);
    return this.hub.users(room);
  }

  leave(room: string, member: Member): void {
    this.hub.remove(room, member);
  }

  /** Resolves once the message is durably stored (and published); a repeated clientId is not stored twice. */
  send(input: NewMessage): Promise<AppendResult> {
    return this.writer.write(input);
  }

  replay(room: string, afterSeq: number, limit: number): Promise<ChatMessage[]> {
    return this.store.messagesAfter(room, afterSeq, limit);
  }

  history(room: string, beforeSeq: number | undefined, limit: number): Promise<ChatMessage[]> {
    return this.store.messagesBefore(room, beforeSeq, limit);
  }

  typing(room: string, user: string): void {
    this.bus.publish(roomChannel(room), { type: 'typing', room, user });
  }
}
