// The chat page, on the SDK (no second copy of the protocol). The socket is authenticated by the HttpOnly cookie
// the login set (the server checks this page's Origin before the handshake); session.ts keeps the token fresh.
// This file holds the state (rooms, messages, the outbox) and wires events to the parts that draw it:
// messages.ts (the list), the sidebar below, overlays.ts (drawers, dialogs, toasts), notify.ts (title,
// notifications, sound). Text reaches the DOM as text; message bodies as markdown.ts's checked subset.
import { type Message, type ParleyClient, connect, newClientId } from 'parley-chat-client';
import type { Member, Room } from 'parley-chat-protocol';
import { DEFAULT_ROOM, Limits } from 'parley-chat-protocol/catalogue';
import { api } from './api.js';
import { $, button, el } from './dom.js';
import { plainText } from './markdown.js';
import { MessageList } from './messages.js';
import { suggestMentions } from './mentions.js';
import { Notifier } from './notify.js';
import { Outbox, type Outgoing } from './outbox.js';
import { Drawers, confirmDialog, toast } from './overlays.js';
import { watchRooms } from './rooms-source.js';
import { type Action, type Context, removedFrom, sentence } from './sentences.js';
import { refreshSession } from './session.js';
import { personItem, renderSidebar, roomIcon } from './sidebar.js';

interface RoomView {
  info: Room;
  /** Messages by id, as they stand now. */
  messages: Map<string, Message>;
  online: Set<string>;
  /** Highest seq the user has looked at, kept across visits (localStorage until the server keeps read positions). */
  readSeq: number;
  unread: number;
  joined: boolean;
  /** No older history left to load. */
  complete: boolean;
  /** For a DM: the other member. */
  dmWith?: string;
  /** Messages up to this seq were there before the page looked: replayed, not announced or notified. */
  quietUpTo: number;
}

const me = $('#me').textContent!;
const roomList = $<HTMLUListElement>('#room-list');
const dmList = $<HTMLUListElement>('#dm-list');
const title = $<HTMLElement>('#room-title');
const kindBadge = $<HTMLElement>('#room-kind');
const list = $<HTMLOListElement>('#messages');
const composer = $<HTMLFormElement>('#composer');
const input = $<HTMLTextAreaElement>('#body');
const banner = $<HTMLElement>('#banner');
const notice = $<HTMLElement>('#notice');
const typingLine = $<HTMLElement>('#typing');
const online = $<HTMLUListElement>('#online');
const inviteForm = $<HTMLFormElement>('#invite');
const membership = $<HTMLElement>('#membership');
const memberList = $<HTMLUListElement>('#members');
const announcer = $<HTMLElement>('#announce');

const rooms = new Map<string, RoomView>();
let current: string = DEFAULT_ROOM;
/** A deep link's message (`#room/seq`), highlighted until another room is opened. */
let target: number | undefined;
/** Set when the user logs out: the server then closes the socket (4403), and the logout's own redirect wins. */
let leaving = false;
$<HTMLFormElement>('form[action="/auth/logout"]').addEventListener('submit', () => (leaving = true));
const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
const outbox = new Outbox(`parley:outbox:${me}`);
/** Outbox entries the server has acked, until their message shows (the ack and the message race). */
const landing = new Map<string, { entry: Outgoing; id: string }>();
/** Deletions waiting for their Undo toast to go: hidden here, not yet sent. */
const deleting = new Map<string, () => void>();
let lastSent: string | undefined;
/** Said in the next room opened (why we are no longer in the last one). */
let carriedNotice: string | undefined;

// The deep link survived the login through `next` (login.ts); nothing more to keep.
sessionStorage.removeItem('parley:next-hash');

// A 1.5 s heartbeat: a quiet line is pinged, and a second quiet interval drops it, so a silent network cut shows
// as the banner within 4.5 s (the browser's `offline` event, when there is one, shows it at once).
const client: ParleyClient = connect({ cookie: true, getToken: refreshSession, heartbeatMs: 1500 });

