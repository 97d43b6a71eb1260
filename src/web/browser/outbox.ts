// Messages on their way out, kept in localStorage until the server has stored them: they survive a reload or a
// closed tab and are sent again with the same clientId, which the server stores once however often it arrives.
// Failed ones stay (with the reason) until the person retries or discards them.

export interface Outgoing {
  clientId: string;
  room: string;
  body: string;
  createdAt: number;
  state: 'sending' | 'failed';
  /** Why it failed, as a sentence. */
  error?: string;
}

export class Outbox {
  private entries: Outgoing[];

  constructor(private readonly key: string) {
    this.entries = this.load();
  }

  all(): readonly Outgoing[] {
    return this.entries;
  }

  inRoom(room: string): Outgoing[] {
    return this.entries.filter((entry) => entry.room === room);
  }

  get(clientId: string): Outgoing | undefined {
    return this.entries.find((entry) => entry.clientId === clientId);
  }

  add(entry: Outgoing): void {
    this.entries.push(entry);
    this.save();
  }

  update(clientId: string, change: Partial<Outgoing>): void {
    const entry = this.get(clientId);
    if (!entry) return;
    Object.assign(entry, change);
    if (change.state === 'sending') delete entry.error;
    this.save();
  }

  remove(clientId: string): void {
    this.entries = this.entries.filter((entry) => entry.clientId !== clientId);
    this.save();
  }

  private load(): Outgoing[] {
    try {
      const stored = JSON.parse(localStorage.getItem(this.key) ?? '[]') as unknown;
      return Array.isArray(stored) ? stored.filter(isOutgoing) : [];
    } catch {
      return [];
    }
  }

  private save(): void {
    try {
      if (this.entries.length === 0) localStorage.removeItem(this.key);
      else localStorage.setItem(this.key, JSON.stringify(this.entries));
    } catch {
      // Storage full or refused (private mode): the outbox still works for this tab's life.
    }
  }
}

function isOutgoing(value: unknown): value is Outgoing {
  const entry = value as Partial<Outgoing>;
  return (
    typeof entry?.clientId === 'string' && typeof entry.room === 'string' && typeof entry.body === 'string' && typeof entry.createdAt === 'number'
  );
}
