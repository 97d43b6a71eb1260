// The chat page, on the SDK (no second copy of the protocol). The socket is authenticated by the HttpOnly cookie
// the login set (the server checks this page's Origin before the handshake); session.ts keeps the token fresh.
// This file holds the state (the rooms in view, their messages, the outbox) and wires events to the parts that
// draw it: messages.ts (the list), sidebar.ts, rooms-source.ts (your rooms and counts), panels.ts (browse, new
// message, search, room details, profile), mentions.ts (autocomplete), overlays.ts, notify.ts.
//
// What the socket joins: the room in view, the last few looked at and your DMs — never every room. Their
// `message` frames keep their counts live and raise DM notifications; every other room's counts come from
// GET /rooms (rooms-source.ts), and mentions anywhere arrive on the user's own stream.
import { connect, type Message, newClientId, ParleyApi, type ParleyClient, type Room } from 'parley-chat-client';
import type { Member } from 'parley-chat-protocol';
import { DEFAULT_ROOM, Limits } from 'parley-chat-protocol/catalogue';
import { $, button, el } from './dom.js';
import { plainText } from './markdown.js';
import { MentionPicker } from './mentions.js';
import { MessageList } from './messages.js';
import { Names } from './names.js';
import { Notifier } from './notify.js';
import { Outbox, type Outgoing } from './outbox.js';
import { confirmDialog, Drawers, toast } from './overlays.js';
import { browseRooms, newMessage, type PanelContext, profile, roomDetails, search } from './panels.js';
import { MyRooms } from './rooms-source.js';
import { type Action, type Context, goneFrom, removedFrom, sentence } from './sentences.js';
import { refreshSession } from './session.js';
import { personItem, renderSidebar, roomIcon } from './sidebar.js';

/** A room the socket has joined (or is joining): what the page holds of it. */
interface View {
  name: string;
  /** Messages by id, as they stand now. */
  messages: Map<string, Message>;
  online: Set<string>;
  joined: boolean;
  /** Holds the room's recent history (a room joined in the background holds only what came since). */
  loaded: boolean;
  /** No older history left to load. */
  complete: boolean;
  /** Messages up to this seq were there before the page looked: replayed, not announced or notified. */
  quietUpTo: number;
}

/** Rooms looked at last, the one in view included, stay joined (a switch back is instant, their counts live): this many. */
const KEEP_JOINED = 3;
/** The composer shows its count only in the last tenth of the limit: below that it would only be clutter. */
const COUNT_FROM = 0.9;

const me = $('#me').textContent!;
const roomList = $<HTMLUListElement>('#room-list');
const dmList = $<HTMLUListElement>('#dm-list');
const title = $<HTMLElement>('#room-title');
const topicLine = $<HTMLElement>('#room-topic');
const kindBadge = $<HTMLElement>('#room-kind');
const joinButton = $<HTMLButtonElement>('#join-room');
const muteButton = $<HTMLButtonElement>('#mute-toggle');
const settingsButton = $<HTMLButtonElement>('#room-settings');
const list = $<HTMLOListElement>('#messages');
const jumpButton = $<HTMLButtonElement>('#jump-latest');
const composer = $<HTMLFormElement>('#composer');
const input = $<HTMLTextAreaElement>('#body');
const sendButton = $<HTMLButtonElement>('#composer .send');
const bodyCount = $<HTMLElement>('#body-count');
const emptyRoom = $<HTMLElement>('#room-empty');
const banner = $<HTMLElement>('#banner');
const notice = $<HTMLElement>('#notice');
const typingLine = $<HTMLElement>('#typing');
const online = $<HTMLUListElement>('#online');
const inviteForm = $<HTMLFormElement>('#invite');
const membership = $<HTMLElement>('#membership');
const memberList = $<HTMLUListElement>('#members');
const announcer = $<HTMLElement>('#announce');
const menuDot = $<HTMLElement>('#menu-unread');

const api = new ParleyApi();
const views = new Map<string, View>();
/** Rooms opened, the latest last. */
const recent: string[] = [];
/** Public rooms looked at without being yours (a link, a search hit): what the public list says of them. */
const previews = new Map<string, Room>();
let current: string = DEFAULT_ROOM;
/** A deep link's message (`#room/seq`), highlighted until another room is opened. */
let target: number | undefined;
/** The read position when the room in view was opened: the "New messages" line goes after it. */
let dividerAfter: number | undefined;
/** Messages that arrived below while the reader was scrolled up. */
let newBelow = 0;
/** Set when the user logs out: the server then closes the socket (4403), and the logout's own redirect wins. */
let leaving = false;
$<HTMLFormElement>('form[action="/auth/logout"]').addEventListener('submit', () => (leaving = true));
const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
const outbox = new Outbox(`parley:outbox:${me}`);
/** Outbox entries the server has acked, until their message shows (the ack and the message race). */
const landing = new Map<string, { entry: Outgoing; id: string }>();
/** Deletions waiting for their Undo toast to go: hidden here, not yet sent. */
const deleting = new Map<string, () => void>();
/** Messages already notified (a mention in a DM comes as a mention frame and as a message). */
const notified = new Set<string>();
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

