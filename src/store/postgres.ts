// PostgreSQL: the same Kysely store over a connection pool. `PARLEY_DATABASE_URL` selects it; a
// `?options=-c search_path=…` in the URL puts Parley's tables in a schema of their own.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Db } from './db.js';
import { SqlEntries } from './entries.js';
import type { Database } from './schema.js';
import { type Store, storeOver } from './store.js';

// int8 (bigint) columns hold ms timestamps and seqs, far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function openPostgresStore(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db: Db = {
    kysely: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    engine: 'postgres',
    isUniqueViolation: (error) => (error as { code?: string })?.code === '23505',
  };
  return storeOver(db, new SqlEntries(db));
}
