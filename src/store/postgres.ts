// PostgreSQL: the same Kysely store over a connection pool. `PARLEY_DATABASE_URL` selects it; a
// `?options=-c search_path=…` in the URL puts Parley's tables in a schema of their own.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { KyselyStore } from './kysely-store.js';
import type { Database } from './schema.js';

// int8 (bigint) columns hold ms timestamps and seqs, far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function openPostgresStore(url: string): KyselyStore {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';
  return new KyselyStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), isUniqueViolation, 'postgres');
}