const notifier = new Notifier(`parley:prefs:${me}`, (where) => go(where));

const names = new Names(api, () => {
  showMyName(names.displayOf(me));
  renderRooms();
  renderHeader();
  renderMessages();
  renderPeople();
});

const myRooms = new MyRooms(
  () => api.rooms(),
  ({ added }) => {
    for (const name of added) previews.delete(name);
    renderRooms();
    renderHeader();
    syncJoins();
  },
);

const messageList = new MessageList(list, {
  me,
  nameOf: (user) => names.of(user),
  canDelete: (message) => message.user === me || canModerate(infoOf(message.room)),
  saveEdit: (message, body) =>
    void client.edit(message.room, message.id, body).catch((error: unknown) => say(error, { action: 'edit', room: message.room })),
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

// ---- what a room is called

/** The room as the page knows it: yours (GET /rooms), a public one previewed, or only its name. */
function infoOf(name: string): Room {
  return myRooms.get(name) ?? previews.get(name) ?? { name, kind: 'public', last_seq: 0, member: false };
}

function canModerate(room: Room): boolean {
  return room.role === 'owner' || room.role === 'moderator';
}

/** A DM's other people (for a DM with yourself, you). */
function othersOf(room: Room): string[] {
  const others = (room.members ?? []).filter((user) => user !== me);
  return others.length > 0 || room.kind !== 'dm' ? others : [me];
}

/** The name beside the room's icon: its title or name, or a DM's people. */
function nameOf(room: Room): string {
  return room.kind === 'dm'
    ? othersOf(room)
        .map((user) => names.of(user))
        .join(', ') || 'direct message'
    : (room.title ?? room.name);
}

/** How a room is named in sentences and the tab's title: `#general`, a title, or a DM's people. */
function labelOf(name: string): string {
  const room = infoOf(name);
  return room.kind === 'dm' || room.title ? nameOf(room) : `#${room.name}`;
}

// ---- the sidebar, the header, the title

function inPlainSight(name: string): boolean {
  return name === current && document.visibilityState === 'visible' && atBottom();
}

/** What a room's badge says: nothing for the room in view while it is visible, no unread count when muted. */
function countsOf(room: Room): { unread: number; mentions: number } {
  if (room.name === current && document.visibilityState === 'visible') return { unread: 0, mentions: 0 };
  return { unread: room.muted ? 0 : (room.unread ?? 0), mentions: room.mentions ?? 0 };
}

function renderRooms(): void {
  const all = myRooms.all().map((room) => ({
    name: room.name,
    kind: room.kind,
    title: nameOf(room),
    others: othersOf(room),
    ...countsOf(room),
    muted: room.muted ?? false,
    current: room.name === current,
  }));
  renderSidebar({ rooms: roomList, dms: dmList }, all, go);
  const waiting = all.some((room) => room.unread > 0 || room.mentions > 0);
  menuDot.hidden = !waiting;
  $('#open-rooms').setAttribute('aria-label', waiting ? 'Rooms (unread messages)' : 'Rooms');
  updateTitle();
}

function updateTitle(): void {
  let unread = 0;
  let mentions = 0;
  for (const room of myRooms.all()) {
    const counts = countsOf(room);
    unread += counts.unread;
    mentions += counts.mentions;
  }
  notifier.title(unread, mentions, labelOf(current));
}

function renderHeader(): void {
  const room = infoOf(current);
  title.dataset.room = current;
  title.replaceChildren(roomIcon(room.kind, othersOf(room)), el('span', { className: 'room-name' }, nameOf(room)));
  topicLine.hidden = !room.topic;
  topicLine.textContent = room.topic ?? '';
  const kind = room.kind === 'private' ? 'Private' : room.kind === 'dm' ? (othersOf(room).length > 1 ? 'Group message' : 'Direct message') : '';
  kindBadge.hidden = !kind;
  kindBadge.textContent = kind;
  joinButton.hidden = room.member || !previews.has(current);
  muteButton.hidden = !room.member;
  muteButton.setAttribute('aria-pressed', String(room.muted ?? false));
  muteButton.classList.toggle('is-muted', room.muted ?? false);
  $('#mute-label').textContent = `Mute ${labelOf(current)}`;
  muteButton.title = room.muted
    ? 'Muted: no unread badge, only direct mentions notify. Click to unmute.'
    : 'Mute: no unread badge, only direct mentions notify';
  settingsButton.hidden = !room.member;
  const label = labelOf(current);
  input.placeholder = `Message ${label}`;
  $('#body-label').textContent = `Message ${label}`;
  list.setAttribute('aria-label', `Messages in ${label}`);
  renderEmpty();
}

// ---- the message list

function atBottom(): boolean {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
}

function renderMessages(o: { stick?: boolean } = {}): void {
  // A room that refused us has no messages, but what we failed to send there is still shown (to retry or discard).
  const messages = views.get(current)?.messages ?? new Map<string, Message>();
  const stick = o.stick ?? atBottom();
  const landed = [...landing.values()].filter(({ entry, id }) => entry.room === current && !messages.has(id)).map(({ entry }) => entry);
  messageList.render({
    room: current,
    messages: [...messages.values()].sort((a, b) => a.seq - b.seq),
    pending: [...outbox.inRoom(current), ...landed].sort((a, b) => a.createdAt - b.createdAt),
    hidden: new Set(deleting.keys()),
    lastSent,
    target,
    ...(dividerAfter !== undefined ? { dividerAfter } : {}),
  });
  if (stick) list.scrollTop = list.scrollHeight;
  renderEmpty();
  readVisible();
}

/**
 * A room with nothing in it says so, beside the list rather than in it: not a row (row counts stay right, a screen
 * reader hears an empty list and this sentence, not a message). Shown only once the room is joined and the room
 * list knows it never had a message, so a room whose replay is still coming never flashes it.
 */
function renderEmpty(): void {
  const view = views.get(current);
  const room = infoOf(current);
  const empty = view?.joined === true && room.last_seq === 0 && list.childElementCount === 0;
  emptyRoom.hidden = !empty;
  if (!empty) return;
  const start = room.kind === 'dm' ? `your conversation with ${nameOf(room)}` : labelOf(current);
  $('#room-empty .empty-title').textContent = `This is the start of ${start}.`;
  const topic = $('#room-empty .empty-topic');
  topic.hidden = !room.topic;
  topic.textContent = room.topic ?? '';
}

/** Says the new message (and only it) to screen readers. */
function announce(message: Message): void {
  announcer.textContent = `${names.of(message.user)}: ${plainText(message.body)}`;
}

function maxSeq(view: View): number {
  let max = 0;
  for (const message of view.messages.values()) if (message.seq > max) max = message.seq;
  return max;
}

function minSeq(view: View): number {
  let min = Infinity;
  for (const message of view.messages.values()) if (message.seq < min) min = message.seq;
  return min;
}

/** What is left unread after `seq`, when the page holds every message after it. */
function remainingAfter(view: View | undefined, seq: number): { unread: number; mentions: number } | undefined {
  if (!view?.loaded || (!view.complete && minSeq(view) > seq + 1)) return undefined;
  let unread = 0;
  let mentions = 0;
  for (const message of view.messages.values()) {
    if (message.seq <= seq || message.user === me || message.deleted) continue;
    unread++;
    if (message.mentions?.includes(me)) mentions++;
  }
  return { unread, mentions };
}

/**
 * Tells the server how far the person has read: the newest message in the viewport (everything, at the bottom),
 * only while the tab is visible. The SDK sends one frame per burst; the other tabs and browsers get `read`.
 */
function readVisible(): void {
  updateJump();
  // While a room opens, its replay fills the list from the bottom: nothing is read until it is in place.
  if (document.visibilityState !== 'visible' || settling === current) return;
  const room = myRooms.get(current);
  const view = views.get(current);
  if (!room || !view?.joined || !view.loaded) return;
  let seen: number | undefined;
  if (atBottom()) {
    seen = Math.max(room.last_seq, maxSeq(view));
    newBelow = 0;
  } else {
    const bottom = list.getBoundingClientRect().bottom;
    const rows = list.querySelectorAll<HTMLElement>('li[data-seq]');
    for (let i = rows.length - 1; i >= 0; i--) {
      if (rows[i]!.getBoundingClientRect().bottom <= bottom + 1) {
        seen = Number(rows[i]!.dataset.seq);
        break;
      }
    }
  }
  if (seen === undefined || seen <= (room.read_seq ?? 0)) return;
  client.read(current, seen);
  myRooms.read(current, seen, remainingAfter(view, seen));
  updateJump();
}

/** "Jump to latest": when scrolled up with newer messages below (unread, or arrived meanwhile). */
function updateJump(): void {
  const room = myRooms.get(current);
  const unread = room ? (room.unread ?? 0) : newBelow;
  const below = !atBottom() && (newBelow > 0 || unread > 0);
  jumpButton.hidden = !below;
  jumpButton.textContent = unread > 0 ? `${unread} new ${unread === 1 ? 'message' : 'messages'} · Jump to latest` : 'Jump to latest';
}

jumpButton.addEventListener('click', () => {
  list.scrollTop = list.scrollHeight;
  newBelow = 0;
  readVisible();
  list.focus();
});

// ---- the people list

function renderPeople(): void {
  const view = views.get(current);
  online.replaceChildren(...[...(view?.online ?? [])].sort().map((user) => personItem(user, names.displayOf(user))));
}

/** Everyone's display names; for private rooms and DMs, who belongs, and for owners and moderators, inviting and removing. */
async function loadMembers(name: string): Promise<void> {
  const room = infoOf(name);
  const members = await api.members(name).catch(() => undefined);
  if (members) names.learn(members);
  if (name !== current) return;
  membership.hidden = !members || room.kind === 'public';
  if (!members || membership.hidden) return;
  inviteForm.hidden = !canModerate(room);
  memberList.replaceChildren(
    ...members.map((member) => {
      const item = personItem(member.username, member.display_name, member.role);
      if (canModerate(room) && member.role !== 'owner' && member.username !== me) {
        item.append(
          button('Remove', 'action remove', () => void removeMember(room, member), {
            'aria-label': `Remove ${names.of(member.username)} from the room`,
          }),
        );
      }
      return item;
    }),
  );
}

async function removeMember(room: Room, member: Member): Promise<void> {
  const name = room.name;
  const who = names.of(member.username);
  const sure = await confirmDialog({
    title: `Remove ${who} from #${name}?`,
    text: `${who} will no longer see #${name} or its history, until someone invites them again.`,
    confirm: 'Remove',
  });
  if (!sure) return;
  try {
    await api.removeMember(name, member.username);
  } catch (error) {
    return say(error, { action: 'remove', room: name, user: member.username });
  }
  void loadMembers(name);
  // Undo is an invitation back, with the role they had.
  if ((await toast(`Removed ${who} from #${name}.`, { undo: true })) !== 'undone') return;
  try {
    await api.invite(name, member.username, member.role === 'moderator' ? 'moderator' : 'member');
    void loadMembers(name);
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

// ---- joining: the room in view, the last few, your DMs

/**
 * Joins a room on the socket. In view, the server replays its last messages; in the background (a DM, an
 * outbox entry for another room), only what comes after the newest seq the room list knows.
 */
function ensureJoined(name: string, background = false): Promise<View> {
  let view = views.get(name);
  if (view?.joined) return Promise.resolve(view);
  const known = myRooms.get(name) ?? previews.get(name);
  const since = background && known ? known.last_seq : undefined;
  if (!view) {
    view = {
      name,
      messages: new Map(),
      online: new Set(),
      joined: false,
      loaded: since === undefined,
      complete: false,
      quietUpTo: known?.last_seq ?? Infinity,
    };
    views.set(name, view);
  }
  const joining = view;
  return client.join(name, since === undefined ? {} : { since }).then(
    (joined) => {
      joining.joined = true;
      joining.online = new Set(joined.members);
      if (joining.quietUpTo === Infinity) joining.quietUpTo = maxSeq(joining);
      if (name === current) renderPeople();
      return joining;
    },
    (error: unknown) => {
      if (views.get(name) === joining) views.delete(name);
      throw error;
    },
  );
}

/** Leaves what the page no longer needs: not in view, not looked at lately, not a DM, nothing waiting to go out. */
function syncJoins(): void {
  const keep = new Set([current, ...recent.slice(-KEEP_JOINED)]);
  for (const room of myRooms.all()) if (room.kind === 'dm') keep.add(room.name);
  for (const name of [...views.keys()]) {
    if (keep.has(name) || outbox.inRoom(name).length > 0) continue;
    views.delete(name);
    client.leave(name);
  }
  for (const room of myRooms.all()) if (room.kind === 'dm' && !views.has(room.name)) void ensureJoined(room.name, true).catch(() => {});
}

/** A room's recent history, for a view joined in the background. */
async function loadRecent(view: View): Promise<void> {
  const messages = await client.history(view.name, { limit: Limits.recentOnJoin }).catch(() => undefined);
  if (!messages) return;
  for (const message of messages) if (!view.messages.has(message.id)) view.messages.set(message.id, message);
  if (messages.length < Limits.recentOnJoin) view.complete = true;
  view.loaded = true;
}

/** Loads back (a few pages at most) until `seq` is held: a deep link's message, or the first unread one. */
async function loadBackTo(view: View, seq: number): Promise<void> {
  for (let page = 0; page < 20 && !view.complete; page++) {
    const oldest = minSeq(view);
    if (oldest <= seq || oldest <= 1) break;
    const older = await client.history(view.name, { limit: 100, ...(Number.isFinite(oldest) ? { before: oldest } : {}) }).catch(() => []);
    for (const message of older) view.messages.set(message.id, message);
    if (older.length === 0) view.complete = true;
  }
}

// ---- opening

/** `#room` or `#room/seq`. */
function parseHash(): { room: string; seq?: number } {
  const [room, seq] = decodeURIComponent(location.hash.slice(1)).split('/');
  return { room: room || DEFAULT_ROOM, ...(seq && /^\d+$/.test(seq) ? { seq: Number(seq) } : {}) };
}

/** Opens a room (or `room/seq`) through the URL, so Back and Forward (and bookmarks) follow. */
function go(where: string): void {
  if (drawers.isDrawer('sidebar')) drawers.close(false);
  if (location.hash === `#${where}`) {
    const { room, seq } = parseHash();
    void open(room, seq);
  } else {
    location.hash = where;
  }
}

window.addEventListener('hashchange', () => {
  // A link followed from the room drawer (a search hit): the conversation, not the drawer, is what to see.
  if (drawers.isDrawer('sidebar')) drawers.close(false);
  const { room, seq } = parseHash();
  void open(room, seq);
});

/** A public room that is not yours: what the public list says of it (its title, topic, newest seq). */
async function preview(name: string): Promise<void> {
  if (myRooms.get(name) || previews.has(name)) return;
  const found = (await api.rooms('public').catch(() => [] as Room[])).find((room) => room.name === name);
  if (found && !myRooms.get(name)) previews.set(name, found);
}

/** The room last opened (the first open has none). */
let opened: string | undefined;
/** The room being opened, until it shows what it should (the first unread message, a deep link's). */
let settling: string | undefined;

async function open(name: string, seq?: number): Promise<void> {
  settling = name;
  try {
    await opening(name, seq);
  } finally {
    if (settling === name) settling = undefined;
  }
  if (current === name) readVisible();
}

async function opening(name: string, seq?: number): Promise<void> {
  const switched = name !== current || !views.get(name)?.joined;
  const another = name !== opened;
  if (another) {
    const room = myRooms.get(name);
    dividerAfter = room && (room.unread ?? 0) > 0 ? room.read_seq : undefined;
    newBelow = 0;
  }
  opened = name;
  // Down to the newest message — unless there is a message to show, or unread ones to start from.
  const stick = seq === undefined && dividerAfter === undefined;
  current = name;
  target = seq;
  recent.splice(0, recent.length, ...recent.filter((r) => r !== name), name);
  if (!location.hash) history.replaceState(null, '', `#${name}`);
  renderHeader();
  // A room opened twice in a row (a link and its hashchange) keeps what the first opening said.
  if (another) {
    typingLine.textContent = '';
    notice.textContent = carriedNotice ?? '';
    carriedNotice = undefined;
    membership.hidden = true;
  }
  renderRooms();
  renderMessages({ stick });
  await preview(name);
  if (current !== name) return;
  renderHeader();
  let view: View;
  try {
    view = await ensureJoined(name);
  } catch (error) {
    if (current === name) {
      renderRooms();
      renderMessages();
      say(error, { action: 'join', room: name });
    }
    return;
  }
  if (current !== name) return;
  if (!view.loaded) await loadRecent(view);
  if (seq !== undefined) await loadBackTo(view, seq);
  else if (dividerAfter !== undefined) await loadBackTo(view, dividerAfter + 1);
  if (current !== name) return;
  renderMessages({ stick });
  if (seq !== undefined) showTarget(seq);
  else if (dividerAfter !== undefined) document.querySelector('#new-divider')?.scrollIntoView({ block: 'start' });
  renderRooms();
  renderPeople();
  void loadMembers(name);
  syncJoins();
  if (seq === undefined && switched && !matchMedia('(pointer: coarse)').matches) input.focus();
}

/** A deep link or a search hit: the message, highlighted and focused. */
function showTarget(seq: number): void {
  const row = list.querySelector<HTMLElement>(`li[data-seq="${seq}"]`);
  if (!row) return say({ code: 'not_found' }, { room: current });
  row.scrollIntoView({ block: 'center' });
  row.focus({ preventScroll: true });
}

async function loadOlder(): Promise<void> {
  const view = views.get(current);
  if (!view || view.complete || loadingOlder) return;
  const oldest = minSeq(view);
  if (!Number.isFinite(oldest) || oldest <= 1) return;
  loadingOlder = true;
  try {
    const older = await client.history(view.name, { before: oldest, limit: 50 });
    if (older.length === 0) view.complete = true;
    const height = list.scrollHeight;
    const top = list.scrollTop;
    for (const message of older) view.messages.set(message.id, message);
    renderMessages({ stick: false });
    list.scrollTop = top + list.scrollHeight - height; // keep the reader where they were
  } catch (error) {
    say(error, { action: 'history', room: view.name });
  } finally {
    loadingOlder = false;
  }
}
let loadingOlder = false;

// ---- sending: through the outbox

/** Sends an outbox entry (again): once the room is joined, with its clientId, whatever happened before. */
function deliver(entry: Outgoing): void {
  void ensureJoined(entry.room, entry.room !== current).catch(() => {}); // a join that fails fails the send too, with the reason
  client.send(entry.room, entry.body, { clientId: entry.clientId }).then(
    (ack) => {
      outbox.remove(entry.clientId);
      lastSent = ack.id;
      if (!views.get(entry.room)?.messages.has(ack.id)) landing.set(entry.clientId, { entry, id: ack.id });
      if (entry.room === current) renderMessages();
    },
    (error: unknown) => {
      outbox.update(entry.clientId, { state: 'failed', error: sentence(error, { action: 'send', room: entry.room }) });
      if (entry.room === current) renderMessages();
    },
  );
}

/** What Send would send: newlines inside are kept (they are the message's lines); blank lines around it are not. */
function outgoingBody(): string {
  return input.value.replace(/^\s*\n/, '').trimEnd();
}

/** The body's length as the server counts it (code points, not UTF-16 units). */
function lengthOf(body: string): number {
  return [...body].length;
}

/**
 * Over the limit the text stays as typed (no maxlength cutting a paste short without a word): a count says by how
 * much, Send is off and Enter does nothing until it is short enough. The count shows in the last tenth too.
 */
function renderCount(): void {
  const length = lengthOf(outgoingBody());
  const over = length > Limits.bodyLength;
  const wasOver = input.getAttribute('aria-invalid') === 'true';
  bodyCount.hidden = length < Limits.bodyLength * COUNT_FROM;
  bodyCount.classList.toggle('over', over);
  const count = `${length.toLocaleString('en')} / ${Limits.bodyLength.toLocaleString('en')}`;
  bodyCount.textContent = over ? `${count} — shorten the message to send it` : count;
  sendButton.disabled = over;
  if (over) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  // Said once, as it goes over (the count is the textarea's description, read on focus, not at every keystroke).
  if (over && !wasOver) announcer.textContent = `The message is too long: at most ${Limits.bodyLength.toLocaleString('en')} characters.`;
}

function submit(): void {
  const body = outgoingBody();
  if (!body.trim() || lengthOf(body) > Limits.bodyLength) return;
  input.value = '';
  // Sent: what was being completed in it is gone too (a lookup still on its way must not open the list).
  mentionPicker.close();
  renderCount();
  const entry: Outgoing = { clientId: newClientId(), room: current, body, createdAt: Date.now(), state: 'sending' };
  outbox.add(entry);
  deliver(entry);
  renderMessages({ stick: true });
}

// Before the composer's own keys: while the suggestions are open, Enter picks one instead of sending.
const mentionPicker = new MentionPicker(input, $<HTMLUListElement>('#mention-list'), api, (people) => names.learn(people));

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
    const mine = [...(views.get(current)?.messages.values() ?? [])].filter((m) => m.user === me && !m.deleted && !deleting.has(m.id));
    const last = mine.sort((a, b) => b.seq - a.seq)[0];
    if (!last) return;
    event.preventDefault();
    messageList.startEdit(last.id);
  }
});

let typingSentAt = 0;
input.addEventListener('input', () => {
  renderCount();
  // The server relays one `typing` per interval anyway: sending one per keystroke would only eat the frame budget.
  if (Date.now() - typingSentAt >= Limits.typingIntervalMs) {
    typingSentAt = Date.now();
    client.typing(current);
  }
});

// Older history loads when the reader scrolls up to the top — not when re-rendering jumps the list to the top.
let readerScrolledAt = 0;
for (const intent of ['wheel', 'touchmove', 'keydown', 'pointerdown'] as const) {
  list.addEventListener(intent, () => (readerScrolledAt = Date.now()), { passive: true });
}
let readFrame = 0;
list.addEventListener('scroll', () => {
  if (list.scrollTop < 60 && Date.now() - readerScrolledAt < 1000) void loadOlder();
  cancelAnimationFrame(readFrame);
  readFrame = requestAnimationFrame(() => readVisible());
});

// ---- what the server says

function alertOnce(message: { id: string; room: string; seq: number }, title: string, body: string): void {
  if (notified.has(message.id)) return;
  notified.add(message.id);
  notifier.alert({ room: `${message.room}/${message.seq}`, title, body: plainText(body) });
}

client.on('message', (message) => {
  const mine = message.user === me;
  const mentionsMe = message.mentions?.includes(me) ?? false;
  myRooms.entry(message.room, message.seq, { unread: !mine && !message.deleted, mentionsMe });
  const view = views.get(message.room);
  if (!view) return;
  view.messages.set(message.id, message);
  for (const [clientId, landed] of landing) if (landed.id === message.id) landing.delete(clientId);
  const fresh = message.seq > view.quietUpTo && !mine;
  const sight = inPlainSight(message.room);
  if (message.room === current) {
    if (fresh && !atBottom()) newBelow++;
    renderMessages();
    if (fresh) announce(message);
  }
  // A DM notifies (a muted one only when it mentions you); a mention anywhere notifies through its own frame.
  const room = myRooms.get(message.room);
  if (fresh && !sight && room?.kind === 'dm' && (!room.muted || mentionsMe)) {
    const others = othersOf(room);
    const where = others.length > 1 ? 'group message' : 'direct message';
    alertOnce(message, `${names.of(message.user)} (${where})`, message.body);
  }
  renderRooms();
});

client.on('edited', (edit) => {
  myRooms.entry(edit.room, edit.seq, { unread: false, mentionsMe: false });
  const message = views.get(edit.room)?.messages.get(edit.id);
  if (!message) return;
  message.body = edit.body;
  message.editedAt = edit.editedAt;
  if (edit.mentions) message.mentions = edit.mentions;
  else delete message.mentions;
  if (edit.room === current) renderMessages();
});

client.on('deleted', (deletion) => {
  myRooms.entry(deletion.room, deletion.seq, { unread: false, mentionsMe: false });
  const message = views.get(deletion.room)?.messages.get(deletion.id);
  if (!message) return;
  message.deleted = true;
  message.body = '';
  if (deletion.room === current) renderMessages();
});

client.on('presence', ({ room, user, state }) => {
  const view = views.get(room);
  if (!view) return;
  if (state === 'online') view.online.add(user);
  else view.online.delete(user);
  if (room === current) renderPeople();
});

client.on('typing', ({ room, user }) => {
  if (room !== current) return;
  typingLine.textContent = `${names.of(user)} is typing…`;
  clearTimeout(typingTimers.get(room));
  typingTimers.set(
    room,
    setTimeout(() => (typingLine.textContent = ''), 3000),
  );
});

// The user's own stream: rooms added and removed, reading elsewhere, mentions anywhere.
client.on('room_added', () => void myRooms.refresh().catch(() => {}));

client.on('room_removed', ({ room, reason, by }) => {
  myRooms.remove(room);
  if (room !== current) return syncJoins();
  carriedNotice = goneFrom(room, reason, by && by !== me ? names.of(by) : undefined);
  const next = myRooms.all().find((r) => r.name === DEFAULT_ROOM) ?? myRooms.all().find((r) => r.kind !== 'dm');
  views.delete(room);
  client.leave(room);
  go(next?.name ?? DEFAULT_ROOM);
});

client.on('read', ({ room, seq }) => myRooms.read(room, seq, remainingAfter(views.get(room), seq)));

client.on('mention', (mention) => {
  myRooms.mention(mention.room, mention.seq, views.get(mention.room)?.joined ?? false);
  if (inPlainSight(mention.room)) return;
  void (async () => {
    let body = views.get(mention.room)?.messages.get(mention.id)?.body;
    body ??= (await api.history(mention.room, { before: mention.seq + 1, limit: 1 }).catch(() => []))[0]?.body ?? '';
    alertOnce(mention, `${names.of(mention.user)} mentioned you in ${labelOf(mention.room)}`, body);
  })();
});

client.on('room_updated', ({ room, title: newTitle, topic, archived }) => {
  const change = { title: newTitle, topic };
  if (myRooms.get(room)) myRooms.patch(room, change);
  const shown = previews.get(room);
  if (shown) Object.assign(shown, change, archived ? { archived: true } : {});
  if (room === current) renderHeader();
});

client.on('left', ({ room, reason }) => {
  if (reason !== 'removed') return;
  views.delete(room);
  if (room === current && myRooms.get(room)) {
    // The room_removed frame says why and moves on; this only covers a page that did not hear it.
    carriedNotice = removedFrom(room);
    go(DEFAULT_ROOM);
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
    views.delete(refused);
    void myRooms.refresh().catch(() => {});
    if (refused !== current) return;
    renderPeople();
  }
  say(error, { action: actionOf(error.ref), room: refused ?? current });
});

// ---- the connection: a banner while it is down; the composer keeps working (the outbox holds what is typed)

let connected = false;
let wasOpen = false;
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
    // Revoked (logout elsewhere, an admin disabled the account), or expired with no session left: log in again.
    location.assign(`/login?next=${encodeURIComponent(`/${location.hash}`)}`);
    return;
  }
  // Back after a cut: what happened to rooms not joined meanwhile is in the list.
  if (connected && wasOpen) myRooms.refreshSoon();
  if (connected) wasOpen = true;
  if (status.state !== 'connecting') showConnection();
});

