// What a minimal chat peer does with one `send` frame: parse it, check it, stamp author and time, encode the
// message once for the whole room. Shared by the ws, Socket.IO and Bun peers so they relay the same thing.
export interface ChatMessage {
  type: 'message';
  room: string;
  user: string;
  body: string;
  ts: number;
}

/** `{type:'send', room, body}` → the message to broadcast, or undefined for anything else. */
export function toMessage(frame: unknown, user: string): ChatMessage | undefined {
  if (typeof frame !== 'object' || frame === null) return undefined;
  const { type, room, body } = frame as Record<string, unknown>;
  if (type !== 'send' || room !== 'general' || typeof body !== 'string' || body.length === 0 || body.length > 4000) return undefined;
  return { type: 'message', room, user, body, ts: Date.now() };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