const drawers = new Drawers($('#scrim'));
drawers.add('sidebar', $('#sidebar'), $<HTMLButtonElement>('#open-rooms'), '(max-width: 719px)');
drawers.add('people', $('#people'), $<HTMLButtonElement>('#open-people'), '(max-width: 1099px)');

const notifier = new Notifier(`parley:prefs:${me}`, (room) => go(room));

const messageList = new MessageList(list, {
  me,
  canDelete: (message) => message.user === me || canModerate(rooms.get(message.room)),
  saveEdit: (message, body) => void client.edit(message.room, message.id, body).catch((error: unknown) => say(error, { action: 'edit', room: message.room })),
  remove: (message) => void deleteWithUndo(message),
  retry: (entry) => {
    outbox.update(entry.clientId, { state: 'sending' });
    deliver(outbox.get(entry.clientId)!);
    renderMessages();
  },
  discard: (entry) => {
    outbox.remove(entry.clientId);
    renderMessages();
  },
  composer: () => input,
});

/** Shows a failure as a sentence (sentences.ts), or clears the notice. */
function say(error: unknown, context: Context = {}): void {
  notice.textContent = error === undefined ? '' : sentence(error, context);
}

/** A quiet confirmation (not an alert). */
function tell(text: string): void {
  void toast(text, { ms: 4000 });
}

const readKey = (room: string) => `parley:read:${me}:${room}`;

function view(info: Room): RoomView {
  let room = rooms.get(info.name);
  if (!room) {
    const readSeq = Number(localStorage.getItem(readKey(info.name)) ?? '0');
    room = { info, messages: new Map(), online: new Set(), readSeq, unread: 0, joined: false, complete: false, quietUpTo: info.last_seq };
    rooms.set(info.name, room);
  }
  room.info = info;
  if (!Number.isFinite(room.quietUpTo)) room.quietUpTo = Math.max(info.last_seq, ...[...room.messages.values()].map((m) => m.seq));
  return room;
}

/**
 * A room we were never shown (a link to it, an outbox entry for it): tried, and the server says if it is private.
 * What it replays on join is not news: nothing is announced until the room list has said how far it went.
 */
function unlisted(name: string): RoomView {
  const room = view({ name, kind: 'public', last_seq: 0, member: false });
  room.quietUpTo = Infinity;
  return room;
}

/** The one place the unread badge and the title take their number from (the server's count, once it keeps one). */
function unreadOf(room: RoomView): number {
  return room.info.name === current && document.visibilityState === 'visible' ? 0 : room.unread;
}

function canModerate(room: RoomView | undefined): boolean {
  return room?.info.role === 'owner' || room?.info.role === 'moderator';
}

/** How a room is named to people: `#general`, or the other person of a DM. */
function label(room: RoomView): string {
  return room.info.kind === 'dm' ? (room.dmWith ?? 'direct message') : `#${room.info.name}`;
}

/** The name beside the room's icon (which says '#' itself). */
function nameOf(room: RoomView): string {
  return room.info.kind === 'dm' ? (room.dmWith ?? '…') : room.info.name;
}

// ---- the sidebar

function renderRooms(): void {
  const all = [...rooms.values()].map((room) => ({
    name: room.info.name,
    kind: room.info.kind,
    title: nameOf(room),
    unread: unreadOf(room),
    current: room.info.name === current,
  }));
  renderSidebar({ rooms: roomList, dms: dmList }, all, go);
  updateTitle();
}

function updateTitle(): void {
  const room = rooms.get(current);
  const total = [...rooms.values()].reduce((sum, r) => sum + unreadOf(r), 0);
  notifier.title(total, room ? label(room) : 'Chat');
}

