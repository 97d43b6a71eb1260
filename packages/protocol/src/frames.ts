// The /ws frames, both ways, as TypeBox schemas: the server validates client frames with them, encodes server
// frames typed by them (a wrong field is a compile error), tests check every frame received against them, and
// the README's frame tables are generated from their descriptions.
import Type, { type Static, type TSchema } from 'typebox';
import { ErrorCodes, Limits, ROOM_NAME_PATTERN } from './catalogue.js';

export const RoomName = Type.String({ pattern: ROOM_NAME_PATTERN });
const Seq = Type.Integer({ minimum: 0 });
const Ms = Type.Integer({ description: 'milliseconds since the epoch' });
const Id = Type.String({ maxLength: Limits.refLength });
const Body = Type.String({ minLength: 1, maxLength: Limits.bodyLength });
const User = Type.String();
/** Any client frame may carry `ref`; the answer, or an error it causes, echoes it. */
const Ref = Type.Optional(Type.String({ maxLength: Limits.refLength }));

// ------------------------------------------------------------------ client → server

export const ClientFrames = {
  join: Type.Object(
    { type: Type.Literal('join'), room: RoomName, since: Type.Optional(Seq), ref: Ref },
    {
      description: `start receiving \`room\`: replays every stream entry with \`seq > since\` (without \`since\`: the last ${Limits.recentOnJoin} messages), then live — no gap, no duplicate. Private rooms and DMs: members only (\`error forbidden\`). A \`since\` past the room's newest entry is refused (\`error since_ahead\`): nothing after it would ever be sent`,
    },
  ),
  leave: Type.Object({ type: Type.Literal('leave'), room: RoomName, ref: Ref }, { description: 'stop receiving it (answered `left`)' }),
  send: Type.Object(
    { type: Type.Literal('send'), room: RoomName, body: Body, clientId: Type.Optional(Id), ref: Ref },
    {
      description: `store and broadcast; \`body\` 1–${Limits.bodyLength} chars; a repeated \`clientId\` is acked with the first message, never stored twice — so a send refused with a retryable error is retried with the same one`,
    },
  ),
  edit: Type.Object(
    { type: Type.Literal('edit'), room: RoomName, id: Id, body: Body, ref: Ref },
    { description: 'the author changes a message; everyone gets `edited`' },
  ),
  delete: Type.Object(
    { type: Type.Literal('delete'), room: RoomName, id: Id, ref: Ref },
    {
      description:
        "the author, the room's owner or a moderator, or an `admin` deletes a message (its text is erased from the store); everyone gets `deleted`",
    },
  ),
  history: Type.Object(
    {
      type: Type.Literal('history'),
      room: RoomName,
      before: Type.Optional(Seq),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.historyMax })),
      ref: Ref,
    },
    {
      description: `the \`limit\` (≤ ${Limits.historyMax}, default ${Limits.historyDefault}) messages before seq \`before\`, oldest first, as they stand now`,
    },
  ),
  typing: Type.Object(
    { type: Type.Literal('typing'), room: RoomName, ref: Ref },
    { description: `relayed to the room's other members, at most once per ${Limits.typingIntervalMs / 1000} s per user and room, never stored` },
  ),
  refresh: Type.Object(
    { type: Type.Literal('refresh'), token: Type.String({ maxLength: Limits.tokenLength }), ref: Ref },
    { description: 'adopt a newer access token of the same user: the socket lives until its `exp`' },
  ),
  ping: Type.Object({ type: Type.Literal('ping'), ref: Ref }, { description: 'answered `pong`' }),
  read: Type.Object(
    { type: Type.Literal('read'), room: RoomName, seq: Seq, ref: Ref },
    {
      description:
        "you have read `room` up to `seq`: stored per user (never moving backwards, capped at the room's newest seq), sent to your other sockets as `read`, and counted in `GET /rooms`' `unread` and `mentions`. No answer; a room not joined on this socket is checked like a join",
    },
  ),
};

export type ClientFrameType = keyof typeof ClientFrames;
export type ClientFrameOf<K extends ClientFrameType> = Static<(typeof ClientFrames)[K]>;
export type ClientFrame = { [K in ClientFrameType]: ClientFrameOf<K> }[ClientFrameType];

// ------------------------------------------------------------------ server → client

const Mentions = Type.Optional(
  Type.Array(User, { description: '`@username`s in the body that name an existing user who may read the room (absent when none)' }),
);

/** How a room is kept: open to everyone, by invitation, or a direct conversation of 2–8 fixed people. */
export const RoomKind = Type.Union([Type.Literal('public'), Type.Literal('private'), Type.Literal('dm')]);
export type RoomKind = Static<typeof RoomKind>;

/** A stored message as it stands now: an edit changes `body` and sets `editedAt`, a deletion empties it. */
export const Message = Type.Object({
  room: Type.String(),
  id: Type.String(),
  seq: Type.Integer({ description: "gap-free and increasing per room; edits and deletions take the room's next seq too" }),
  user: User,
  body: Type.String(),
  ts: Ms,
  editedAt: Type.Optional(Ms),
  deleted: Type.Optional(Type.Literal(true)),
  mentions: Mentions,
});
export type Message = Static<typeof Message>;

