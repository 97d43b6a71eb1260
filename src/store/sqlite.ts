// The embedded default: one SQLite file in the data dir, WAL, fsync on commit (an ack means stored).
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyStore } from './kysely-store.js';
import type { Database } from './schema.js';

export function openSqliteStore(dataDir: string): KyselyStore {
  const database = new SQLite(path.join(dataDir, 'parley.db'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return new KyselyStore(db, (error) => (error as { code?: string })?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || (error as { code?: string })?.code === 'SQLITE_CONSTRAINT_UNIQUE');
}
