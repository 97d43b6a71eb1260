// The page's panels (modal dialogs): browsing public rooms to join, a new direct or group message from a people
// picker over the user directory, search results, a room's details (title, topic, leave, archive) and your
// profile (display name). Everything shown is text or built as nodes; a search snippet's marks become <mark>.
import { type DirectoryUser, type ParleyApi, type Room, type SearchHit, SearchMarks } from 'parley-chat-client';
import { Limits } from 'parley-chat-protocol/catalogue';
import { $, button, el, srOnly } from './dom.js';
import { avatar, timeElement } from './format.js';
import type { Names } from './names.js';
import { confirmDialog, openPanel, toast } from './overlays.js';
import type { MyRooms } from './rooms-source.js';
import { type Context, sentence } from './sentences.js';

export interface PanelContext {
  api: ParleyApi;
  me: string;
  names: Names;
  rooms: MyRooms;
  /** Opens `room` or `room/seq` through the URL. */
  go(where: string): void;
  say(error: unknown, context: Context): void;
  tell(text: string): void;
  /** How a room is named: `#general`, a title, or a DM's people. */
  labelOf(room: string): string;
}

const failure = (error: unknown, context: Context) => el('li', { className: 'panel-error', role: 'alert' }, sentence(error, context));

// ---- browse public rooms

export async function browseRooms(ctx: PanelContext): Promise<void> {
  const dialog = $<HTMLDialogElement>('#browse-dialog');
  const list = $<HTMLUListElement>('#browse-list');
  list.replaceChildren(el('li', { className: 'empty' }, 'Loading…'));
  openPanel(dialog);
  let rooms: Room[];
  try {
    rooms = await ctx.api.rooms('public');
  } catch (error) {
    list.replaceChildren(failure(error, {}));
    return;
  }
  const open = (name: string) => {
    dialog.close();
    ctx.go(name);
  };
  list.replaceChildren(
    ...(rooms.length === 0 ? [el('li', { className: 'empty' }, 'There are no public rooms yet.')] : []),
    ...rooms
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((room) => {
        const count = room.member_count ?? 0;
        const action = room.member
          ? button('Open', 'secondary small', () => open(room.name), { 'aria-label': `Open #${room.name}` })
          : button('Join', 'primary small', () => void join(room.name), { 'aria-label': `Join #${room.name}` });
        return el(
          'li',
          { className: 'browse-room', 'data-room': room.name },
          el(
            'div',
            { className: 'browse-main' },
            el(
              'p',
              { className: 'browse-name' },
              el('strong', {}, `#${room.name}`),
              room.title && el('span', { className: 'browse-title' }, ` ${room.title}`),
            ),
            room.topic && el('p', { className: 'browse-topic' }, room.topic),
            el('p', { className: 'browse-count' }, `${count} ${count === 1 ? 'member' : 'members'}`, room.member && ' · you are in it'),
          ),
          action,
        );
      }),
  );
  (list.querySelector('button') as HTMLElement | null)?.focus();

  async function join(name: string): Promise<void> {
    try {
      await ctx.api.joinRoom(name);
      await ctx.rooms.refresh().catch(() => {});
      ctx.tell(`You joined #${name}.`);
      open(name);
    } catch (error) {
      list.prepend(failure(error, { action: 'join', room: name }));
    }
  }
}

// ---- a new direct or group message

let chosen: string[] = [];
let asked = 0;

export function newMessage(ctx: PanelContext): void {
  const dialog = $<HTMLDialogElement>('#dm-dialog');
  const input = $<HTMLInputElement>('#dm-q');
  const form = $<HTMLFormElement>('#dm-form');
  if (!form.dataset.wired) {
    form.dataset.wired = 'yes';
    let timer: ReturnType<typeof setTimeout> | undefined;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => void findPeople(ctx, input.value.trim()), 150);
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void start(ctx, dialog);
    });
  }
  chosen = [];
  input.value = '';
  renderChosen(ctx);
  openPanel(dialog, input);
  void findPeople(ctx, '');
}

async function findPeople(ctx: PanelContext, q: string): Promise<void> {
  const results = $<HTMLUListElement>('#dm-results');
  const ask = ++asked;
  let people: DirectoryUser[];
  try {
    people = (await ctx.api.users(q.replace(/^@/, ''), 10)).filter((p) => p.username !== ctx.me);
  } catch (error) {
    results.replaceChildren(failure(error, {}));
    return;
  }
  if (ask !== asked) return;
  ctx.names.learn(people);
  const full = chosen.length >= Limits.dmMembersMax - 1;
  results.replaceChildren(
    ...(people.length === 0 ? [el('li', { className: 'empty' }, q ? `No one found for “${q}”.` : 'No one else is here yet.')] : []),
    ...people.map((person) => {
      const picked = chosen.includes(person.username);
      const option = el(
        'button',
        {
          type: 'button',
          className: 'person-option',
          'data-user': person.username,
          'aria-pressed': String(picked),
          disabled: full && !picked,
        },
        avatar(person.username, 'small'),
        el('span', { className: 'name' }, person.display_name ?? person.username),
        el('span', { className: 'handle' }, `@${person.username}`),
        picked && srOnly(', chosen'),
      );
      option.addEventListener('click', () => {
        chosen = picked ? chosen.filter((u) => u !== person.username) : [...chosen, person.username];
        renderChosen(ctx);
        void findPeople(ctx, $<HTMLInputElement>('#dm-q').value.trim());
      });
      return el('li', {}, option);
    }),
  );
}

