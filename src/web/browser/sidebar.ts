// The room list: rooms (# public, a lock for private) and direct messages (the other person's avatar, or a
// group's count), each with its unread and mention badges, muted rooms dimmed with a bell struck through and no
// unread badge — the kind, the counts and the muting said in words for screen readers, never by colour alone.
// It draws what it is given; where the rooms and their counts come from is rooms-source.ts's business.
import type { RoomKind } from 'parley-chat-protocol';
import { el, srOnly } from './dom.js';
import { avatar } from './format.js';

export interface SidebarRoom {
  name: string;
  kind: RoomKind;
  /** What people call it: the title or name, or the other people of a DM. */
  title: string;
  /** A DM's other people (usernames): one avatar, or a group's count. */
  others?: string[];
  unread: number;
  mentions: number;
  muted: boolean;
  current: boolean;
}

/** # for a public room, a lock for a private one, the other person's avatar (or the group's size) for a DM. */
export function roomIcon(kind: RoomKind, others: readonly string[] = []): HTMLElement {
  if (kind === 'dm' && others.length <= 1) return avatar(others[0] ?? '?', 'small');
  if (kind === 'dm') return el('span', { className: 'avatar small group', 'aria-hidden': 'true' }, String(others.length + 1));
  return el('span', { className: `room-icon ${kind === 'private' ? 'lock' : 'hash'}`, 'aria-hidden': 'true' });
}

function kindWords(room: SidebarRoom): string {
  if (room.kind === 'private') return ', private room';
  if (room.kind === 'dm') return (room.others?.length ?? 0) > 1 ? ', group message' : ', direct message';
  return '';
}

export function renderSidebar(lists: { rooms: HTMLUListElement; dms: HTMLUListElement }, all: SidebarRoom[], open: (name: string) => void): void {
  const item = (room: SidebarRoom) => {
    // A muted room shows no unread count; a mention always shows (the server notifies direct mentions anyway).
    const unread = room.muted ? 0 : room.unread;
    const classes = ['room', unread > 0 || room.mentions > 0 ? 'has-unread' : '', room.muted ? 'muted' : ''].filter(Boolean).join(' ');
    const entry = el(
      'button',
      { type: 'button', className: classes, 'data-room': room.name },
      roomIcon(room.kind, room.others),
      el('span', { className: 'room-name' }, room.title),
      srOnly(kindWords(room)),
      room.muted && el('span', { className: 'muted-icon', 'aria-hidden': 'true', title: 'Muted' }),
      room.muted && srOnly(', muted'),
      room.mentions > 0 && el('span', { className: 'mention-badge', 'aria-hidden': 'true' }, `@${room.mentions}`),
      room.mentions > 0 && srOnly(`, ${room.mentions} ${room.mentions === 1 ? 'mention' : 'mentions'}`),
      unread > 0 && el('span', { className: 'unread', 'aria-hidden': 'true' }, String(unread)),
      unread > 0 && srOnly(`, ${unread} unread`),
    );
    if (room.current) entry.setAttribute('aria-current', 'page');
    entry.addEventListener('click', () => open(room.name));
    return el('li', {}, entry);
  };
  const byTitle = (a: SidebarRoom, b: SidebarRoom) => a.title.localeCompare(b.title);
  const dms = all.filter((r) => r.kind === 'dm').sort(byTitle);
  const rooms = all.filter((r) => r.kind !== 'dm').sort(byTitle);
  lists.rooms.replaceChildren(...(rooms.length ? rooms.map(item) : [el('li', { className: 'empty' }, 'No rooms yet: browse or create one.')]));
  lists.dms.replaceChildren(...(dms.length ? dms.map(item) : [el('li', { className: 'empty' }, 'No direct messages yet.')]));
}

/** A person in a list: avatar, display name, the username beside it, and their role when it is not plain member. */
export function personItem(user: string, display: string | undefined, role?: string): HTMLLIElement {
  return el(
    'li',
    { className: 'person', 'data-user': user },
    avatar(user, 'small'),
    el('span', { className: 'name' }, display ?? user, display && el('span', { className: 'handle' }, ` @${user}`)),
    role && role !== 'member' && el('span', { className: 'role' }, role),
  );
}
