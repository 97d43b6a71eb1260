// Group commit: every entry that arrives while a write is in flight (or in the same tick) goes into the
// next transaction. One fsync serves the whole batch; each writer is answered only after it is stored.
import type { AppendResult, Store } from '../store/store.js';
import type { NewEntry, RoomEntry } from './message.js';

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
    private readonly store: Store,
    /** Called in seq order for each newly stored entry, before its writer is answered. */
    private readonly onStored: (entry: RoomEntry) => void,
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

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      let results: AppendResult[];
      try {
        results = await this.store.appendEntries(batch.map((p) => p.input));
      } catch (error) {
        for (const p of batch) p.reject(error);
        continue;
      }
      results.forEach((result, i) => {
        if (result.status === 'stored') this.onStored(result.entry);
        batch[i]!.resolve(result);
      });
    }
    this.busy = false;
  }
}
