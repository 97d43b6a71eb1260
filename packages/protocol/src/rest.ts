// The HTTP API's bodies as TypeBox schemas: the server validates and documents (OpenAPI) its routes with them,
// and clients take their static types.
import Type, { type Static } from 'typebox';
import { RoomName } from './frames.js';

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

export const Me = Type.Object({ username: Type.String(), scopes: Type.Array(Type.String()), expires_at: Type.Integer() });
export type Me = Static<typeof Me>;

export const RoomKind = Type.Union([Type.Literal('public'), Type.Literal('private'), Type.Literal('dm')]);
export type RoomKind = Static<typeof RoomKind>;

export const RoomRole = Type.Union([Type.Literal('owner'), Type.Literal('moderator'), Type.Literal('member')]);
export type RoomRole = Static<typeof RoomRole>;

export const Room = Type.Object({
  name: Type.String(),
  kind: RoomKind,
  owner: Type.Optional(Type.String()),
  last_seq: Type.Integer({ description: 'the seq of the newest entry; unread = last_seq − the last seq a client saw' }),
  role: Type.Optional(RoomRole),
});
export type Room = Static<typeof Room>;

export const Member = Type.Object({ username: Type.String(), role: RoomRole });
export type Member = Static<typeof Member>;

export const CreateRoom = Type.Object({ name: RoomName, private: Type.Optional(Type.Boolean({ default: false })) });
export type CreateRoom = Static<typeof CreateRoom>;

export const OpenDm = Type.Object({ user: Type.String({ minLength: 1, maxLength: 64 }) });
export type OpenDm = Static<typeof OpenDm>;

export const SetMember = Type.Object({ role: Type.Optional(Type.Union([Type.Literal('member'), Type.Literal('moderator')])) });
export type SetMember = Static<typeof SetMember>;

/**
 * PATCH /users/me: each field present changes one thing, the others stay. `password` needs `current_password`;
 * it ends every other login of the user.
 */
export const UpdateMe = Type.Object(
  {
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