export const Edited = Type.Object({
  room: Type.String(),
  id: Type.String(),
  seq: Type.Integer(),
  user: User,
  body: Type.String(),
  editedAt: Ms,
  mentions: Mentions,
});
export type Edited = Static<typeof Edited>;

/** `user` is who deleted it: the author, a room moderator or an admin. */
export const Deleted = Type.Object({ room: Type.String(), id: Type.String(), seq: Type.Integer(), user: User });
export type Deleted = Static<typeof Deleted>;

const framed = <T extends Record<string, TSchema>, K extends string>(type: K, properties: T, description: string) =>
  Type.Object({ type: Type.Literal(type), ...properties }, { description });

const OptionalRef = Type.Optional(Type.String());

export const ServerFrames = {
  welcome: framed('welcome', { user: User, expiresAt: Ms }, 'first frame; `expiresAt` is when the access token expires'),
  joined: framed(
    'joined',
    { room: Type.String(), members: Type.Array(User), ref: OptionalRef },
    'who is online in the room (each user once, however many tabs)',
  ),
  message: framed('message', Message.properties, 'a stored message, as it stands now'),
  edited: framed('edited', Edited.properties, 'message `id` was edited — a stream entry with its own `seq`'),
  deleted: framed('deleted', Deleted.properties, 'message `id` was deleted (by `user`) — a stream entry with its own `seq`'),
  ack: framed(
    'ack',
    { clientId: Type.Optional(Type.String()), id: Type.String(), seq: Type.Integer(), ref: OptionalRef },
    'your message is durably stored (sent after the commit)',
  ),
  history: framed('history', { room: Type.String(), messages: Type.Array(Message), ref: OptionalRef }, 'the answer to `history`'),
  presence: framed(
    'presence',
    { room: Type.String(), user: User, state: Type.Union([Type.Literal('online'), Type.Literal('offline')]) },
    "`online` when a user's first socket joins the room, `offline` when their last leaves",
  ),
  typing: framed('typing', { room: Type.String(), user: User }, 'someone is typing'),
  expiring: framed('expiring', { at: Ms }, 'the access token expires at `at`: send `refresh` before then'),
  refreshed: framed('refreshed', { expiresAt: Ms, ref: OptionalRef }, 'the answer to `refresh`'),
  left: framed(
    'left',
    { room: Type.String(), reason: Type.Optional(Type.Literal('removed')), ref: OptionalRef },
    'you left; `reason: "removed"` when a moderator removed you from a private room',
  ),
  pong: framed('pong', { ref: OptionalRef }, 'the answer to `ping`'),
  // The user's own stream: sent to every socket of the user, on any node, whatever rooms the socket joined.
  room_added: framed(
    'room_added',
    {
      room: Type.String(),
      kind: RoomKind,
      reason: Type.Union([Type.Literal('created'), Type.Literal('invited'), Type.Literal('dm'), Type.Literal('joined'), Type.Literal('unarchived')]),
      by: Type.Optional(Type.String({ description: 'who did it, when not you' })),
    },
    'a room became yours (you created it, were invited, a DM was opened with you, you joined it, it was unarchived): every socket of yours gets it, joined to anything or not',
  ),
  room_removed: framed(
    'room_removed',
    {
      room: Type.String(),
      reason: Type.Union([Type.Literal('removed'), Type.Literal('left'), Type.Literal('archived')]),
      by: Type.Optional(Type.String({ description: 'who did it, when not you' })),
    },
    'a room is no longer among yours (removed by a moderator, you left it — on any of your sockets —, its owner archived it); every socket of yours gets it',
  ),
  read: framed('read', { room: Type.String(), seq: Seq }, 'one of your other sockets read `room` up to `seq` (the stored position moved forward)'),
  mention: framed(
    'mention',
    { room: Type.String(), id: Type.String(), seq: Seq, user: Type.String({ description: 'who mentioned you' }) },
    'you were `@mentioned` in message `id` of `room` (also by an edit that added you): every socket of yours gets it, joined to the room or not',
  ),
  room_updated: framed(
    'room_updated',
    {
      room: Type.String(),
      title: Type.Optional(Type.String()),
      topic: Type.Optional(Type.String()),
      archived: Type.Boolean(),
    },
    "the room's title, topic or archived state changed (its full state now): sent to the sockets that joined it",
  ),
  error: framed(
    'error',
    {
      code: Type.Enum(Object.keys(ErrorCodes) as (keyof typeof ErrorCodes)[]),
      message: Type.String(),
      retryable: Type.Boolean({ description: 'the same frame may succeed if sent again later' }),
      ref: OptionalRef,
    },
    'a frame failed (see the error codes); the socket stays usable, except after bad_frame (closed with 1008)',
  ),
};

export type ServerFrameType = keyof typeof ServerFrames;
export type ServerFrameOf<K extends ServerFrameType> = Static<(typeof ServerFrames)[K]>;
export type ServerFrame = { [K in ServerFrameType]: ServerFrameOf<K> }[ServerFrameType];

/** The stream's entries are frames too: what `join` replays and what every member receives live. */
export type RoomEntry = ServerFrameOf<'message'> | ServerFrameOf<'edited'> | ServerFrameOf<'deleted'>;