// ---- forms and buttons

const panels: PanelContext = { api, me, names, rooms: myRooms, go, say, tell, labelOf };

$<HTMLFormElement>('#new-room').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim().toLowerCase();
  const isPrivate = (form.elements.namedItem('private') as HTMLInputElement).checked;
  try {
    await api.createRoom({ name, private: isPrivate });
    await myRooms.refresh().catch(() => {});
    form.reset();
    go(name);
  } catch (error) {
    say(error, { action: 'create', room: name });
  }
});

inviteForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const field = inviteForm.elements.namedItem('user') as HTMLInputElement;
  const user = field.value.trim().replace(/^@/, '').toLowerCase();
  try {
    await api.invite(current, user);
    tell(`Invited ${names.of(user)} to #${current}.`);
    field.value = '';
    void loadMembers(current);
  } catch (error) {
    say(error, { action: 'invite', room: current, user });
  }
});

$('#search').addEventListener('submit', (event) => {
  event.preventDefault();
  const q = $<HTMLInputElement>('#search-q').value.trim();
  if (q) void search(panels, q);
});
$('#browse-rooms').addEventListener('click', () => void browseRooms(panels));
$('#new-dm-button').addEventListener('click', () => newMessage(panels));
$('#profile-button').addEventListener('click', () => profile(panels, showMyName));
settingsButton.addEventListener('click', () => roomDetails(panels, infoOf(current)));

