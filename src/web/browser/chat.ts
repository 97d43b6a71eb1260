// The chat page, on the SDK (no second copy of the protocol). The socket is authenticated by the HttpOnly
// cookie the login set (the server checks this page's Origin before the handshake); before the token expires
// the SDK asks getToken, which rotates the session through the refresh cookie and refreshes the socket in-band.
// Every text goes into the DOM as text, never as HTML.
import { AuthError, type Message, type ParleyClient, connect } from 'parley-chat-client';
import { DEFAULT_ROOM, Limits } from 'parley-chat-protocol/catalogue';

interface RoomInfo {
  name: string;
  kind: 'public' | 'private' | 'dm';
  owner?: string;
  last_seq: number;
  role?: string;
}

interface RoomView {
  info: RoomInfo;
  /** Messages by id, as they stand now. */
  messages: Map<string, Message>;
  online: Set<string>;
  /** Highest seq the user has looked at, kept across visits (localStorage). */
  readSeq: number;
  unread: number;
  joined: boolean;
  /** No older history left to load. */
  complete: boolean;
  /** For a DM: the other member. */
  dmWith?: string;
}

const me = document.querySelector<HTMLElement>('#me')!.textContent!;
const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const roomList = $<HTMLUListElement>('#rooms');
const title = $<HTMLElement>('#room-title');
const list = $<HTMLOListElement>('#messages');
const composer = $<HTMLFormElement>('#composer');
const input = $<HTMLInputElement>('#body');
const banner = $<HTMLElement>('#banner');
const notice = $<HTMLElement>('#notice');
const typingLine = $<HTMLElement>('#typing');
const online = $<HTMLUListElement>('#online');
const inviteForm = $<HTMLFormElement>('#invite');
const membership = $<HTMLElement>('#membership');
const memberList = $<HTMLUListElement>('#members');

const rooms = new Map<string, RoomView>();
/** Set when the user logs out: the server then closes the socket (4403), and the logout's own redirect wins. */
let leaving = false;
$<HTMLFormElement>('form[action="/auth/logout"]').addEventListener('submit', () => (leaving = true));
let current: string = DEFAULT_ROOM;
const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

/**
 * Rotates the session through the refresh cookie (renewing both cookies) and hands back the new access token.
 * Tabs share the cookie and get `expiring` at the same moment: a Web Lock makes them take turns, so the second
 * tab presents the cookie the first one just received instead of the one it just spent.
 */
function refreshSession(): Promise<string> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? locks.request('parley-refresh', rotateSession) : rotateSession();
}

async function rotateSession(): Promise<string> {
  const response = await fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  if (response.status === 401) throw new AuthError('invalid_grant', 'the session ended');
  if (!response.ok) throw new Error(`refresh answered ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

const client: ParleyClient = connect({ cookie: true, getToken: refreshSession });

/** JSON to the room API, authenticated by the same cookie. */
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = response.status === 204 ? undefined : await response.json();
  if (!response.ok) throw new Error((answer as { error_description?: string })?.error_description ?? `HTTP ${response.status}`);
  return answer as T;
}

function say(text: string): void {
  notice.textContent = text;
}

const readKey = (room: string) => `parley:read:${me}:${room}`;

function view(info: RoomInfo): RoomView {
  let room = rooms.get(info.name);
  if (!room) {
    const readSeq = Number(localStorage.getItem(readKey(info.name)) ?? '0');
    room = { info, messages: new Map(), online: new Set(), readSeq, unread: 0, joined: false, complete: false };
    rooms.set(info.name, room);
  }
  room.info = info;
  return room;
}

/** A DM's name is a hash; people want to see who it is with. */
function label(info: RoomInfo): string {
  return info.kind === 'dm' ? `@ ${info.name}` : `# ${info.name}`;
}

function renderRooms(): void {
  roomList.replaceChildren(
    ...[...rooms.values()].map((room) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.room = room.info.name;
      button.className = room.info.name === current ? 'room current' : 'room';
      button.textContent = room.info.kind === 'dm' && room.dmWith ? `@ ${room.dmWith}` : label(room.info);
      if (room.info.kind === 'private') button.title = 'private';
      button.addEventListener('click', () => void open(room.info.name));
      item.append(button);
      if (room.unread > 0 && room.info.name !== current) {
        const badge = document.createElement('span');
        badge.className = 'unread';
        badge.textContent = String(room.unread);
        item.append(badge);
      }
      return item;
    }),
  );
}

function canModerate(room: RoomView): boolean {
  return room.info.role === 'owner' || room.info.role === 'moderator';
}

function messageItem(room: RoomView, message: Message): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.seq = String(message.seq);
  item.dataset.id = message.id;
  const user = document.createElement('span');
  user.className = 'user';
  user.textContent = message.user;
  const body = document.createElement('span');
  body.className = message.deleted ? 'body deleted' : 'body';
  body.textContent = message.deleted ? 'message deleted' : message.body;
  const time = document.createElement('time');
  time.dateTime = new Date(message.ts).toISOString();
  time.textContent = new Date(message.ts).toLocaleTimeString();
  item.append(user, body, time);
  if (message.editedAt && !message.deleted) {
    const edited = document.createElement('span');
    edited.className = 'edited';
    edited.textContent = '(edited)';
    item.append(edited);
  }
  if (!message.deleted && message.user === me) item.append(action('Edit', () => startEdit(item, room, message)));
  if (!message.deleted && (message.user === me || canModerate(room))) {
    item.append(action('Delete', () => void client.remove(room.info.name, message.id)));
  }
  return item;
}

