// Where the sidebar's rooms come from — one function, so its source can change without the sidebar noticing.
// Today: GET /rooms, at start, every 20 s and whenever the tab comes back. When the server's per-user event
// stream lands (`room_added`, `room_removed`, `read`), `watchRooms` applies those frames instead of polling, and
// each room's unread and mention counts come from the server's read positions (see unreadOf in chat.ts).
import type { Room } from 'parley-chat-protocol';

const POLL_MS = 20_000;

export interface RoomsSource {
  /** Fetches now (after creating a room, opening a DM, being invited). */
  refresh(): Promise<void>;
}

export function watchRooms(fetchRooms: () => Promise<Room[]>, apply: (rooms: Room[]) => void): RoomsSource {
  let running: Promise<void> | undefined;
  const refresh = () =>
    (running ??= fetchRooms()
      .then(apply)
      .finally(() => (running = undefined)));
  setInterval(() => void refresh().catch(() => {}), POLL_MS);
  window.addEventListener('focus', () => void refresh().catch(() => {}));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void refresh().catch(() => {});
  });
  return { refresh };
}