function renderChosen(ctx: PanelContext): void {
  $<HTMLUListElement>('#dm-chosen').replaceChildren(
    ...chosen.map((user) =>
      el(
        'li',
        { className: 'chip', 'data-user': user },
        el('span', {}, ctx.names.of(user)),
        button(
          '×',
          'chip-remove',
          () => {
            chosen = chosen.filter((u) => u !== user);
            renderChosen(ctx);
            void findPeople(ctx, $<HTMLInputElement>('#dm-q').value.trim());
          },
          { 'aria-label': `Remove ${ctx.names.of(user)}` },
        ),
      ),
    ),
  );
  const startButton = $<HTMLButtonElement>('#dm-start');
  startButton.disabled = chosen.length === 0;
  startButton.textContent = chosen.length > 1 ? `Start a group of ${chosen.length + 1}` : 'Start';
}

async function start(ctx: PanelContext, dialog: HTMLDialogElement): Promise<void> {
  if (chosen.length === 0) return;
  try {
    const room = await ctx.api.openDm(chosen.length === 1 ? chosen[0]! : chosen);
    await ctx.rooms.refresh().catch(() => {});
    dialog.close();
    ctx.go(room.name);
  } catch (error) {
    $<HTMLUListElement>('#dm-results').prepend(failure(error, { action: 'dm', ...(chosen.length === 1 ? { user: chosen[0]! } : {}) }));
  }
}

// ---- search

/** A snippet with its matches between SearchMarks, as text and <mark> nodes (never parsed as HTML). */
export function snippetNodes(snippet: string): Node[] {
  const nodes: Node[] = [];
  for (const [index, part] of snippet.split(SearchMarks.open).entries()) {
    if (index === 0) {
      nodes.push(document.createTextNode(part));
      continue;
    }
    const close = part.indexOf(SearchMarks.close);
    const marked = close < 0 ? part : part.slice(0, close);
    nodes.push(el('mark', {}, marked));
    if (close >= 0) nodes.push(document.createTextNode(part.slice(close + 1).replaceAll(SearchMarks.close, '')));
  }
  return nodes;
}

export async function search(ctx: PanelContext, q: string): Promise<void> {
  const dialog = $<HTMLDialogElement>('#search-dialog');
  const summary = $('#search-summary');
  const list = $<HTMLUListElement>('#search-results');
  summary.textContent = `Searching for “${q}”…`;
  list.replaceChildren();
  openPanel(dialog, summary);
  let hits: SearchHit[];
  try {
    hits = await ctx.api.search(q, { limit: 30 });
  } catch (error) {
    summary.textContent = sentence(error, { action: 'search' });
    return;
  }
  summary.textContent =
    hits.length === 0
      ? `Nothing found for “${q}”.`
      : `${hits.length === 30 ? 'The best 30' : hits.length} ${hits.length === 1 ? 'message' : 'messages'} found for “${q}”.`;
  list.replaceChildren(
    ...hits.map((hit) => {
      const link = el(
        'a',
        { className: 'hit', href: `#${hit.room}/${hit.seq}`, 'data-room': hit.room, 'data-seq': String(hit.seq) },
        el(
          'span',
          { className: 'hit-head' },
          el('span', { className: 'hit-room' }, ctx.labelOf(hit.room)),
          el('span', { className: 'hit-user' }, ctx.names.of(hit.user)),
          timeElement(hit.ts),
        ),
        el('span', { className: 'hit-snippet' }, ...snippetNodes(hit.snippet)),
      );
      link.addEventListener('click', () => dialog.close());
      return el('li', {}, link);
    }),
  );
  list.querySelector<HTMLElement>('a')?.focus();
}

// ---- a room's details

let shownRoom: Room | undefined;

