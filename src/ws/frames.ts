// The /ws frames on this side: client frames checked against the protocol's schemas (one compiled validator
// per type, so an error names the field), server frames typed by them, and the one error-frame renderer.
import { type ClientFrame, ClientFrames, ParleyError, ROOM_NAME_RULE, type ServerFrame, type ServerFrameOf } from 'parley-chat-protocol';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

const validators = new Map(Object.entries(ClientFrames).map(([type, schema]) => [type, Compile(schema as TSchema)]));

export type ParseResult =
  | { ok: true; frame: ClientFrame }
  /** `fatal`: not a JSON object at all, the socket is closed; otherwise an error frame answers and it goes on. */
  | { ok: false; fatal: boolean; error: ParleyError; ref?: string };

export function parseClientFrame(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, fatal: true, error: new ParleyError('bad_frame') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, fatal: true, error: new ParleyError('bad_frame') };
  }
  const { type, ref } = value as { type?: unknown; ref?: unknown };
  const safeRef = typeof ref === 'string' && ref.length <= 64 ? ref : undefined;
  const validator = typeof type === 'string' ? validators.get(type) : undefined;
  if (!validator) return { ok: false, fatal: false, error: new ParleyError('unknown_type', 'unknown frame type'), ...ref_(safeRef) };
  if (!validator.Check(value)) {
    const [first] = validator.Errors(value);
    const field = first?.instancePath.slice(1) ?? '';
    // Schema wording ("must match pattern ^[a-z0-9]…") is for programs; a room name gets its rule in words.
    const problem = field === 'room' && first?.keyword === 'pattern' ? ROOM_NAME_RULE : (first?.message ?? 'invalid');
    return { ok: false, fatal: false, error: new ParleyError('invalid_frame', `${type}: ${field ? `${field}: ` : ''}${problem}`), ...ref_(safeRef) };
  }
  return { ok: true, frame: value as ClientFrame };
}

const ref_ = (ref: string | undefined) => (ref === undefined ? {} : { ref });

export const encode = (frame: ServerFrame): string => JSON.stringify(frame);

/** The one way a failure becomes an error frame: the catalogue's code, a sentence, and whether a retry can succeed. */
export function errorFrame(error: ParleyError, ref: string | undefined): ServerFrameOf<'error'> {
  return { type: 'error', code: error.code as ServerFrameOf<'error'>['code'], message: error.message, retryable: error.retryable, ...ref_(ref) };
}
