// The message list. Rows are keyed (message id, outbox clientId, day) and only rebuilt when what they show
// changes, so a render never throws away a half-typed edit, moves focus or makes a screen reader re-read the
// list. Consecutive messages by one author within a few minutes are grouped under one name and avatar; each day
// starts with a separator. Outbox entries follow the stored messages with their state: sending, or failed with
// Retry and Discard.

import type { Message } from 'parley-chat-client';
import { Limits } from 'parley-chat-protocol/catalogue';
import { button, el } from './dom.js';
import { avatar, dayKey, dayLabel, timeElement } from './format.js';
import { renderMarkdown } from './markdown.js';
import type { Outgoing } from './outbox.js';

/** Messages by one author closer together than this share a header. */
const GROUP_MS = 5 * 60_000;

export interface ListState {
  room: string;
  /** In seq order. */
  messages: readonly Message[];
  pending: readonly Outgoing[];
  /** Ids whose deletion waits for its Undo toast to go away: not shown. */
  hidden: ReadonlySet<string>;
  /** The last message this tab sent: marked "Sent". */
  lastSent?: string;
  /** A deep link's message, highlighted. */
  target?: number;
  /** The read position when the room was opened: a "New messages" line goes above the first message after it. */
  dividerAfter?: number;
}

export interface ListHooks {
  me: string;
  /** How a user is shown (their display name, or the username). */
  nameOf(user: string): string;
  canDelete(message: Message): boolean;
  saveEdit(message: Message, body: string): void;
  remove(message: Message): void;
  retry(entry: Outgoing): void;
  discard(entry: Outgoing): void;
  /** Where focus goes when an edit ends. */
  composer(): HTMLElement;
}

interface Row {
  key: string;
  /** Everything the row shows: when it is unchanged the row is left alone. */
  sig: string;
  build(): HTMLLIElement;
}

interface Shown {
  user: string;
  ts: number;
  day: string;
}