function renderHeader(room: RoomView): void {
  title.dataset.room = room.info.name;
  title.replaceChildren(roomIcon(room.info.kind, nameOf(room)), el('span', { className: 'room-name' }, nameOf(room)));
  kindBadge.hidden = room.info.kind === 'public';
  kindBadge.textContent = room.info.kind === 'private' ? 'Private' : 'Direct message';
  input.placeholder = `Message ${label(room)}`;
  $('#body-label').textContent = `Message ${label(room)}`;
  list.setAttribute('aria-label', `Messages in ${label(room)}`);
}

// ---- the message list

function atBottom(): boolean {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
}

function renderMessages(o: { stick?: boolean } = {}): void {
  // A room that refused us has no messages, but what we failed to send there is still shown (to retry or discard).
  const messages = rooms.get(current)?.messages ?? new Map<string, Message>();
  const stick = o.stick ?? atBottom();
  const landed = [...landing.values()].filter(({ entry, id }) => entry.room === current && !messages.has(id)).map(({ entry }) => entry);
  messageList.render({
    room: current,
    messages: [...messages.values()].sort((a, b) => a.seq - b.seq),
    pending: [...outbox.inRoom(current), ...landed].sort((a, b) => a.createdAt - b.createdAt),
    hidden: new Set(deleting.keys()),
    lastSent,
    target,
  });
  if (stick) list.scrollTop = list.scrollHeight;
}

/** Says the new message (and only it) to screen readers. */
function announce(message: Message): void {
  announcer.textContent = `${message.user}: ${plainText(message.body)}`;
}

// ---- the people list

function renderPeople(): void {
  const room = rooms.get(current);
  online.replaceChildren(...[...(room?.online ?? [])].sort().map((user) => personItem(user)));
  void renderMembers(room);
}

/** Private rooms: who belongs, and for owners and moderators, inviting and removing. */
async function renderMembers(room: RoomView | undefined): Promise<void> {
  membership.hidden = !room || room.info.kind !== 'private';
  if (!room || membership.hidden) return;
  inviteForm.hidden = !canModerate(room);
  const members = await api<Member[]>('GET', `/rooms/${room.info.name}/members`).catch(() => undefined);
  if (!members || room.info.name !== current) return;
  memberList.replaceChildren(
    ...members.map((member) => {
      const item = personItem(member.username, member.role);
      if (canModerate(room) && member.role !== 'owner' && member.username !== me) {
        item.append(button('Remove', 'action remove', () => void removeMember(room, member), { 'aria-label': `Remove ${member.username} from the room` }));
      }
      return item;
    }),
  );
}

async function removeMember(room: RoomView, member: Member): Promise<void> {
  const name = room.info.name;
  const sure = await confirmDialog({
    title: `Remove ${member.username} from #${name}?`,
    text: `${member.username} will no longer see #${name} or its history, until someone invites them again.`,
    confirm: 'Remove',
  });
  if (!sure) return;
  try {
    await api('DELETE', `/rooms/${name}/members/${encodeURIComponent(member.username)}`);
  } catch (error) {
    return say(error, { action: 'remove', room: name, user: member.username });
  }
  void renderMembers(room);
  // Undo is an invitation back, with the role they had.
  if ((await toast(`Removed ${member.username} from #${name}.`, { undo: true })) !== 'undone') return;
  try {
    await api('PUT', `/rooms/${name}/members/${encodeURIComponent(member.username)}`, member.role === 'moderator' ? { role: 'moderator' } : undefined);
    void renderMembers(room);
  } catch (error) {
    say(error, { action: 'invite', room: name, user: member.username });
  }
}

// ---- deleting, with five seconds to take it back

async function deleteWithUndo(message: Message): Promise<void> {
  const send = () => {
    deleting.delete(message.id);
    void client.remove(message.room, message.id).catch((error: unknown) => say(error, { action: 'delete', room: message.room }));
  };
  deleting.set(message.id, send);
  renderMessages({ stick: false });
  const outcome = await toast('Message deleted.', { undo: true });
  if (!deleting.has(message.id)) return; // sent already (the page is going away)
  if (outcome === 'kept') send();
  else deleting.delete(message.id);
  renderMessages({ stick: false });
}

