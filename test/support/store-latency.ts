// Store latency for tests, nothing mocked: the real SQLite store answers, but later, as a networked store would.
//
// Why: better-sqlite3 runs each query synchronously under Kysely, so in one process a join's subscribe + store
// reads, and a writer batch's commit + publish, each run as one unbroken microtask chain — they never interleave.
// The race that `join {since}` guards against (entries published while the replay reads the store, and entries
// both replayed and held back) then never happens, and a bug there cannot be seen. With real delays around the
// reads and between a commit and the writer hearing of it, the interleavings of a remote store come back.
// The wrapped store is handed to the server as a part (buildServer(config, {store})).
import type { Store } from '../../src/store/store.js';

export interface StoreLatency {
  /**
   * Largest delay in ms before and after each read, and between a commit and the writer hearing of it
   * (0: off; delays are uniform in [0, max], a 0 drawn meaning one setImmediate). Reads slower than commits
   * let entries committed after a replay's last read be published before that replay ends.
   */
  readMs: number;
  commitMs: number;
}

const pause = (ms: number) => new Promise<void>((resolve) => (ms <= 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));

type AnyMethod = (...args: never[]) => Promise<unknown>;

/** A view of `part` whose named methods run `around` the real ones; everything else is the part itself. */
function wrap<T extends object>(part: T, names: (keyof T)[], around: (call: () => Promise<unknown>) => Promise<unknown>): T {
  const view = Object.create(part) as T;
  for (const name of names) {
    const original = part[name] as unknown as AnyMethod;
    (view as Record<keyof T, unknown>)[name] = (...args: never[]) => around(() => original.apply(part, args));
  }
  return view;
}

export function withLatency(store: Store, random: () => number): { store: Store; latency: StoreLatency } {
  const latency: StoreLatency = { readMs: 0, commitMs: 0 };
  const hop = (max: number) => (max > 0 ? pause(Math.floor(random() * (max + 1))) : undefined);
  // The request travels, the query runs, the rows travel back: publishes may land on either side of it.
  const read = async (call: () => Promise<unknown>) => {
    await hop(latency.readMs);
    const result = await call();
    await hop(latency.readMs);
    return result;
  };
  // Committed (readers see the rows) before the writer hears so and publishes.
  const commit = async (call: () => Promise<unknown>) => {
    const result = await call();
    await hop(latency.commitMs);
    return result;
  };
  const slowed: Store = Object.create(store) as Store;
  Object.defineProperties(slowed, {
    rooms: { value: wrap(store.rooms, ['find', 'roleIn'], read) },
    entries: { value: wrap(wrap(store.entries, ['after', 'messagesBefore'], read), ['append'], commit) },
  });
  return { store: slowed, latency };
}
