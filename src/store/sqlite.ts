// The embedded default: one SQLite file in the data dir, WAL, fsync on commit (an ack means stored).
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyStore } from './kysely-store.js';
import type { Database } from './schema.js';

export function openSqliteStore(dataDir: string): KyselyStore {
  const file = path.join(dataDir, 'parley.db');
  // Password hashes live here: create it owner-only like the signing key (SQLite gives -wal/-shm the file's mode).
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const isUniqueViolation = (error: unknown) => /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test((error as { code?: string })?.code ?? '');
  return new KyselyStore(db, isUniqueViolation, 'sqlite');
}