joinButton.addEventListener('click', async () => {
  const name = current;
  try {
    await api.joinRoom(name);
    await myRooms.refresh();
    tell(`You joined #${name}.`);
  } catch (error) {
    say(error, { action: 'join', room: name });
  }
});

muteButton.addEventListener('click', async () => {
  const room = myRooms.get(current);
  if (!room) return;
  try {
    const { muted } = await api.setMuted(room.name, !room.muted);
    myRooms.patch(room.name, { muted });
    renderHeader();
    tell(muted ? `Muted ${labelOf(room.name)}: no unread badge, and only direct mentions notify.` : `Unmuted ${labelOf(room.name)}.`);
  } catch (error) {
    say(error, { action: 'mute', room: room.name });
  }
});

/** Your display name above "Signed in as username", when you have one. */
function showMyName(display: string | undefined): void {
  const shown = $('#my-name');
  shown.hidden = !display;
  shown.textContent = display ?? '';
}

document.addEventListener('visibilitychange', () => {
  readVisible();
  renderRooms();
});
window.addEventListener('focus', () => readVisible());

// ---- start

names.of(me); // your own display name, from the directory
await myRooms.refresh().catch((error: unknown) => say(error));
const start = parseHash();
await open(start.room, start.seq);
// What was typed before a reload or while the tab was closed goes out now, with its clientId.
for (const entry of outbox.all()) if (entry.state === 'sending') deliver(entry);
renderMessages();
