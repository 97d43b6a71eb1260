// The /ws wire contract: client frames as TypeBox schemas (one compiled validator per type, so an error
// names the field), and the server frames' encoder.
import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { RoomEvent } from '../bus/bus.js';
import { MAX_BODY_LENGTH } from '../chat/message.js';
import type { ChatErrorCode } from '../chat/service.js';

const Room = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' });
const Seq = Type.Integer({ minimum: 0 });
/** Any client frame may carry `ref`; an error caused by it echoes the ref. */
const Ref = Type.Optional(Type.String({ maxLength: 64 }));

const ClientFrames = {
  join: Type.Object({ type: Type.Literal('join'), room: Room, since: Type.Optional(Seq), ref: Ref }),
  leave: Type.Object({ type: Type.Literal('leave'), room: Room, ref: Ref }),
  send: Type.Object({
    type: Type.Literal('send'),
    room: Room,
    body: Type.String({ minLength: 1, maxLength: MAX_BODY_LENGTH }),
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    ref: Ref,
  }),
  history: Type.Object({
    type: Type.Literal('history'),
    room: Room,
    before: Type.Optional(Seq),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    ref: Ref,
  }),
  edit: Type.Object({
    type: Type.Literal('edit'),
    room: Room,
    id: Type.String({ maxLength: 64 }),
    body: Type.String({ minLength: 1, maxLength: MAX_BODY_LENGTH }),
    ref: Ref,
  }),
  delete: Type.Object({ type: Type.Literal('delete'), room: Room, id: Type.String({ maxLength: 64 }), ref: Ref }),
  typing: Type.Object({ type: Type.Literal('typing'), room: Room, ref: Ref }),
  refresh: Type.Object({ type: Type.Literal('refresh'), token: Type.String({ maxLength: 8192 }), ref: Ref }),
  ping: Type.Object({ type: Type.Literal('ping'), ref: Ref }),
};

type ClientFrames = typeof ClientFrames;
export type ClientFrame = { [K in keyof ClientFrames]: Static<ClientFrames[K]> }[keyof ClientFrames];

const validators = Object.fromEntries(
  Object.entries(ClientFrames).map(([type, schema]) => [type, Compile(schema as TSchema)]),
) as Record<string, ReturnType<typeof Compile>>;

export type ParseResult =
  | { ok: true; frame: ClientFrame }
  /** `fatal`: not JSON at all, the socket is closed; otherwise an error frame answers and it goes on. */
  | { ok: false; fatal: boolean; code: ErrorCode; message: string; ref?: string };

export function parseClientFrame(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, fatal: true, code: 'bad_frame', message: 'frames must be JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, fatal: true, code: 'bad_frame', message: 'frames must be JSON objects' };
  }
  const { type, ref } = value as { type?: unknown; ref?: unknown };
  const safeRef = typeof ref === 'string' && ref.length <= 64 ? ref : undefined;
  const validator = typeof type === 'string' && Object.hasOwn(validators, type) ? validators[type] : undefined;
  if (!validator) {
    return { ok: false, fatal: false, code: 'unknown_type', message: `unknown frame type`, ref: safeRef };
  }
  if (!validator.Check(value)) {
    const [first] = validator.Errors(value);
    const where = first?.instancePath ? `${first.instancePath.slice(1)}: ` : '';
    return { ok: false, fatal: false, code: 'invalid_frame', message: `${type}: ${where}${first?.message ?? 'invalid'}`, ref: safeRef };
  }
  return { ok: true, frame: value as ClientFrame };
}

export type ErrorCode =
  | 'bad_frame'
  | 'unknown_type'
  | 'invalid_frame'
  | 'not_joined'
  | 'invalid_token'
  | 'internal'
  | ChatErrorCode;

export const encode = (frame: { type: string } & Record<string, unknown>): string => JSON.stringify(frame);

/** Stream entries are their own frames; the rest are shaped here. */
export function encodeRoomEvent(event: RoomEvent): string {
  switch (event.type) {
    case 'entry':
      return JSON.stringify(event.entry);
    case 'typing':
      return encode({ type: 'typing', room: event.room, user: event.user });
    case 'presence':
      return encode({ type: 'presence', room: event.room, user: event.user, state: event.state });
    case 'removed':
      return encode({ type: 'left', room: event.room, reason: 'removed' });
  }
}
