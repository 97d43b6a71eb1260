// The room API: listing, creating, DMs, membership and paged history. Bearer clients and the chat page
// (by its HttpOnly cookie, Origin-checked against CSRF) use the same routes. Permissions are the chat
// service's; refusals are thrown and rendered by src/http/errors.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  CreateRoom,
  ErrorBody,
  Limits,
  Member,
  Message,
  OpenDm,
  ParleyError,
  Room as RoomBody,
  RoomName,
  RoomSettings,
  SetMember,
  UpdateRoom,
} from 'parley-chat-protocol';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import type { Authenticator } from '../auth/authenticator.js';
import { AuthFailures } from '../auth/failures.js';
import { authGate } from '../auth/gate.js';
import type { ChatService, RoomView } from '../chat/service.js';
import type { RoomMember } from '../domain/rooms.js';
import type { BudgetRefusals } from '../http/budgets.js';
import { RetryLater } from '../http/errors.js';
import { protectedBy } from '../http/security.js';
import type { RateLimiter, Verdict } from '../limits/rate-limiter.js';

const SetMemberCheck = Compile(SetMember);
const Username = Type.String({ minLength: 1, maxLength: 64 });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };

const roomJson = (room: RoomView): RoomBody => ({
  name: room.name,
  kind: room.kind,
  ...(room.owner ? { owner: room.owner } : {}),
  last_seq: room.lastSeq,
  ...(room.role ? { role: room.role } : {}),
  ...(room.title ? { title: room.title } : {}),
  ...(room.topic ? { topic: room.topic } : {}),
  ...(room.archived ? { archived: true as const } : {}),
  member: room.member,
  ...(room.muted !== undefined ? { muted: room.muted } : {}),
  ...(room.readSeq !== undefined ? { read_seq: room.readSeq } : {}),
  ...(room.unread !== undefined ? { unread: room.unread } : {}),
  ...(room.mentions !== undefined ? { mentions: room.mentions } : {}),
  ...(room.members ? { members: room.members } : {}),
  ...(room.memberCount !== undefined ? { member_count: room.memberCount } : {}),
});

/** A room that just became the caller's: nothing in it is unread yet. */
const fresh = (room: Omit<RoomView, 'member'>): RoomView => ({ ...room, member: true, muted: false, readSeq: room.lastSeq, unread: 0, mentions: 0 });

