// The store: one small part per area, each a class over the same database. The code that uses a part declares
// the few methods it needs (auth/ports.ts, chat/ports.ts); these classes fit those ports by shape, so the store
// imports nothing above it. SQLite (default) and PostgreSQL build it; both pass test/store/contract.ts.
import { Migrator, sql } from 'kysely';
import { SqlAccounts } from './accounts.js';
import type { Db } from './db.js';
import type { SqlEntries } from './entries.js';
import { SqlRooms } from './rooms.js';
import { migrationProvider } from './schema.js';
import { SqlSearch } from './search.js';
import { SqlSettings } from './settings.js';
import { SqlTokens } from './tokens.js';

export interface StoreOptions {
  /** The longest any one store call may take before it fails. */
  timeoutMs: number;
  /** Trouble noticed outside any call (a pooled connection lost): logged, not thrown. */
  onError(error: unknown, message: string): void;
}

export interface Store {
  readonly accounts: SqlAccounts;
  readonly tokens: SqlTokens;
  readonly rooms: SqlRooms;
  readonly entries: SqlEntries;
  readonly search: SqlSearch;
  readonly settings: SqlSettings;
  readonly engine: Db['engine'];
  /** Brings the schema up to date; safe to call on every start. */
  migrate(): Promise<void>;
  /** Resolves when the database answers a read of the rooms (a lock held on them makes it wait, and time out). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function storeOver(db: Db, entries: SqlEntries): Store {
  return {
    accounts: new SqlAccounts(db),
    tokens: new SqlTokens(db),
    rooms: new SqlRooms(db),
    entries,
    search: new SqlSearch(db),
    settings: new SqlSettings(db),
    engine: db.engine,
    async migrate() {
      // On PostgreSQL the bookkeeping tables go in the schema Parley's own tables use (the search_path's first),
      // or Kysely would look for them across schemas and trip over another Parley's.
      const migrationTableSchema =
        db.engine === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely)).rows[0]?.schema : undefined;
      const { error } = await new Migrator({ db: db.kysely, provider: migrationProvider(db.engine), migrationTableSchema }).migrateToLatest();
      if (error) throw error;
    },
    async ping() {
      await db.kysely.selectFrom('rooms').select('name').limit(1).execute();
    },
    close: () => db.kysely.destroy(),
  };
}