function action(text: string, run: () => void): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `action ${text.toLowerCase()}`;
  button.textContent = text;
  button.addEventListener('click', run);
  return button;
}

/** Inline edit: Enter saves, Escape cancels. */
function startEdit(item: HTMLLIElement, room: RoomView, message: Message): void {
  const field = document.createElement('input');
  field.className = 'edit-field';
  field.value = message.body;
  field.maxLength = Limits.bodyLength;
  item.querySelector('.body')!.replaceWith(field);
  field.focus();
  field.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') renderMessages();
    if (event.key !== 'Enter') return;
    const body = field.value.trim();
    if (body && body !== message.body) void client.edit(room.info.name, message.id, body);
    renderMessages();
  });
}

function renderMessages(keepBottom = true): void {
  const room = rooms.get(current);
  if (!room) return;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const sorted = [...room.messages.values()].sort((a, b) => a.seq - b.seq);
  list.replaceChildren(...sorted.map((m) => messageItem(room, m)));
  if (keepBottom && atBottom) list.scrollTop = list.scrollHeight;
}

function renderOnline(): void {
  const room = rooms.get(current);
  online.replaceChildren(
    ...[...(room?.online ?? [])].sort().map((user) => {
      const item = document.createElement('li');
      item.textContent = user;
      return item;
    }),
  );
  void renderMembers(room);
}

/** Private rooms: who belongs, and for owners and moderators, inviting and removing. */
async function renderMembers(room: RoomView | undefined): Promise<void> {
  membership.hidden = !room || room.info.kind !== 'private';
  if (!room || membership.hidden) return;
  inviteForm.hidden = !canModerate(room);
  const members = await api<{ username: string; role: string }[]>('GET', `/rooms/${room.info.name}/members`);
  if (room.info.name !== current) return;
  memberList.replaceChildren(
    ...members.map((member) => {
      const item = document.createElement('li');
      item.dataset.user = member.username;
      item.textContent = member.role === 'member' ? member.username : `${member.username} (${member.role})`;
      if (canModerate(room) && member.role !== 'owner' && member.username !== me) {
        item.append(
          action('Remove', async () => {
            try {
              await api('DELETE', `/rooms/${room.info.name}/members/${encodeURIComponent(member.username)}`);
              void renderMembers(room);
            } catch (error) {
              say((error as Error).message);
            }
          }),
        );
      }
      return item;
    }),
  );
}

function markRead(room: RoomView): void {
  const newest = Math.max(room.readSeq, ...[...room.messages.values()].map((m) => m.seq));
  room.readSeq = newest;
  room.unread = 0;
  localStorage.setItem(readKey(room.info.name), String(newest));
}

async function join(room: RoomView): Promise<void> {
  if (room.joined) return;
  room.joined = true;
  try {
    const joined = await client.join(room.info.name);
    room.online = new Set(joined.members);
    if (room.info.name === current) renderOnline();
  } catch (error) {
    room.joined = false;
    throw error;
  }
}

async function open(name: string): Promise<void> {
  current = name;
  if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
  let room = rooms.get(name);
  if (!room) {
    // Not in our list: a room we were never shown. Try it; the server says if it is private.
    room = view({ name, kind: 'public', last_seq: 0 });
  }
  title.textContent = room.dmWith ? `@ ${room.dmWith}` : label(room.info);
  typingLine.textContent = '';
  say('');
  renderRooms();
  renderMessages();
  list.scrollTop = list.scrollHeight;
  try {
    await join(room);
  } catch (error) {
    rooms.delete(name);
    renderRooms();
    say((error as Error).message);
    return;
  }
  markRead(room);
  renderRooms();
  renderOnline();
  input.focus();
}

async function loadOlder(): Promise<void> {
  const room = rooms.get(current);
  if (!room || room.complete || loadingOlder) return;
  const oldest = Math.min(...[...room.messages.values()].map((m) => m.seq));
  if (!Number.isFinite(oldest) || oldest <= 1) return;
  loadingOlder = true;
  try {
    const older = await client.history(room.info.name, { before: oldest, limit: 50 });
    if (older.length === 0) room.complete = true;
    const height = list.scrollHeight;
    for (const message of older) room.messages.set(message.id, message);
    renderMessages(false);
    list.scrollTop = list.scrollHeight - height; // keep the reader where they were
  } finally {
    loadingOlder = false;
  }
}
let loadingOlder = false;

client.on('message', (message) => {
  const room = rooms.get(message.room);
  if (!room) return;
  room.messages.set(message.id, message);
  if (message.room === current && document.visibilityState === 'visible') markRead(room);
  else if (message.seq > room.readSeq && message.user !== me) room.unread++;
  if (message.room === current) renderMessages();
  renderRooms();
});

