// The user's rooms and their counts, as the server keeps them: GET /rooms gives each room of yours with
// `read_seq`, `unread` and `mentions`; the per-user stream says when one is added (`room_added`: fetched again at
// once) or removed, when another tab or browser read one (`read`), and when you are mentioned anywhere. The page
// joins only the room in view, the few it looked at last and your DMs, so their `message` frames keep those
// counts live; for the rest, the list is fetched again on a mention, when the tab comes back or gets focus, after
// a reconnect, and once a minute — never a faster loop.
import type { Room } from 'parley-chat-protocol';

const REFRESH_MS = 60_000;

export class MyRooms {
  private readonly rooms = new Map<string, Room>();
  /** Mentions counted here since the last fetch (by seq), so a mention frame and its message count once. */
  private readonly mentioned = new Map<string, Set<number>>();
  private running: Promise<void> | undefined;
  private again = false;
  private soon: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly fetchRooms: () => Promise<Room[]>,
    private readonly changed: (o: { added: string[]; removed: string[] }) => void,
  ) {
    setInterval(() => this.refreshSoon(), REFRESH_MS);
    window.addEventListener('focus', () => this.refreshSoon());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.refreshSoon();
    });
  }

  get(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  all(): Room[] {
    return [...this.rooms.values()];
  }

  /** Fetches the list now (one request at a time; a call made meanwhile fetches once more after it). */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.fetchRooms()
      .then((rooms) => this.apply(rooms))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.refresh().catch(() => {});
        }
      });
    return this.running;
  }

  /** A refresh in a moment: a burst of reasons (a mention and its room's message) costs one request. */
  refreshSoon(): void {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => void this.refresh().catch(() => {}), 100);
  }

  private apply(fetched: Room[]): void {
    const before = new Set(this.rooms.keys());
    const names = new Set(fetched.map((room) => room.name));
    for (const room of fetched) {
      const local = this.rooms.get(room.name);
      // A message frame counted here after the server answered: keep the newer counts, take the rest.
      if (local && local.last_seq > room.last_seq) {
        this.rooms.set(room.name, { ...room, last_seq: local.last_seq, unread: local.unread, mentions: local.mentions, read_seq: local.read_seq });
      } else {
        this.rooms.set(room.name, room);
        this.mentioned.delete(room.name);
      }
    }
    for (const name of before) if (!names.has(name)) this.rooms.delete(name);
    this.changed({ added: [...names].filter((n) => !before.has(n)), removed: [...before].filter((n) => !names.has(n)) });
  }

  /** `room_removed`: gone from the list at once. */
  remove(name: string): void {
    if (!this.rooms.delete(name)) return;
    this.changed({ added: [], removed: [name] });
  }

  /** Changes the page made itself (a title, a mute) before the server says so again. */
  patch(name: string, change: Partial<Room>): void {
    const room = this.rooms.get(name);
    if (!room) return;
    Object.assign(room, change);
    this.changed({ added: [], removed: [] });
  }

  /** A stream entry of a joined room (message, edit, deletion): new ones past the last count are counted. */
  entry(name: string, seq: number, counts: { unread: boolean; mentionsMe: boolean }): void {
    const room = this.rooms.get(name);
    if (!room || seq <= room.last_seq) return;
    room.last_seq = seq;
    if (seq <= (room.read_seq ?? 0)) return;
    if (counts.unread) room.unread = (room.unread ?? 0) + 1;
    if (counts.mentionsMe) this.countMention(room, seq);
    this.changed({ added: [], removed: [] });
  }

  /** A `mention` frame: counted (once, whichever of it and its message comes first); other rooms' counts are fetched. */
  mention(name: string, seq: number, joined: boolean): void {
    const room = this.rooms.get(name);
    if (!room) return this.refreshSoon(); // a room not yours (a public one): nothing to count
    if (seq > (room.read_seq ?? 0)) this.countMention(room, seq);
    if (!joined) this.refreshSoon(); // its unread count moved too, and no message frame will say so
    this.changed({ added: [], removed: [] });
  }

  private countMention(room: Room, seq: number): void {
    const seen = this.mentioned.get(room.name) ?? new Set<number>();
    this.mentioned.set(room.name, seen);
    if (seen.has(seq)) return;
    seen.add(seq);
    room.mentions = (room.mentions ?? 0) + 1;
  }

  /**
   * Read up to `seq` (here, or a `read` frame from another socket). Read to the end, nothing is left; short of
   * it, `exact` is what remains when the page holds every message after `seq`, and otherwise the list is fetched.
   */
  read(name: string, seq: number, exact?: { unread: number; mentions: number }): void {
    const room = this.rooms.get(name);
    if (!room || seq <= (room.read_seq ?? 0)) return;
    room.read_seq = seq;
    if (seq >= room.last_seq) {
      room.unread = 0;
      room.mentions = 0;
      this.mentioned.delete(name);
    } else if (exact) {
      room.unread = exact.unread;
      room.mentions = exact.mentions;
    } else {
      this.refreshSoon();
    }
    this.changed({ added: [], removed: [] });
  }
}
