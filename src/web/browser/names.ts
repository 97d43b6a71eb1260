// Display names: how people are shown (the username stays their id, on hover and beside the name in lists).
// Learnt from what the server already sends (a room's members, the directory, your own profile); a username not
// known yet is looked up in the directory (GET /users?q=), a few at a time, and the page re-renders when it lands.
import type { ParleyApi } from 'parley-chat-client';

interface Person {
  username: string;
  display_name?: string | undefined;
}

export class Names {
  /** username → display name ('' when they have none). */
  private readonly known = new Map<string, string>();
  private readonly wanted = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: ParleyApi,
    private readonly changed: () => void,
  ) {}

  learn(people: readonly Person[]): void {
    let changed = false;
    for (const person of people) {
      const name = person.display_name?.trim() ?? '';
      if (this.known.get(person.username) !== name) changed = true;
      this.known.set(person.username, name);
    }
    if (changed) this.changed();
  }

  /** The display name, or the username (and a look-up, so the next render has the name). */
  of(username: string): string {
    const name = this.known.get(username);
    if (name === undefined) this.want(username);
    return name || username;
  }

  /** The display name only when there is one (for "Name @username" lines). */
  displayOf(username: string): string | undefined {
    return this.known.get(username) || undefined;
  }

  private want(username: string): void {
    if (this.wanted.has(username)) return;
    this.wanted.add(username);
    this.timer ??= setTimeout(() => void this.lookUp(), 50);
  }

  private async lookUp(): Promise<void> {
    this.timer = undefined;
    const batch = [...this.wanted].filter((u) => !this.known.has(u)).slice(0, 10);
    const found: Person[] = [];
    for (const username of batch) {
      const people = await this.api.users(username, 10).catch(() => undefined);
      if (!people) continue; // asked again on the next render
      found.push(people.find((p) => p.username === username) ?? { username }); // gone or disabled: their username
    }
    for (const username of batch) this.wanted.delete(username);
    this.learn(found);
  }
}