// A deletion still waiting for its toast is sent when the page goes away: the person did not undo it.
window.addEventListener('pagehide', () => {
  for (const send of [...deleting.values()]) send();
});

// ---- reading, joining, opening

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
    if (room.info.name === current) renderPeople();
  } catch (error) {
    room.joined = false;
    throw error;
  }
}

/** `#room` or `#room/seq`. */
function parseHash(): { room: string; seq?: number } {
  const [room, seq] = decodeURIComponent(location.hash.slice(1)).split('/');
  return { room: room || DEFAULT_ROOM, ...(seq && /^\d+$/.test(seq) ? { seq: Number(seq) } : {}) };
}

/** Opens a room through the URL, so Back and Forward (and bookmarks) follow. */
function go(name: string): void {
  if (drawers.isDrawer('sidebar')) drawers.close(false);
  if (location.hash === `#${name}`) void open(name);
  else location.hash = name;
}

window.addEventListener('hashchange', () => {
  const { room, seq } = parseHash();
  void open(room, seq);
});

async function open(name: string, seq?: number): Promise<void> {
  const switched = name !== current || !rooms.get(name)?.joined;
  current = name;
  target = seq;
  if (!location.hash) history.replaceState(null, '', `#${name}`);
  const room = rooms.get(name) ?? unlisted(name);
  renderHeader(room);
  if (switched) {
    typingLine.textContent = '';
    notice.textContent = carriedNotice ?? '';
    carriedNotice = undefined;
  }
  renderRooms();
  renderMessages({ stick: true });
  try {
    await join(room);
  } catch (error) {
    if (current === name) {
      rooms.delete(name);
      renderRooms();
      say(error, { action: 'join', room: name });
    }
    return;
  }
  if (current !== name) return;
  if (seq !== undefined) await showTarget(room, seq);
  markRead(room);
  renderRooms();
  renderPeople();
  if (seq === undefined && switched && !matchMedia('(pointer: coarse)').matches) input.focus();
}

/** A deep link: history back to the message (contiguous, so scrolling on works), highlighted and focused. */
async function showTarget(room: RoomView, seq: number): Promise<void> {
  let before: number | undefined;
  for (let page = 0; page < 20; page++) {
    const older = await client.history(room.info.name, { limit: 100, ...(before ? { before } : {}) }).catch(() => []);
    for (const message of older) room.messages.set(message.id, message);
    if (older.length === 0) room.complete = true;
    before = Math.min(...older.map((m) => m.seq));
    if (older.length === 0 || before <= seq || before <= 1) break;
  }
  if (current !== room.info.name) return;
  renderMessages({ stick: false });
  const row = list.querySelector<HTMLElement>(`li[data-seq="${seq}"]`);
  if (!row) return say({ code: 'not_found' }, { room: room.info.name });
  row.scrollIntoView({ block: 'center' });
  row.focus({ preventScroll: true });
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
    const top = list.scrollTop;
    for (const message of older) room.messages.set(message.id, message);
    renderMessages({ stick: false });
    list.scrollTop = top + list.scrollHeight - height; // keep the reader where they were
  } catch (error) {
    say(error, { action: 'history', room: room.info.name });
  } finally {
    loadingOlder = false;
  }
}
let loadingOlder = false;

// ---- sending: through the outbox

/** Sends an outbox entry (again): once the room is joined, with its clientId, whatever happened before. */
function deliver(entry: Outgoing): void {
  const room = rooms.get(entry.room) ?? unlisted(entry.room);
  void join(room).catch(() => {}); // a join that fails fails the send too, with the reason
  client.send(entry.room, entry.body, { clientId: entry.clientId }).then(
    (ack) => {
      outbox.remove(entry.clientId);
      lastSent = ack.id;
      if (!room.messages.has(ack.id)) landing.set(entry.clientId, { entry, id: ack.id });
      if (entry.room === current) renderMessages();
    },
    (error: unknown) => {
      outbox.update(entry.clientId, { state: 'failed', error: sentence(error, { action: 'send', room: entry.room }) });
      if (entry.room === current) renderMessages();
    },
  );
}

