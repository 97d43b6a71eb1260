// The room API: listing, creating, DMs, membership and paged history. Bearer clients and the chat page
// (by its HttpOnly cookie, Origin-checked against CSRF) use the same routes. Permissions are the chat
// service's; refusals are thrown and rendered by src/http/errors.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CreateRoom, ErrorBody, Limits, Member, Message, OpenDm, ParleyError, RoomName, Room as RoomBody, SetMember } from 'parley-chat-protocol';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import type { Authenticator } from '../auth/authenticator.js';
import { AuthFailures } from '../auth/failures.js';
import { authGate } from '../auth/gate.js';
import { protectedBy } from '../http/security.js';
import type { Room, RoomRole } from '../domain/rooms.js';
import type { ChatService } from '../chat/service.js';
import type { BudgetRefusals } from '../http/budgets.js';
import { RetryLater } from '../http/errors.js';
import type { RateLimiter } from '../limits/rate-limiter.js';

const SetMemberCheck = Compile(SetMember);
const Username = Type.String({ minLength: 1, maxLength: 64 });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };

const roomJson = (room: Room & { role?: RoomRole | undefined }): RoomBody => ({
  name: room.name,
  kind: room.kind,
  ...(room.owner ? { owner: room.owner } : {}),
  last_seq: room.lastSeq,
  ...(room.role ? { role: room.role } : {}),
});

export interface RoomRoutesOptions {
  chat: ChatService;
  authenticator: Authenticator;
  allowedOrigins: readonly string[];
  /** Room creations per user per hour (PARLEY_ROOMS_PER_HOUR) on the shared limiter: a public room lands on every page. */
  roomQuota: { limiter: RateLimiter; perHour: number };
  refusals: BudgetRefusals;
}

export async function roomRoutes(app: FastifyInstance, options: RoomRoutesOptions) {
  const { chat } = options;
  app.addHook('preValidation', authGate(options.authenticator, { cookie: true, handshake: false, allowedOrigins: options.allowedOrigins, scope: 'chat:read' }));
  // Every change needs chat:write; the route answers 403 with the bearer challenge (RFC 6750 §3.1).
  const canWrite = async (request: FastifyRequest) => {
    if (!request.principal!.scopes.includes('chat:write')) throw AuthFailures.insufficientScope;
  };
  const security = protectedBy('chat:read');
  const writes = protectedBy('chat:read', 'chat:write');
  const RoomParams = Type.Object({ room: RoomName });
  const MemberParams = Type.Object({ room: RoomName, username: Username });

  app.get('/rooms', {
    schema: { tags: ['rooms'], summary: 'Public rooms, and the private rooms and DMs you belong to', security, response: { 200: Type.Array(RoomBody), 401: ErrorBody } },
  }, async (request) => (await chat.rooms(request.principal!)).map(roomJson));

  app.post('/rooms', {
    preHandler: canWrite,
    schema: {
      tags: ['rooms'],
      summary: 'Create a room; you own it',
      description: 'At most PARLEY_ROOMS_PER_HOUR attempts per user per hour; past it, 429 with Retry-After.',
      security: writes,
      body: CreateRoom,
      response: { 201: RoomBody, ...errors },
    },
  }, async (request, reply: FastifyReply) => {
    const body = request.body as CreateRoom;
    await spendRoomQuota(options, request.principal!.username);
    const room = await chat.createRoom(request.principal!, body.name, body.private ? 'private' : 'public');
    return reply.code(201).send(roomJson({ ...room, role: 'owner' }));
  });

  app.post('/dms', {
    preHandler: canWrite,
    schema: { tags: ['rooms'], summary: 'Open (or find) the direct-message room with another user', security: writes, body: OpenDm, response: { 200: RoomBody, ...errors } },
  }, async (request) => roomJson(await chat.openDm(request.principal!, (request.body as OpenDm).user)));

  app.get('/rooms/:room/members', {
    schema: { tags: ['rooms'], summary: 'Members and roles', security, params: RoomParams, response: { 200: Type.Array(Member), ...errors } },
  }, async (request) => chat.members(request.principal!, (request.params as { room: string }).room));

  app.put('/rooms/:room/members/:username', {
    preHandler: canWrite,
    schema: {
      tags: ['rooms'],
      summary: 'Invite a member (owners, moderators) or appoint a moderator (owner)',
      description: 'Body (optional): `{"role": "member" | "moderator"}`; without one the role is member.',
      security: writes,
      params: MemberParams,
      response: { 200: Member, ...errors },
    },
  }, async (request) => {
    const { room, username } = request.params as { room: string; username: string };
    // The body is optional, so it is checked here rather than by a route schema (which would demand one).
    const body = request.body ?? {};
    if (!SetMemberCheck.Check(body)) throw new ParleyError('invalid_request', 'the body may only say {"role": "member" | "moderator"}');
    return chat.addMember(request.principal!, room, username, body.role ?? 'member');
  });

  app.delete('/rooms/:room/members/:username', {
    preHandler: canWrite,
    schema: {
      tags: ['rooms'],
      summary: 'Leave, or remove a member (owners, moderators); a removed member’s sockets leave the room at once',
      security: writes,
      params: MemberParams,
      response: { 204: Type.Null(), ...errors },
    },
  }, async (request, reply) => {
    const { room, username } = request.params as { room: string; username: string };
    await chat.removeMember(request.principal!, room, username);
    return reply.code(204).send();
  });

  app.get('/rooms/:room/messages', {
    schema: {
      tags: ['rooms'],
      summary: 'A page of history, oldest first: the `limit` messages before seq `before` (default: the newest)',
      security,
      params: RoomParams,
      querystring: Type.Object({
        before: Type.Optional(Type.Integer({ minimum: 1 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.historyMax, default: Limits.historyDefault })),
      }),
      response: { 200: Type.Array(Message), ...errors },
    },
  }, async (request) => {
    const { room } = request.params as { room: string };
    const { before, limit } = request.query as { before?: number; limit?: number };
    return chat.history(request.principal!, room, before, limit ?? Limits.historyDefault);
  });
}

const HOUR_MS = 3600_000;

/** Attempts count, a taken name too: the budget bounds the work and the noise, not only the rooms. */
async function spendRoomQuota(options: RoomRoutesOptions, username: string): Promise<void> {
  const { limiter, perHour } = options.roomQuota;
  let verdict;
  try {
    verdict = await limiter.hit(`rooms:${username}`, perHour, HOUR_MS);
  } catch {
    // As the sign-in budgets do: refused while the shared counters cannot be reached, rather than unlimited.
    throw new RetryLater('unavailable', 'room creations cannot be counted right now; try again shortly', 5);
  }
  if (verdict.allowed) return;
  options.refusals.refused('room_quota');
  const seconds = Math.max(1, Math.ceil(verdict.resetInMs / 1000));
  const minutes = Math.ceil(seconds / 60);
  throw new RetryLater('too_many_requests', `you may create ${perHour} rooms an hour; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`, seconds);
}
