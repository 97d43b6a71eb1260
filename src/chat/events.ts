// What happens in a room, as the hub fans it out locally and across nodes, and how it travels on the bus.
import { type RoomEntry, ServerFrames } from 'parley-chat-protocol';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { type OutgoingFrame, outgoing } from './entries.js';

export type RoomEvent =
  /** A stored stream entry (message, edit, deletion), published after its commit. */
  | { type: 'entry'; entry: RoomEntry }
  | { type: 'typing'; room: string; user: string }
  | { type: 'presence'; room: string; user: string; state: 'online' | 'offline' }
  /** A member was removed from a private room: their sockets leave it. */
  | { type: 'removed'; room: string; user: string }
  /** The room's title, topic or archived state changed: its state now. */
  | { type: 'updated'; room: string; title?: string; topic?: string; archived: boolean };

export const roomOf = (event: RoomEvent): string => (event.type === 'entry' ? event.entry.room : event.room);

/** The frame every local receiver of the event gets, encoded once. */
export function eventFrame(event: RoomEvent): OutgoingFrame {
  switch (event.type) {
    case 'entry':
      return outgoing(event.entry);
    case 'typing':
      return outgoing({ type: 'typing', room: event.room, user: event.user });
    case 'presence':
      return outgoing({ type: 'presence', room: event.room, user: event.user, state: event.state });
    case 'removed':
      return outgoing({ type: 'left', room: event.room, reason: 'removed' });
    case 'updated': {
      const { type: _type, ...state } = event;
      return outgoing({ type: 'room_updated', ...state });
    }
  }
}

// On the bus an event travels with the node that published it: that node delivered it locally already.
const Envelope = Compile(
  Type.Object({
    node: Type.String(),
    event: Type.Union([
      Type.Object({ type: Type.Literal('entry'), entry: Type.Union([ServerFrames.message, ServerFrames.edited, ServerFrames.deleted]) }),
      Type.Object({ type: Type.Literal('typing'), room: Type.String(), user: Type.String() }),
      Type.Object({ type: Type.Literal('presence'), room: Type.String(), user: Type.String(), state: ServerFrames.presence.properties.state }),
      Type.Object({ type: Type.Literal('removed'), room: Type.String(), user: Type.String() }),
      Type.Object({
        type: Type.Literal('updated'),
        room: Type.String(),
        title: Type.Optional(Type.String()),
        topic: Type.Optional(Type.String()),
        archived: Type.Boolean(),
      }),
    ]),
  }),
);

export const encodeEnvelope = (node: string, event: RoomEvent): string => JSON.stringify({ node, event });

/** The envelope, or undefined for a payload that is not one (another program on the channel, a version skew). */
export function decodeEnvelope(payload: string): { node: string; event: RoomEvent } | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    return Envelope.Check(value) ? (value as { node: string; event: RoomEvent }) : undefined;
  } catch {
    return undefined;
  }
}