export class MessageList {
  private readonly nodes = new Map<string, { node: HTMLLIElement; sig: string }>();
  private readonly editing = new Set<string>();
  private state: ListState | undefined;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly hooks: ListHooks,
  ) {}

  get room(): string | undefined {
    return this.state?.room;
  }

  isEditing(): boolean {
    return this.editing.size > 0;
  }

  render(state: ListState): void {
    if (state.room !== this.state?.room) {
      this.nodes.clear();
      this.editing.clear();
      this.list.replaceChildren();
    }
    this.state = state;
    const wanted: HTMLLIElement[] = [];
    const keep = new Set<string>();
    for (const row of this.rows(state)) {
      keep.add(row.key);
      const known = this.nodes.get(row.key);
      if (known && (known.sig === row.sig || this.editing.has(row.key))) {
        wanted.push(known.node);
        continue;
      }
      const node = row.build();
      known?.node.replaceWith(node);
      this.nodes.set(row.key, { node, sig: row.sig });
      wanted.push(node);
    }
    // Rows that went away go first; the rest are already in order, so the pass below only inserts new rows and
    // never detaches one that stays (detaching would blur an edit field).
    for (const [key, { node }] of this.nodes) {
      if (keep.has(key)) continue;
      node.remove();
      this.nodes.delete(key);
      this.editing.delete(key);
    }
    let cursor = this.list.firstElementChild;
    for (const node of wanted) {
      if (node === cursor) cursor = cursor.nextElementSibling;
      else this.list.insertBefore(node, cursor);
    }
    while (cursor) {
      const next = cursor.nextElementSibling;
      cursor.remove();
      cursor = next;
    }
  }

  /** The row of a message, if shown. */
  row(id: string): HTMLLIElement | undefined {
    return this.nodes.get(id)?.node;
  }

  private rows(state: ListState): Row[] {
    const rows: Row[] = [];
    let previous: Shown | undefined;
    const dayRow = (ts: number) => {
      const day = dayKey(ts);
      if (previous?.day === day) return;
      const label = dayLabel(ts);
      rows.push({ key: `day:${day}`, sig: label, build: () => el('li', { className: 'day' }, el('h3', {}, label)) });
      previous = undefined;
    };
    const grouped = (user: string, ts: number) => previous !== undefined && previous.user === user && ts - previous.ts < GROUP_MS;
    let divided = state.dividerAfter === undefined;
    for (const message of state.messages) {
      if (state.hidden.has(message.id)) continue;
      dayRow(message.ts);
      if (!divided && message.seq > state.dividerAfter! && message.user !== this.hooks.me) {
        divided = true;
        rows.push({
          key: 'new-divider',
          sig: String(state.dividerAfter),
          build: () => el('li', { className: 'new-divider', id: 'new-divider' }, el('span', {}, 'New messages')),
        });
        previous = undefined;
      }
      const cont = grouped(message.user, message.ts);
      const canEdit = message.user === this.hooks.me && !message.deleted;
      const canDelete = !message.deleted && this.hooks.canDelete(message);
      const sent = message.id === state.lastSent;
      const target = message.seq === state.target;
      rows.push({
        key: message.id,
        sig: JSON.stringify([
          message.body,
          message.editedAt,
          message.deleted,
          cont,
          canEdit,
          canDelete,
          sent,
          target,
          this.hooks.nameOf(message.user),
        ]),
        build: () => this.messageRow(state.room, message, { cont, canEdit, canDelete, sent, target }),
      });
      previous = { user: message.user, ts: message.ts, day: dayKey(message.ts) };
    }
    for (const entry of state.pending) {
      dayRow(entry.createdAt);
      const cont = grouped(this.hooks.me, entry.createdAt);
      rows.push({
        key: `out:${entry.clientId}`,
        sig: JSON.stringify([entry.state, entry.error, cont]),
        build: () => this.pendingRow(entry, cont),
      });
      previous = { user: this.hooks.me, ts: entry.createdAt, day: dayKey(entry.createdAt) };
    }
    return rows;
  }

  private frame(user: string, ts: number, cont: boolean, link?: string): { item: HTMLLIElement; main: HTMLDivElement } {
    const when = timeElement(ts, cont);
    const stamp = link ? el('a', { className: 'permalink', href: link }, when) : when;
    const item = el('li', { className: cont ? 'msg cont' : 'msg' });
    if (user === this.hooks.me) item.classList.add('mine');
    const head = el(
      'div',
      { className: cont ? 'msg-head sr-only' : 'msg-head' },
      el('span', { className: 'user', title: `@${user}` }, this.hooks.nameOf(user)),
    );
    if (!cont) head.append(stamp);
    const gutter = el('div', { className: 'gutter' }, cont ? stamp : avatar(user));
    const main = el('div', { className: 'msg-main' }, head);
    item.append(gutter, main);
    return { item, main };
  }

  private messageRow(
    room: string,
    message: Message,
    o: { cont: boolean; canEdit: boolean; canDelete: boolean; sent: boolean; target: boolean },
  ): HTMLLIElement {
    const { item, main } = this.frame(message.user, message.ts, o.cont, `#${room}/${message.seq}`);
    item.dataset.id = message.id;
    item.dataset.seq = String(message.seq);
    if (message.mentions?.includes(this.hooks.me) && !message.deleted) item.classList.add('mentions-me');
    if (o.target) {
      item.classList.add('target');
      item.tabIndex = -1;
    }
    const body = el('div', { className: message.deleted ? 'body deleted' : 'body' });
    if (message.deleted) body.textContent = 'This message was deleted.';
    else body.append(renderMarkdown(message.body, { names: message.mentions ?? [], me: this.hooks.me }));
    main.append(body);
    if (message.editedAt && !message.deleted)
      main.append(el('span', { className: 'edited', title: new Date(message.editedAt).toLocaleString() }, '(edited)'));
    if (o.sent) main.append(el('div', { className: 'state sent' }, 'Sent'));
    if (o.canEdit || o.canDelete) {
      const actions = el('div', { className: 'msg-actions' });
      if (o.canEdit)
        actions.append(button('Edit', 'action edit', () => this.startEdit(message.id), { 'aria-label': `Edit message from ${timeOf(message.ts)}` }));
      if (o.canDelete) {
        actions.append(
          button('Delete', 'action delete', () => this.hooks.remove(message), {
            'aria-label': `Delete message by ${message.user} from ${timeOf(message.ts)}`,
          }),
        );
      }
      item.append(actions);
    }
    return item;
  }

  private pendingRow(entry: Outgoing, cont: boolean): HTMLLIElement {
    const { item, main } = this.frame(this.hooks.me, entry.createdAt, cont);
    item.classList.add(entry.state);
    item.dataset.clientId = entry.clientId;
    item.dataset.state = entry.state;
    main.append(el('div', { className: 'body' }, renderMarkdown(entry.body)));
    if (entry.state === 'sending') {
      main.append(el('div', { className: 'state sending' }, 'Sending…'));
    } else {
      main.append(
        el(
          'div',
          { className: 'state failed' },
          el('span', {}, `Not sent. ${entry.error ?? ''}`.trim()),
          button('Retry', 'action retry', () => this.hooks.retry(entry)),
          button('Discard', 'action discard', () => this.hooks.discard(entry)),
        ),
      );
    }
    return item;
  }

  /** Inline edit: Enter saves, Shift+Enter is a new line, Escape cancels. Incoming messages leave it alone. */
  startEdit(id: string): void {
    const message = this.state?.messages.find((m) => m.id === id);
    const node = this.nodes.get(id)?.node;
    const body = node?.querySelector('.body');
    if (!message || !node || !body || this.editing.has(id)) return;
    this.editing.add(id);
    const field = el('textarea', { className: 'edit-field', 'aria-label': 'Edit your message', maxlength: String(Limits.bodyLength), rows: '1' });
    field.value = message.body;
    const finish = () => {
      if (!this.editing.delete(id)) return;
      const known = this.nodes.get(id);
      if (known) known.sig = ''; // rebuilt at once, with whatever changed meanwhile
      if (this.state) this.render(this.state);
      this.hooks.composer().focus();
    };
    const save = () => {
      const text = field.value.trim();
      if (text && text !== message.body) this.hooks.saveEdit(message, text);
      finish();
    };
    field.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        finish();
      } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        save();
      }
    });
    const editor = el(
      'div',
      { className: 'editor' },
      field,
      el(
        'div',
        { className: 'editor-bar' },
        el('span', { className: 'hint' }, 'Enter to save, Shift+Enter for a new line, Escape to cancel'),
        button('Cancel', 'secondary small', finish),
        button('Save', 'primary small', save),
      ),
    );
    body.replaceWith(editor);
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  }
}

const timeOf = (ts: number) => new Date(ts).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
