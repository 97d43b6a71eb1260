// Store latency for tests, nothing mocked: the real SQLite store answers, but later, as a networked store would.
//
// Why: better-sqlite3 runs each query synchronously under Kysely, so in one process a join's subscribe + store
// reads, and a writer batch's commit + publish, each run as one unbroken microtask chain — they never interleave.
// The race that `join {since}` guards against (entries published while the replay reads the store, and entries
// both replayed and held back) then never happens, and a bug there cannot be seen. With real delays around the
// reads and between a commit and the writer hearing of it, the interleavings of a remote store come back.
import { SqliteStore } from '../../src/store/sqlite.js';

const READS = ['findRoom', 'roleIn', 'entriesAfter', 'messagesBefore'] as const;
const METHODS = [...READS, 'appendEntries'] as const;

export interface StoreLatency {
  /**
   * Largest delay in ms before and after each read, and between a commit and the writer hearing of it
   * (0: off; delays are uniform in [0, max], a 0 drawn meaning one setImmediate). Reads slower than commits
   * let entries committed after a replay's last read be published before that replay ends.
   */
  readMs: number;
  commitMs: number;
  /** Puts the store's own methods back. */
  restore(): void;
}

const pause = (ms: number) => new Promise<void>((resolve) => (ms <= 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));

/**
 * Patches the prototype of the store class the server opens (SqliteStore), for this process only (node --test
 * runs each file in its own process). Each method is wrapped as the class resolves it (its own override or the
 * inherited KyselyStore one), so the running server's store instance sees the patch whichever class defines it.
 */
export function injectStoreLatency(random: () => number): StoreLatency {
  type AnyMethod = (this: unknown, ...args: unknown[]) => Promise<unknown>;
  const proto = SqliteStore.prototype as unknown as Record<string, AnyMethod>;
  const own = new Map<string, AnyMethod | undefined>(METHODS.map((name) => [name, Object.hasOwn(proto, name) ? proto[name] : undefined]));
  const resolved = new Map<string, AnyMethod>(
    METHODS.map((name) => {
      const method = proto[name];
      if (typeof method !== 'function') throw new Error(`the store has no ${name}: update test/support/store-latency.ts`);
      return [name, method];
    }),
  );
  const latency: StoreLatency = {
    readMs: 0,
    commitMs: 0,
    restore() {
      for (const [name, original] of own) {
        if (original) proto[name] = original;
        else delete proto[name];
      }
    },
  };
  const hop = (max: number) => (max > 0 ? pause(Math.floor(random() * (max + 1))) : undefined);

  for (const name of READS) {
    const original = resolved.get(name)!;
    // The request travels, the query runs, the rows travel back: publishes may land on either side of it.
    proto[name] = async function (this: unknown, ...args: unknown[]) {
      await hop(latency.readMs);
      const result = await original.apply(this, args);
      await hop(latency.readMs);
      return result;
    };
  }
  const append = resolved.get('appendEntries')!;
  // Committed (readers see the rows) before the writer hears so and publishes.
  proto.appendEntries = async function (this: unknown, ...args: unknown[]) {
    const result = await append.apply(this, args);
    await hop(latency.commitMs);
    return result;
  };
  return latency;
}