function submit(): void {
  // Newlines inside are kept (they are the message's lines); blank lines around it are not.
  const body = input.value.replace(/^\s*\n/, '').trimEnd();
  if (!body.trim()) return;
  input.value = '';
  const entry: Outgoing = { clientId: newClientId(), room: current, body, createdAt: Date.now(), state: 'sending' };
  outbox.add(entry);
  deliver(entry);
  renderMessages({ stick: true });
}

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  submit();
  input.focus();
});

input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  } else if (event.key === 'ArrowUp' && input.value === '') {
    const mine = [...(rooms.get(current)?.messages.values() ?? [])].filter((m) => m.user === me && !m.deleted && !deleting.has(m.id));
    const last = mine.sort((a, b) => b.seq - a.seq)[0];
    if (!last) return;
    event.preventDefault();
    messageList.startEdit(last.id);
  }
});

let typingSentAt = 0;
input.addEventListener('input', () => {
  // The server relays one `typing` per interval anyway: sending one per keystroke would only eat the frame budget.
  if (Date.now() - typingSentAt >= Limits.typingIntervalMs) {
    typingSentAt = Date.now();
    client.typing(current);
  }
  const mention = /(?:^|\s)@([\w.-]*)$/.exec(input.value.slice(0, input.selectionStart));
  if (mention) void suggestMentions(mention[1]!);
});

// Older history loads when the reader scrolls up to the top — not when re-rendering jumps the list to the top.
let readerScrolledAt = 0;
for (const intent of ['wheel', 'touchmove', 'keydown', 'pointerdown'] as const) {
  list.addEventListener(intent, () => (readerScrolledAt = Date.now()), { passive: true });
}
list.addEventListener('scroll', () => {
  if (list.scrollTop < 60 && Date.now() - readerScrolledAt < 1000) void loadOlder();
});

// ---- what the server says

client.on('message', (message) => {
  const room = rooms.get(message.room);
  if (!room) return;
  room.messages.set(message.id, message);
  for (const [clientId, landed] of landing) if (landed.id === message.id) landing.delete(clientId);
  const fresh = message.seq > room.quietUpTo && message.user !== me;
  const inSight = message.room === current && document.visibilityState === 'visible';
  if (inSight) markRead(room);
  else if (message.seq > room.readSeq && message.user !== me) room.unread++;
  if (message.room === current) {
    renderMessages();
    if (fresh) announce(message);
  }
  // Notifications: direct messages (mentions too, once the server marks them), never for what is in plain sight.
  if (fresh && !inSight && room.info.kind === 'dm') {
    notifier.alert({ room: room.info.name, title: `${message.user} (direct message)`, body: plainText(message.body) });
  }
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
  const shown = rooms.get(room);
  if (!shown) return;
  if (state === 'online') shown.online.add(user);
  else shown.online.delete(user);
  if (room === current) renderPeople();
});

client.on('typing', ({ room, user }) => {
  if (room !== current) return;
  typingLine.textContent = `${user} is typing…`;
  clearTimeout(typingTimers.get(room));
  typingTimers.set(
    room,
    setTimeout(() => (typingLine.textContent = ''), 3000),
  );
});

client.on('left', ({ room, reason }) => {
  if (reason !== 'removed') return;
  rooms.delete(room);
  if (room === current) {
    carriedNotice = removedFrom(room);
    go(DEFAULT_ROOM);
  } else {
    renderRooms();
  }
});

/** What an unanswered error frame was about, from the ref the SDK gave the call. */
function actionOf(ref: string | undefined): Action | undefined {
  const kind = ref?.split(':')[0];
  return kind === 'edit' || kind === 'delete' || kind === 'join' || kind === 'history' ? kind : undefined;
}

