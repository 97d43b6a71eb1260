// The room list: rooms (# public, a lock for private) and direct messages (the other person's avatar), each with
// its unread badge, the kind said in words for screen readers — never told by colour alone. It draws what it is
// given; where the rooms and their counts come from is rooms-source.ts's and chat.ts's business.
import type { RoomKind } from 'parley-chat-protocol';
import { el, srOnly } from './dom.js';
import { avatar } from './format.js';

export interface SidebarRoom {
  name: string;
  kind: RoomKind;
  /** What people call it: the room's name, or the other person of a DM. */
  title: string;
  unread: number;
  current: boolean;
}

/** # for a public room, a lock for a private one, the other person's avatar for a DM. */
export function roomIcon(kind: RoomKind, title: string): HTMLElement {
  if (kind === 'dm') return avatar(title, 'small');
  return el('span', { className: `room-icon ${kind === 'private' ? 'lock' : 'hash'}`, 'aria-hidden': 'true' });
}

export function renderSidebar(lists: { rooms: HTMLUListElement; dms: HTMLUListElement }, all: SidebarRoom[], open: (name: string) => void): void {
  const item = (room: SidebarRoom) => {
    const entry = el(
      'button',
      { type: 'button', className: room.unread > 0 ? 'room has-unread' : 'room', 'data-room': room.name },
      roomIcon(room.kind, room.title),
      el('span', { className: 'room-name' }, room.title),
      room.kind === 'private' && srOnly(', private room'),
      room.kind === 'dm' && srOnly(', direct message'),
      room.unread > 0 && el('span', { className: 'unread', 'aria-hidden': 'true' }, String(room.unread)),
      room.unread > 0 && srOnly(`, ${room.unread} unread`),
    );
    if (room.current) entry.setAttribute('aria-current', 'page');
    entry.addEventListener('click', () => open(room.name));
    return el('li', {}, entry);
  };
  const byTitle = (a: SidebarRoom, b: SidebarRoom) => a.title.localeCompare(b.title);
  const dms = all.filter((r) => r.kind === 'dm').sort(byTitle);
  lists.rooms.replaceChildren(...all.filter((r) => r.kind !== 'dm').sort(byTitle).map(item));
  lists.dms.replaceChildren(...(dms.length ? dms.map(item) : [el('li', { className: 'empty' }, 'No direct messages yet.')]));
}

/** A person in the online or members list: avatar, name, and their role when it is not plain member. */
export function personItem(user: string, role?: string): HTMLLIElement {
  return el(
    'li',
    { className: 'person', 'data-user': user },
    avatar(user, 'small'),
    el('span', { className: 'name' }, user),
    role && role !== 'member' && el('span', { className: 'role' }, role),
  );
}
