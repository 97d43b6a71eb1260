// The HTTP API's bodies as TypeBox schemas: the server validates and documents (OpenAPI) its routes with them,
// and clients take their static types.
import Type, { type Static } from 'typebox';
import { Limits } from './catalogue.js';
import { RoomKind, RoomName } from './frames.js';

export { Message } from './frames.js';

/** Every HTTP error, whatever the route: RFC 6749 §5.2's shape. */
export const ErrorBody = Type.Object({
  error: Type.String({ description: 'a code from the error catalogue' }),
  error_description: Type.String({ description: 'a sentence for a person' }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** RFC 6749 §5.1. */
export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.String({ description: 'opaque, single use: each refresh returns the next one' }),
  scope: Type.String(),
});
export type TokenResponse = Static<typeof TokenResponse>;

export const TicketResponse = Type.Object({ ticket: Type.String(), expires_in: Type.Integer() });
export type TicketResponse = Static<typeof TicketResponse>;

const DisplayName = Type.String({
  minLength: 1,
  maxLength: Limits.displayNameLength,
  description: 'how the user is shown; the username stays their id',
});
const Username = Type.String({ minLength: 1, maxLength: 64 });

export const Me = Type.Object({
  username: Type.String(),
  display_name: Type.Optional(DisplayName),
  scopes: Type.Array(Type.String()),
  expires_at: Type.Integer(),
});
export type Me = Static<typeof Me>;

/** A person in the directory (`GET /users?q=`): never a disabled account. */
export const DirectoryUser = Type.Object({ username: Type.String(), display_name: Type.Optional(DisplayName) });
export type DirectoryUser = Static<typeof DirectoryUser>;

export const RoomRole = Type.Union([Type.Literal('owner'), Type.Literal('moderator'), Type.Literal('member')]);
export type RoomRole = Static<typeof RoomRole>;

export const Room = Type.Object({
  name: Type.String({ description: "the room's id: stable, in every URL and frame" }),
  kind: RoomKind,
  owner: Type.Optional(Type.String()),
  last_seq: Type.Integer({ description: 'the seq of the newest entry' }),
  role: Type.Optional(RoomRole),
  title: Type.Optional(Type.String({ description: 'a display title the owner set (renaming a room changes this, never `name`)' })),
  topic: Type.Optional(Type.String()),
  archived: Type.Optional(Type.Literal(true, { description: 'read-only: nothing can be sent, edited or deleted' })),
  member: Type.Boolean({ description: 'the room is one of yours (you joined or belong to it)' }),
  muted: Type.Optional(Type.Boolean({ description: 'yours only: you muted it (show no unread badge; direct mentions still notify)' })),
  read_seq: Type.Optional(Type.Integer({ description: 'yours only: how far you have read (0: nothing yet)' })),
  unread: Type.Optional(Type.Integer({ description: 'yours only: messages by others after `read_seq`, exact (deleted ones not counted)' })),
  mentions: Type.Optional(Type.Integer({ description: 'yours only: unread messages that mention you' })),
  members: Type.Optional(Type.Array(Type.String(), { description: 'DMs only: who is in it' })),
  member_count: Type.Optional(Type.Integer({ description: '`?scope=public` only: how many belong to it' })),
});
export type Room = Static<typeof Room>;

export const Member = Type.Object({ username: Type.String(), role: RoomRole, display_name: Type.Optional(DisplayName) });
export type Member = Static<typeof Member>;

export const CreateRoom = Type.Object({
  name: RoomName,
  private: Type.Optional(Type.Boolean({ default: false })),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: Limits.titleLength })),
  topic: Type.Optional(Type.String({ maxLength: Limits.topicLength })),
});
export type CreateRoom = Static<typeof CreateRoom>;