const memberJson = (member: RoomMember): Member => ({
  username: member.username,
  role: member.role,
  ...(member.displayName ? { display_name: member.displayName } : {}),
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
  app.addHook(
    'preValidation',
    authGate(options.authenticator, { cookie: true, handshake: false, allowedOrigins: options.allowedOrigins, scope: 'chat:read' }),
  );
  // Every change needs chat:write; the route answers 403 with the bearer challenge (RFC 6750 §3.1).
  const canWrite = async (request: FastifyRequest) => {
    if (!request.principal!.scopes.includes('chat:write')) throw AuthFailures.insufficientScope;
  };
  const security = protectedBy('chat:read');
  const writes = protectedBy('chat:read', 'chat:write');
  const RoomParams = Type.Object({ room: RoomName });
  const MemberParams = Type.Object({ room: RoomName, username: Username });

  app.get(
    '/rooms',
    {
      schema: {
        tags: ['rooms'],
        summary: 'Your rooms with unread counts (default), or every public room to browse (`?scope=public`)',
        description:
          'Yours: the public rooms you joined, your private rooms and DMs (not archived), each with `read_seq`, `unread` (messages by others after it, exact) and `mentions` (unread ones that mention you), from the positions `read` frames store. Public: every public room that is not archived, with `member` and `member_count`.',
        security,
        querystring: Type.Object({ scope: Type.Optional(Type.Union([Type.Literal('mine'), Type.Literal('public')], { default: 'mine' })) }),
        response: { 200: Type.Array(RoomBody), 401: ErrorBody },
      },
    },
    async (request) => (await chat.rooms(request.principal!, (request.query as { scope?: 'mine' | 'public' }).scope ?? 'mine')).map(roomJson),
  );

  app.post(
    '/rooms',
    {
      preHandler: canWrite,
      schema: {
        tags: ['rooms'],
        summary: 'Create a room; you own it',
        description: 'At most PARLEY_ROOMS_PER_HOUR attempts per user per hour; past it, 429 with Retry-After.',
        security: writes,
        body: CreateRoom,
        response: { 201: RoomBody, ...errors },
      },
    },
    async (request, reply: FastifyReply) => {
      const body = request.body as CreateRoom;
      await spendRoomQuota(options, request.principal!.username);
      const details = { ...(body.title !== undefined ? { title: body.title } : {}), ...(body.topic !== undefined ? { topic: body.topic } : {}) };
      const room = await chat.createRoom(request.principal!, body.name, body.private ? 'private' : 'public', details);
      return reply.code(201).send(roomJson(fresh({ ...room, role: 'owner' })));
    },
  );

  app.post(
    '/dms',
    {
      preHandler: canWrite,
      schema: {
        tags: ['rooms'],
        summary: `Open (or find) the DM with another user (\`{user}\`), or a group DM of up to ${Limits.dmMembersMax} people (\`{users}\`)`,
        description: 'The same people always find the same room. A new DM reaches every one of them at once as `room_added` (reason `dm`).',
        security: writes,
        body: OpenDm,
        response: { 200: RoomBody, ...errors },
      },
    },
    async (request) => {
      const body = request.body as OpenDm;
      const others = [...(body.user !== undefined ? [body.user] : []), ...(body.users ?? [])];
      if (others.length === 0) throw new ParleyError('invalid_request', 'say who the DM is with: {"user": name} or {"users": [names]}');
      const { room, people } = await chat.openDm(request.principal!, others);
      return roomJson({ ...fresh({ ...room, role: 'member' }), members: people });
    },
  );

  app.get(
    '/rooms/:room/members',
    {
      schema: { tags: ['rooms'], summary: 'Members and roles', security, params: RoomParams, response: { 200: Type.Array(Member), ...errors } },
    },
    async (request) => (await chat.members(request.principal!, (request.params as { room: string }).room)).map(memberJson),
  );

  app.put(
    '/rooms/:room/members/:username',
    {
      preHandler: canWrite,
      schema: {
        tags: ['rooms'],
        summary: 'Invite a member (owners, moderators) or appoint a moderator (owner)',
        description: 'Body (optional): `{"role": "member" | "moderator"}`; without one the role is member.',
        security: writes,
        params: MemberParams,
        response: { 200: Member, ...errors },
      },
    },
    async (request) => {
      const { room, username } = request.params as { room: string; username: string };
      // The body is optional, so it is checked here rather than by a route schema (which would demand one).
      const body = request.body ?? {};
      if (!SetMemberCheck.Check(body)) throw new ParleyError('invalid_request', 'the body may only say {"role": "member" | "moderator"}');
      return chat.addMember(request.principal!, room, username, body.role ?? 'member');
    },
  );

  app.delete(
    '/rooms/:room/members/:username',
    {
      preHandler: canWrite,
      schema: {
        tags: ['rooms'],
        summary: 'Leave, or remove a member (owners, moderators); a removed member’s sockets leave the room at once',
        security: writes,
        params: MemberParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { room, username } = request.params as { room: string; username: string };
      await chat.removeMember(request.principal!, room, username);
      return reply.code(204).send();
    },
  );

  app.get(
    '/rooms/:room/messages',
    {
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
    },
    async (request) => {
      const { room } = request.params as { room: string };
      const { before, limit } = request.query as { before?: number; limit?: number };
      return chat.history(request.principal!, room, before, limit ?? Limits.historyDefault);
    },
  );

  // ---- rooms a user controls: joining and leaving, their own settings, and the owner's title, topic, archive

  app.post(
    '/rooms/:room/join',
    {
      preHandler: canWrite,
      schema: {
        tags: ['rooms'],
        summary: 'Make a public room yours: it joins your list (`room_added`, reason `joined`); nothing before now is unread',
        security,
        params: RoomParams,
        response: { 200: RoomBody, ...errors },
      },
    },
    async (request) => {
      const { added, ...room } = await chat.joinRoom(request.principal!, (request.params as { room: string }).room);
      return roomJson(added ? fresh(room) : { ...room, member: true });
    },
  );

  app.post(
    '/rooms/:room/leave',
    {
      preHandler: canWrite,
      schema: {
        tags: ['rooms'],
        summary: 'Leave a room: it leaves your list (`room_removed`, reason `left`); the owner cannot leave',
        security,
        params: RoomParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await chat.leaveRoom(request.principal!, (request.params as { room: string }).room);
      return reply.code(204).send();
    },
  );

  app.put(
    '/rooms/:room/settings',
    {
      preHandler: canWrite,
      schema: {
        tags: ['rooms'],
        summary: 'Your own settings for a room of yours: `muted` (no unread badge; direct mentions still notify)',
        security,
        params: RoomParams,
        body: RoomSettings,
        response: { 200: RoomSettings, ...errors },
      },
    },
    async (request) => {
      const { muted } = request.body as RoomSettings;
      await chat.setMuted(request.principal!, (request.params as { room: string }).room, muted);
      return { muted };
    },
  );

  app.patch(
    '/rooms/:room',
    {
      preHandler: canWrite,
      schema: {
        tags: ['rooms'],
        summary: 'Rename (a display title), set the topic, archive or unarchive a room',
        description:
          'The owner sets `title` and `archived`, the owner and moderators `topic`; `null` or `""` clears. The name never changes (it is the room’s id). An archived room is read-only and leaves every member’s list (`room_removed`, reason `archived`). Sockets in the room get `room_updated`.',
        security,
        params: RoomParams,
        body: UpdateRoom,
        response: { 200: RoomBody, ...errors },
      },
    },
    async (request) => {
      const { room } = request.params as { room: string };
      const principal = request.principal!;
      const updated = await chat.updateRoom(principal, room, request.body as UpdateRoom);
      const role = await chat.roleOf(principal, room);
      return roomJson({ ...updated, ...(role ? { role } : {}), member: role !== undefined });
    },
  );
}

const HOUR_MS = 3600_000;

/** Attempts count, a taken name too: the budget bounds the work and the noise, not only the rooms. */
async function spendRoomQuota(options: RoomRoutesOptions, username: string): Promise<void> {
  const { limiter, perHour } = options.roomQuota;
  let verdict: Verdict;
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
  throw new RetryLater(
    'too_many_requests',
    `you may create ${perHour} rooms an hour; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
    seconds,
  );
}
