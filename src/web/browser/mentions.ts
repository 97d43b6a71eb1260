// @mention autocomplete in the composer, from the user directory (GET /users?q=): typing "@" and the start of a
// username or display name lists matching people under the textarea's aria-activedescendant (a listbox, so a
// screen reader follows the highlighted one). Arrows move, Enter or Tab pick, Escape closes; a click picks too.
// Picking writes "@username " (the server recognises usernames, never display names).
import type { DirectoryUser, ParleyApi } from 'parley-chat-client';
import { el } from './dom.js';
import { avatar } from './format.js';

const SHOWN = 8;

export class MentionPicker {
  private people: DirectoryUser[] = [];
  private active = 0;
  /** Where the "@" being completed starts in the text, while the list is open. */
  private start = -1;
  private asked = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly input: HTMLTextAreaElement,
    private readonly list: HTMLUListElement,
    private readonly api: ParleyApi,
    private readonly learn: (people: DirectoryUser[]) => void,
  ) {
    // Registered before the composer's own keydown (Enter sends): while the list is open, its keys are ours.
    input.addEventListener('keydown', (event) => this.key(event));
    input.addEventListener('input', () => this.changed());
    input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    input.addEventListener('click', () => this.changed());
  }

  get open(): boolean {
    return !this.list.hidden;
  }

  private changed(): void {
    const before = this.input.value.slice(0, this.input.selectionStart);
    const match = /(?:^|\s)@([\w.-]{0,32})$/.exec(before);
    if (!match) return this.close();
    this.start = before.length - match[1]!.length - 1;
    clearTimeout(this.timer);
    const prefix = match[1]!;
    this.timer = setTimeout(() => void this.fetch(prefix), 120);
  }

  private async fetch(prefix: string): Promise<void> {
    const ask = ++this.asked;
    const people = await this.api.users(prefix, SHOWN).catch(() => [] as DirectoryUser[]);
    if (ask !== this.asked || this.start < 0) return; // typed on meanwhile
    this.learn(people);
    this.people = people;
    this.active = 0;
    this.render();
  }

  private render(): void {
    if (this.people.length === 0) return this.close();
    this.list.replaceChildren(
      ...this.people.map((person, index) => {
        const option = el(
          'li',
          {
            id: `mention-option-${index}`,
            role: 'option',
            'aria-selected': String(index === this.active),
            className: 'suggestion',
            'data-user': person.username,
          },
          avatar(person.username, 'small'),
          el('span', { className: 'name' }, person.display_name ?? person.username),
          el('span', { className: 'handle' }, `@${person.username}`),
        );
        // mousedown, not click: the textarea keeps focus (a blur would close the list first).
        option.addEventListener('mousedown', (event) => {
          event.preventDefault();
          this.pick(index);
        });
        return option;
      }),
    );
    this.list.hidden = false;
    this.input.setAttribute('aria-activedescendant', `mention-option-${this.active}`);
  }

  private key(event: KeyboardEvent): void {
    if (!this.open || event.isComposing) return;
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves) {
      this.active = (this.active + moves[event.key]! + this.people.length) % this.people.length;
      this.render();
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      this.pick(this.active);
    } else if (event.key === 'Escape') {
      this.close();
    } else {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  private pick(index: number): void {
    const person = this.people[index];
    if (!person || this.start < 0) return this.close();
    const value = this.input.value;
    const end = this.input.selectionStart;
    const inserted = `@${person.username} `;
    this.input.value = value.slice(0, this.start) + inserted + value.slice(end);
    const caret = this.start + inserted.length;
    this.input.setSelectionRange(caret, caret);
    this.close();
    this.input.focus();
  }

  close(): void {
    clearTimeout(this.timer);
    this.asked++;
    this.start = -1;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.input.removeAttribute('aria-activedescendant');
  }
}
