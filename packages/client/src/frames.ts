// The /ws wire contract as the SDK's users see it: the protocol package's frame types under the names events
// carry. Type-only: nothing here exists at run time.
import type { ClientFrame, ServerFrame, ServerFrameOf } from 'parley-chat-protocol';

export type {
  AdminUser,
  ClientFrame,
  CreateRoom,
  Deleted,
  DirectoryUser,
  Edited,
  ErrorCode,
  Me,
  Member,
  Message,
  Room,
  RoomEntry,
  SearchHit,
  ServerFrame,
  ServerSettings,
  UpdateMe,
  UpdateRoom,
} from 'parley-chat-protocol';

type Payload<K extends ServerFrame['type']> = Omit<ServerFrameOf<K>, 'type' | 'ref'>;

/** The server's answer to a send: the message is durably stored. */
export type Ack = Required<Pick<Payload<'ack'>, 'clientId'>> & Payload<'ack'>;
/** Who is online in a room, each user once. */
export type Joined = Payload<'joined'>;
export type Presence = Payload<'presence'>;
export type Typing = Payload<'typing'>;
/** `reason: 'removed'`: a moderator removed this user (absent when the client asked to leave). */
export type Left = Payload<'left'>;
export type Welcome = Payload<'welcome'>;
/** A room became yours (created, invited, a DM opened with you, joined, unarchived): on every socket of yours. */
export type RoomAdded = Payload<'room_added'>;
/** A room is no longer yours (removed, left — maybe on another socket —, archived). */
export type RoomRemoved = Payload<'room_removed'>;
/** Your read position in a room moved forward (on another socket or browser of yours). */
export type Read = Payload<'read'>;
/** Someone (`user`) mentioned you in message `id` at `seq` of `room`, joined or not. */
export type Mention = Payload<'mention'>;
/** A joined room's title, topic or archived state changed. */
export type RoomUpdated = Payload<'room_updated'>;
export type ErrorFrame = Omit<ServerFrameOf<'error'>, 'type'>;
/** What `send`, `edit` and friends put on the wire (the SDK fills in `ref` and `clientId`). */
export type OutgoingFrame = ClientFrame;