export const OpenDm = Type.Object(
  {
    user: Type.Optional(Username),
    users: Type.Optional(
      Type.Array(Username, {
        minItems: 1,
        maxItems: Limits.dmMembersMax - 1,
        description: `the others (you are added): 1–${Limits.dmMembersMax - 1}`,
      }),
    ),
  },
  { description: '`{"user": "jane"}` for a two-person DM, or `{"users": [...]}` for a group DM; the same people always find the same room' },
);
export type OpenDm = Static<typeof OpenDm>;

export const SetMember = Type.Object({ role: Type.Optional(Type.Union([Type.Literal('member'), Type.Literal('moderator')])) });
export type SetMember = Static<typeof SetMember>;

/**
 * PATCH /users/me: each field present changes one thing, the others stay. `password` needs `current_password`;
 * it ends every other login of the user.
 */
export const UpdateMe = Type.Object(
  {
    display_name: Type.Optional(
      Type.Union([Type.String({ maxLength: Limits.displayNameLength }), Type.Null()], {
        description: `1–${Limits.displayNameLength} characters (trimmed); \`null\` or \`""\` clears it`,
      }),
    ),
    current_password: Type.Optional(Type.String({ format: 'password', maxLength: 1024, description: 'the password now; required with `password`' })),
    password: Type.Optional(Type.String({ format: 'password', description: 'the new password (8 to 1024 characters)' })),
  },
  { additionalProperties: false },
);
export type UpdateMe = Static<typeof UpdateMe>;

export const UpdateMeResponse = Type.Object({
  ...Me.properties,
  token: Type.Optional(
    Type.Object(TokenResponse.properties, {
      description: 'after a password change, for a bearer caller: the new pair (the old tokens are dead); a cookie caller gets new cookies instead',
    }),
  ),
});
export type UpdateMeResponse = Static<typeof UpdateMeResponse>;

/** `PATCH /rooms/:room`: only what is given changes. */
export const UpdateRoom = Type.Object({
  title: Type.Optional(Type.Union([Type.String({ maxLength: Limits.titleLength }), Type.Null()], { description: 'owner: `null` or `""` clears it' })),
  topic: Type.Optional(Type.Union([Type.String({ maxLength: Limits.topicLength }), Type.Null()], { description: 'owner or moderators' })),
  archived: Type.Optional(Type.Boolean({ description: 'owner: an archived room is read-only and leaves everyone’s list' })),
});
export type UpdateRoom = Static<typeof UpdateRoom>;

/** `PUT /rooms/:room/settings`: your own settings for a room you belong to. */
export const RoomSettings = Type.Object({ muted: Type.Boolean() });
export type RoomSettings = Static<typeof RoomSettings>;

export const SearchHit = Type.Object({
  room: Type.String(),
  id: Type.String(),
  seq: Type.Integer({ description: 'where the message is in its room: `history` with `before: seq + 1` shows it' }),
  user: Type.String(),
  ts: Type.Integer(),
  snippet: Type.String({ description: 'the matching part of the text as it stands now, each match between U+0002 and U+0003 (SearchMarks)' }),
});
export type SearchHit = Static<typeof SearchHit>;

export const AdminUser = Type.Object({
  username: Type.String(),
  display_name: Type.Optional(DisplayName),
  scopes: Type.Array(Type.String()),
  disabled: Type.Boolean(),
  external: Type.Boolean({ description: 'an OpenID identity (no password here)' }),
  created_at: Type.Integer(),
});
export type AdminUser = Static<typeof AdminUser>;

export const SetUserState = Type.Object({
  disabled: Type.Boolean({ description: 'true: every login and socket of the user ends at once (like `parley user disable`)' }),
});
export type SetUserState = Static<typeof SetUserState>;

export const ServerSettings = Type.Object({
  registration: Type.Union([Type.Literal('open'), Type.Literal('closed')], {
    description: 'whether `/register` takes new accounts; stored in the database (every node agrees); PARLEY_REGISTRATION until first set',
  }),
});
export type ServerSettings = Static<typeof ServerSettings>;
