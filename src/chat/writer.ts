// Group commit: every entry that arrives while a write is in flight (or in the same tick) goes into the next
// transaction. One fsync serves the whole batch; each writer is answered only after it is stored, with its own
// outcome (one bad row never fails the others).
import { ParleyError } from 'parley-chat-protocol';
import { withDeadline } from '../deadline.js';
import type { AppendResult, NewEntry, StoredEntry } from '../domain/entries.js';
import type { EntryStore } from './ports.js';

interface Pending {
  input: NewEntry;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 500;

export class EntryWriter {
  private queue: Pending[] = [];
  private busy = false;

  constructor(
    private readonly entries: Pick<EntryStore, 'append'>,
    /** Called in seq order for each entry stored or found again (a duplicate), before its writer is answered. */
    private readonly onStored: (entry: StoredEntry) => void,
    private readonly settings: {
      /** A batch not stored within this is refused (retryably): its writers retry with the same clientId. */
      timeoutMs: number;
      onError(error: unknown): void;
    },
  ) {}

  write(input: NewEntry): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Resolves once everything queued so far is answered. */
  async idle(): Promise<void> {
    while (this.busy) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      let results: AppendResult[];
      try {
        const append = this.entries.append(batch.map((p) => p.input));
        results = await withDeadline(
          append,
          this.settings.timeoutMs,
          () => new Error(`the store did not answer within ${this.settings.timeoutMs} ms`),
        );
      } catch (error) {
        // The database is away, stalled or failing: whatever it was, trying again later (same clientId) is safe.
        this.settings.onError(error);
        const refusal = new ParleyError(
          'unavailable',
          'the message could not be stored just now; it is safe to send it again with the same clientId',
        );
        for (const p of batch) p.reject(refusal);
        continue;
      }
      results.forEach((result, i) => {
        // A duplicate is published again: the node that stored it may have died before publishing it.
        if (result.status === 'stored' || result.status === 'duplicate') this.onStored(result.entry);
        batch[i]!.resolve(result);
      });
    }
    this.busy = false;
  }
}