client.on('error', (error) => {
  // A room that refuses us when the SDK rejoins it after a reconnect (removed while we were away): it is gone.
  const refused = error.ref?.startsWith('join:') ? error.ref.slice('join:'.length) : undefined;
  if (refused) {
    rooms.delete(refused);
    renderRooms();
    if (refused !== current) return;
    renderPeople();
  }
  say(error, { action: actionOf(error.ref), room: refused ?? current });
});

// ---- the connection: a banner while it is down; the composer keeps working (the outbox holds what is typed)

let connected = false;
function showConnection(): void {
  const offline = !navigator.onLine;
  banner.hidden = connected && !offline;
  banner.textContent = offline
    ? 'You are offline. Messages you send will go out when the connection is back.'
    : 'Connection lost. Reconnecting… Messages you send will go out when it is back.';
}
window.addEventListener('offline', showConnection);
window.addEventListener('online', showConnection);

client.on('status', (status) => {
  connected = status.state === 'open';
  if (status.state === 'closed' && !leaving) {
    // Revoked (logout elsewhere), or expired with no session left to refresh: log in again, back to this room.
    location.assign(`/login?next=${encodeURIComponent('/' + location.hash)}`);
    return;
  }
  if (status.state !== 'connecting') showConnection();
});

// ---- forms

$<HTMLFormElement>('#new-room').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim().toLowerCase();
  const isPrivate = (form.elements.namedItem('private') as HTMLInputElement).checked;
  try {
    view(await api<Room>('POST', '/rooms', { name, private: isPrivate }));
    form.reset();
    go(name);
  } catch (error) {
    say(error, { action: 'create', room: name });
  }
});

$<HTMLFormElement>('#new-dm').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const user = (form.elements.namedItem('user') as HTMLInputElement).value.trim().toLowerCase();
  try {
    const room = view(await api<Room>('POST', '/dms', { user }));
    room.dmWith = user;
    form.reset();
    go(room.info.name);
  } catch (error) {
    say(error, { action: 'dm', user });
  }
});

inviteForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const field = inviteForm.elements.namedItem('user') as HTMLInputElement;
  const user = field.value.trim().toLowerCase();
  try {
    await api('PUT', `/rooms/${current}/members/${encodeURIComponent(user)}`);
    tell(`Invited ${user} to #${current}.`);
    field.value = '';
    void renderMembers(rooms.get(current));
  } catch (error) {
    say(error, { action: 'invite', room: current, user });
  }
});

document.addEventListener('visibilitychange', () => {
  const room = rooms.get(current);
  if (room && document.visibilityState === 'visible') markRead(room);
  renderRooms();
});

// ---- the room list: from rooms-source.ts (polling today, the server's event stream later)

/** Names the other person in each DM (from its members). */
async function nameDms(): Promise<void> {
  for (const room of rooms.values()) {
    if (room.info.kind !== 'dm' || room.dmWith) continue;
    const members = await api<Member[]>('GET', `/rooms/${room.info.name}/members`).catch(() => []);
    room.dmWith = members.find((m) => m.username !== me)?.username ?? me;
  }
  renderRooms();
  const room = rooms.get(current);
  if (room) renderHeader(room);
}

/** Every listed room is joined, so unread counts stay live (the SDK resumes each from its last seq). */
const roomsSource = watchRooms(
  () => api<Room[]>('GET', '/rooms'),
  (listed) => {
    for (const info of listed) void join(view(info)).catch(() => {});
    renderRooms();
    void nameDms();
  },
);

for (const info of await api<Room[]>('GET', '/rooms')) view(info);
const start = parseHash();
await Promise.all([open(start.room, start.seq), nameDms()]);
void roomsSource.refresh();
// What was typed before a reload or while the tab was closed goes out now, with its clientId.
for (const entry of outbox.all()) if (entry.state === 'sending') deliver(entry);
renderMessages();