export function roomDetails(ctx: PanelContext, room: Room): void {
  shownRoom = room;
  const dialog = $<HTMLDialogElement>('#room-dialog');
  const form = $<HTMLFormElement>('#room-form');
  const titleField = $<HTMLInputElement>('#room-title-field');
  const topicField = $<HTMLTextAreaElement>('#room-topic-field');
  const owner = room.role === 'owner';
  const moderator = owner || room.role === 'moderator';
  if (!form.dataset.wired) {
    form.dataset.wired = 'yes';
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void save(ctx, dialog);
    });
    $('#leave-room').addEventListener('click', () => void leave(ctx, dialog));
    $('#archive-room').addEventListener('click', () => void archive(ctx, dialog));
  }
  $('#room-dialog-title').textContent = `#${room.name}`;
  titleField.value = room.title ?? '';
  topicField.value = room.topic ?? '';
  titleField.readOnly = !owner;
  topicField.readOnly = !moderator;
  // Only what the person may change is a field; the rest is said in the text below.
  form.hidden = room.kind === 'dm' || !moderator;
  titleField.hidden = !owner;
  form.querySelector<HTMLElement>('label[for="room-title-field"]')!.hidden = !owner;
  const kind = room.kind === 'private' ? 'A private room: members only' : 'A public room: anyone here can read it and join';
  const role =
    room.role === 'owner'
      ? 'You own it.'
      : room.role === 'moderator'
        ? 'You are a moderator.'
        : room.member
          ? 'You are a member.'
          : 'You are not a member.';
  const said = [
    !owner && room.title ? `Title: ${room.title}.` : '',
    !moderator && room.topic ? `Topic: ${room.topic}` : '',
    room.kind === 'dm' ? 'A direct message: its people are fixed.' : `${kind}. ${role}`,
  ];
  $('#room-facts').replaceChildren(...said.filter(Boolean).map((line) => el('span', { className: 'fact' }, line)));
  $('#leave-room').hidden = !room.member || owner || room.kind === 'dm';
  $('#archive-room').hidden = !owner || room.kind === 'dm';
  openPanel(dialog, owner ? titleField : moderator ? topicField : undefined);
}

async function save(ctx: PanelContext, dialog: HTMLDialogElement): Promise<void> {
  const room = shownRoom;
  if (!room) return;
  const title = $<HTMLInputElement>('#room-title-field').value.trim();
  const topic = $<HTMLTextAreaElement>('#room-topic-field').value.trim();
  const change = {
    ...(room.role === 'owner' && title !== (room.title ?? '') ? { title: title || null } : {}),
    ...(topic !== (room.topic ?? '') ? { topic: topic || null } : {}),
  };
  dialog.close();
  if (Object.keys(change).length === 0) return;
  try {
    const updated = await ctx.api.updateRoom(room.name, change);
    ctx.rooms.patch(room.name, { title: updated.title, topic: updated.topic });
    ctx.tell(`Saved #${room.name}.`);
  } catch (error) {
    ctx.say(error, { action: 'update', room: room.name });
  }
}

async function leave(ctx: PanelContext, dialog: HTMLDialogElement): Promise<void> {
  const room = shownRoom;
  if (!room) return;
  dialog.close();
  if (room.kind === 'private') {
    const sure = await confirmDialog({
      title: `Leave #${room.name}?`,
      text: `#${room.name} is private: to come back, someone will have to invite you again.`,
      confirm: 'Leave',
    });
    if (!sure) return;
  }
  try {
    await ctx.api.leaveRoom(room.name);
  } catch (error) {
    return ctx.say(error, { action: 'leave', room: room.name });
  }
  if (room.kind !== 'public') return ctx.tell(`You left #${room.name}.`);
  // A public room can be joined again: that is the undo.
  if ((await toast(`You left #${room.name}.`, { undo: true })) !== 'undone') return;
  try {
    await ctx.api.joinRoom(room.name);
    await ctx.rooms.refresh().catch(() => {});
    ctx.go(room.name);
  } catch (error) {
    ctx.say(error, { action: 'join', room: room.name });
  }
}

async function archive(ctx: PanelContext, dialog: HTMLDialogElement): Promise<void> {
  const room = shownRoom;
  if (!room) return;
  dialog.close();
  const sure = await confirmDialog({
    title: `Archive #${room.name}?`,
    text: 'It leaves everyone’s room list and becomes read-only; its history can still be found with search. You can undo this for a few seconds.',
    confirm: 'Archive',
  });
  if (!sure) return;
  try {
    await ctx.api.updateRoom(room.name, { archived: true });
  } catch (error) {
    return ctx.say(error, { action: 'archive', room: room.name });
  }
  if ((await toast(`Archived #${room.name}.`, { undo: true, ms: 8000 })) !== 'undone') return;
  try {
    await ctx.api.updateRoom(room.name, { archived: false });
    await ctx.rooms.refresh().catch(() => {});
    ctx.go(room.name);
  } catch (error) {
    ctx.say(error, { action: 'archive', room: room.name });
  }
}

// ---- your profile

export function profile(ctx: PanelContext, changed: (display: string | undefined) => void): void {
  const dialog = $<HTMLDialogElement>('#profile-dialog');
  const form = $<HTMLFormElement>('#profile-form');
  const field = $<HTMLInputElement>('#display-name');
  if (!form.dataset.wired) {
    form.dataset.wired = 'yes';
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const display = field.value.trim();
      dialog.close();
      try {
        const me = await ctx.api.updateMe({ display_name: display || null });
        ctx.names.learn([me]);
        changed(me.display_name);
        ctx.tell(me.display_name ? `You are shown as ${me.display_name}.` : 'You are shown by your username.');
      } catch (error) {
        ctx.say(error, { action: 'profile' });
      }
    });
  }
  field.value = ctx.names.displayOf(ctx.me) ?? '';
  openPanel(dialog, field);
}