client.on('edited', (edit) => {
  const message = rooms.get(edit.room)?.messages.get(edit.id);
  if (!message) return;
  message.body = edit.body;
  message.editedAt = edit.editedAt;
  if (edit.room === current) renderMessages();
});

client.on('deleted', (deletion) => {
  const message = rooms.get(deletion.room)?.messages.get(deletion.id);
  if (!message) return;
  message.deleted = true;
  message.body = '';
  if (deletion.room === current) renderMessages();
});

client.on('presence', ({ room, user, state }) => {
  const view = rooms.get(room);
  if (!view) return;
  if (state === 'online') view.online.add(user);
  else view.online.delete(user);
  if (room === current) renderOnline();
});

client.on('typing', ({ room, user }) => {
  if (room !== current) return;
  typingLine.textContent = `${user} is typing…`;
  clearTimeout(typingTimers.get(room));
  typingTimers.set(room, setTimeout(() => (typingLine.textContent = ''), 3000));
});

client.on('left', ({ room, reason }) => {
  if (reason !== 'removed') return;
  rooms.delete(room);
  if (room === current) void open(DEFAULT_ROOM).then(() => say(`You were removed from ${room}.`));
  else renderRooms();
});

client.on('error', (error) => say(error.message));

client.on('status', (status) => {
  if (status.state === 'open') {
    banner.hidden = true;
  } else if (status.state === 'reconnecting') {
    banner.hidden = false;
    banner.textContent = 'Connection lost — reconnecting…';
  } else if (status.state === 'closed' && !leaving) {
    // Revoked (logout elsewhere), or expired with no session left to refresh: log in again.
    location.assign(`/login?next=${encodeURIComponent('/' + location.hash)}`);
  }
});

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const body = input.value.trim();
  if (!body) return;
  input.value = '';
  client.send(current, body).catch((error: Error) => say(error.message));
});

input.addEventListener('input', () => client.typing(current));

// Older history loads when the reader scrolls up to the top — not when re-rendering jumps the list to the top.
let readerScrolledAt = 0;
for (const intent of ['wheel', 'touchmove', 'keydown', 'pointerdown'] as const) {
  list.addEventListener(intent, () => (readerScrolledAt = Date.now()), { passive: true });
}
list.addEventListener('scroll', () => {
  if (list.scrollTop < 60 && Date.now() - readerScrolledAt < 1000) void loadOlder();
});

$<HTMLFormElement>('#new-room').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim().toLowerCase();
  const isPrivate = (form.elements.namedItem('private') as HTMLInputElement).checked;
  try {
    view(await api<RoomInfo>('POST', '/rooms', { name, private: isPrivate }));
    form.reset();
    await open(name);
  } catch (error) {
    say((error as Error).message);
  }
});

$<HTMLFormElement>('#new-dm').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const user = (form.elements.namedItem('user') as HTMLInputElement).value.trim().toLowerCase();
  try {
    const room = view(await api<RoomInfo>('POST', '/dms', { user }));
    room.dmWith = user;
    form.reset();
    await open(room.info.name);
  } catch (error) {
    say((error as Error).message);
  }
});

inviteForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const field = inviteForm.elements.namedItem('user') as HTMLInputElement;
  try {
    await api('PUT', `/rooms/${current}/members/${encodeURIComponent(field.value.trim().toLowerCase())}`);
    say(`Invited ${field.value.trim()}.`);
    field.value = '';
    void renderMembers(rooms.get(current));
  } catch (error) {
    say((error as Error).message);
  }
});

document.addEventListener('visibilitychange', () => {
  const room = rooms.get(current);
  if (room && document.visibilityState === 'visible') {
    markRead(room);
    renderRooms();
  }
});

/** Names the other person in each DM (from its members). */
async function nameDms(): Promise<void> {
  for (const room of rooms.values()) {
    if (room.info.kind !== 'dm' || room.dmWith) continue;
    const members = await api<{ username: string }[]>('GET', `/rooms/${room.info.name}/members`);
    room.dmWith = members.find((m) => m.username !== me)?.username ?? me;
  }
  renderRooms();
  const room = rooms.get(current);
  if (room?.dmWith) title.textContent = `@ ${room.dmWith}`;
}

/**
 * Every visible room is joined, so unread counts stay live (the SDK resumes each from its last seq). The list
 * is fetched again now and then and when the tab comes back, so rooms created or invitations made elsewhere show up.
 */
async function refreshRooms(): Promise<void> {
  for (const info of await api<RoomInfo[]>('GET', '/rooms')) void join(view(info)).catch(() => {});
  renderRooms();
  await nameDms();
}

for (const info of await api<RoomInfo[]>('GET', '/rooms')) view(info);
await open(decodeURIComponent(location.hash.slice(1)) || DEFAULT_ROOM);
void refreshRooms();
setInterval(() => void refreshRooms().catch(() => {}), 20_000);
window.addEventListener('focus', () => void refreshRooms().catch(() => {}));
