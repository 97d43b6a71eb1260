// What happens to a user, whatever rooms their sockets joined: rooms becoming theirs or not, their read position
// moving on another socket, a mention. The user hub fans these out to every socket of the user on any node.
import { RoomKind, type ServerFrameOf, ServerFrames } from 'parley-chat-protocol';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { type OutgoingFrame, outgoing } from './entries.js';

type Added = ServerFrameOf<'room_added'>;
type Removed = ServerFrameOf<'room_removed'>;

export type UserEvent =
  | { type: 'room_added'; user: string; room: string; kind: Added['kind']; reason: Added['reason']; by?: string }
  | { type: 'room_removed'; user: string; room: string; reason: Removed['reason']; by?: string }
  /** `except`: the socket that moved the position (it knows). */
  | { type: 'read'; user: string; room: string; seq: number; except?: string }
  /** `by` mentioned `user` in message `id` (at `seq`) of `room`. */
  | { type: 'mention'; user: string; room: string; id: string; seq: number; by: string };

const by = (event: { by?: string; user: string }) => (event.by !== undefined && event.by !== event.user ? { by: event.by } : {});

/** The frame the user's sockets get, encoded once for all of them. */
export function userEventFrame(event: UserEvent): OutgoingFrame {
  switch (event.type) {
    case 'room_added':
      return outgoing({ type: 'room_added', room: event.room, kind: event.kind, reason: event.reason, ...by(event) });
    case 'room_removed':
      return outgoing({ type: 'room_removed', room: event.room, reason: event.reason, ...by(event) });
    case 'read':
      return outgoing({ type: 'read', room: event.room, seq: event.seq });
    case 'mention':
      return outgoing({ type: 'mention', room: event.room, id: event.id, seq: event.seq, user: event.by });
  }
}

const Str = Type.String();
const Envelope = Compile(
  Type.Object({
    node: Str,
    event: Type.Union([
      Type.Object({
        type: Type.Literal('room_added'),
        user: Str,
        room: Str,
        kind: RoomKind,
        reason: ServerFrames.room_added.properties.reason,
        by: Type.Optional(Str),
      }),
      Type.Object({
        type: Type.Literal('room_removed'),
        user: Str,
        room: Str,
        reason: ServerFrames.room_removed.properties.reason,
        by: Type.Optional(Str),
      }),
      Type.Object({ type: Type.Literal('read'), user: Str, room: Str, seq: Type.Integer(), except: Type.Optional(Str) }),
      Type.Object({ type: Type.Literal('mention'), user: Str, room: Str, id: Str, seq: Type.Integer(), by: Str }),
    ]),
  }),
);

export const encodeUserEnvelope = (node: string, event: UserEvent): string => JSON.stringify({ node, event });

/** The envelope, or undefined for a payload that is not one (another program on the channel, a version skew). */
export function decodeUserEnvelope(payload: string): { node: string; event: UserEvent } | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    return Envelope.Check(value) ? (value as { node: string; event: UserEvent }) : undefined;
  } catch {
    return undefined;
  }
}
