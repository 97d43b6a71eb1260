// The room API: listing, creating, DMs, membership and paged history. Bearer clients and the chat page
// (by its HttpOnly cookie, Origin-checked against CSRF) use the same routes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Authenticator } from '../auth/authenticator.js';
import { AuthFailures, sendAuthFailure } from '../auth/failures.js';
import { authGate } from '../auth/gate.js';
import { ROOM_NAME } from '../chat/message.js';
import type { ChatErrorCode, ChatService, Outcome } from '../chat/service.js';

const RoomName = Type.String({ pattern: ROOM_NAME.source });
const Username = Type.String({ minLength: 1, maxLength: 64 });
const ErrorBody = Type.Object({ error: Type.String(), error_description: Type.String() });
const RoomBody = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('public'), Type.Literal('private'), Type.Literal('dm')]),
  owner: Type.Optional(Type.String()),
  last_seq: Type.Integer({ description: 'the seq of the newest entry; unread = last_seq − the last seq a client saw' }),
  role: Type.Optional(Type.String()),
});
const Member = Type.Object({ username: Type.String(), role: Type.String() });
const Message = Type.Object({
  room: Type.String(),
  id: Type.String(),
  seq: Type.Integer(),
  user: Type.String(),
  body: Type.String(),
  ts: Type.Integer(),
  editedAt: Type.Optional(Type.Integer()),
  deleted: Type.Optional(Type.Boolean()),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

const STATUS: Record<ChatErrorCode, number> = { no_such_room: 404, forbidden: 403, not_found: 404, room_exists: 409, no_such_user: 404 };

function answer<T>(reply: FastifyReply, outcome: Outcome<T>, status = 200) {
  if (!outcome.ok) return reply.code(STATUS[outcome.code]).send({ error: outcome.code, error_description: outcome.message });
  return reply.code(status).send(outcome.value);
}

const roomJson = (room: { name: string; kind: string; owner?: string; lastSeq: number; role?: string }) => ({
  name: room.name,
  kind: room.kind,
  owner: room.owner,
  last_seq: room.lastSeq,
  role: room.role,
});

export interface RoomRoutesOptions {
  chat: ChatService;
  authenticator: Authenticator;
  allowedOrigins: readonly string[];
}

export async function roomRoutes(app: FastifyInstance, options: RoomRoutesOptions) {
  const { chat } = options;
  app.addHook('preValidation', authGate(options.authenticator, { cookie: true, handshake: false, allowedOrigins: options.allowedOrigins, scope: 'chat:read' }));
  const canWrite = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.principal!.scopes.includes('chat:write')) return sendAuthFailure(reply, AuthFailures.insufficientScope);
  };
  const security = [{ bearer: [] }];

  app.get('/rooms', {
    schema: { tags: ['rooms'], summary: 'Public rooms, and the private rooms and DMs you belong to', security, response: { 200: Type.Array(RoomBody), 401: ErrorBody } },
  }, async (request) => (await chat.rooms(request.principal!)).map(roomJson));

  app.post('/rooms', {
    preHandler: canWrite,
    schema: {
      tags: ['rooms'],
      summary: 'Create a room; you become its owner',
      security,
      body: Type.Object({ name: RoomName, private: Type.Optional(Type.Boolean({ default: false })) }),
      response: { 201: RoomBody, ...errors },
    },
  }, async (request, reply) => {
    const body = request.body as { name: string; private?: boolean };
    const created = await chat.createRoom(body.name, body.private ? 'private' : 'public', request.principal!);
    return answer(reply, created.ok ? { ok: true, value: roomJson({ ...created.value, role: 'owner' }) } : created, 201);
  });

  app.post('/dms', {
    preHandler: canWrite,
    schema: {
      tags: ['rooms'],
      summary: 'Open (or find) the direct-message room with another user',
      security,
      body: Type.Object({ user: Username }),
      response: { 200: RoomBody, ...errors },
    },
  }, async (request, reply) => {
    const dm = await chat.openDm(request.principal!, (request.body as { user: string }).user);
    return answer(reply, dm.ok ? { ok: true, value: roomJson(dm.value) } : dm);
  });

  app.get('/rooms/:room/members', {
    schema: { tags: ['rooms'], summary: 'Members and roles', security, params: Type.Object({ room: RoomName }), response: { 200: Type.Array(Member), ...errors } },
  }, async (request, reply) => answer(reply, await chat.members((request.params as { room: string }).room, request.principal!)));

  app.put('/rooms/:room/members/:username', {
    preHandler: canWrite,
    schema: {
      tags: ['rooms'],
      summary: 'Invite a member (owners, moderators) or appoint a moderator (owner)',
      security,
      description: 'Body (optional): `{"role": "member" | "moderator"}`; without one the role is member.',
      params: Type.Object({ room: RoomName, username: Username }),
      response: { 200: Member, ...errors },
    },
  }, async (request, reply) => {
    const { room, username } = request.params as { room: string; username: string };
    const role = (request.body as { role?: unknown } | undefined)?.role ?? 'member';
    if (role !== 'member' && role !== 'moderator') {
      return reply.code(400).send({ error: 'invalid_request', error_description: 'role must be member or moderator' });
    }
    return answer(reply, await chat.addMember(room, request.principal!, username, role));
  });

  app.delete('/rooms/:room/members/:username', {
    preHandler: canWrite,
    schema: {
      tags: ['rooms'],
      summary: 'Leave, or remove a member (owners, moderators); a removed member’s sockets leave the room at once',
      security,
      params: Type.Object({ room: RoomName, username: Username }),
      response: { 204: Type.Null(), ...errors },
    },
  }, async (request, reply) => {
    const { room, username } = request.params as { room: string; username: string };
    return answer(reply, await chat.removeMember(room, request.principal!, username), 204);
  });

  app.get('/rooms/:room/messages', {
    schema: {
      tags: ['rooms'],
      summary: 'A page of history, oldest first: the `limit` messages before seq `before` (default: the newest)',
      security,
      params: Type.Object({ room: RoomName }),
      querystring: Type.Object({
        before: Type.Optional(Type.Integer({ minimum: 1 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
      }),
      response: { 200: Type.Array(Message), ...errors },
    },
  }, async (request, reply) => {
    const { room } = request.params as { room: string };
    const { before, limit } = request.query as { before?: number; limit?: number };
    const readable = await chat.canRead(room, request.principal!);
    if (!readable.ok) return answer(reply, readable);
    return chat.history(room, before, limit ?? 50);
  });
}
