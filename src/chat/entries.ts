// A stored stream entry as the frame clients receive, and frames encoded once for every receiver.
import type { RoomEntry, ServerFrame } from 'parley-chat-protocol';
import type { StoredEntry } from '../domain/entries.js';

/**
 * A frame encoded once and handed, as this same object, to every socket that should receive it. A transport
 * may keep what it builds from the text (the WebSocket frame's bytes) in `prepared`, so a broadcast to a
 * thousand members is framed once.
 */
export interface OutgoingFrame {
  readonly text: string;
  prepared?: unknown;
}

export const outgoing = (frame: ServerFrame): OutgoingFrame => ({ text: JSON.stringify(frame) });

export function entryFrame(entry: StoredEntry): RoomEntry {
  const { room, seq, id, user } = entry;
  const mentions = entry.mentions && entry.mentions.length > 0 ? { mentions: entry.mentions } : {};
  switch (entry.kind) {
    case 'edit':
      return { type: 'edited', room, id, seq, user, body: entry.body, editedAt: entry.ts, ...mentions };
    case 'delete':
      return { type: 'deleted', room, id, seq, user };
    case 'message':
      return {
        type: 'message',
        room,
        id,
        seq,
        user,
        body: entry.body,
        ts: entry.ts,
        ...(entry.editedAt !== undefined ? { editedAt: entry.editedAt } : {}),
        ...(entry.deleted ? { deleted: true as const } : {}),
        ...mentions,
      };
  }
}
