// PostgreSQL: the same Kysely store over a connection pool. `PARLEY_DATABASE_URL` selects it; a
// `?options=-c search_path=…` in the URL puts Parley's tables in a schema of their own.
//
// A database that goes away (a restart, a failover, `pg_terminate_backend`) is an ordinary event: the pool
// reports the dead client and makes a new one on the next query, and every statement has a deadline — on the
// server (statement_timeout covers lock waits too) and on the socket (query_timeout), and waiting for a pooled
// connection is bounded as well. A call that runs out of time fails; the caller decides what that means.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Db } from './db.js';
import { SqlEntries } from './entries.js';
import type { Database } from './schema.js';
import { type Store, type StoreOptions, storeOver } from './store.js';

// int8 (bigint) columns hold ms timestamps and seqs, far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Deadlock and serialization failures: the transaction did nothing and can simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);

export function openPostgresStore(url: string, options: StoreOptions): Store {
  const { timeoutMs } = options;
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1000,
    idle_in_transaction_session_timeout: timeoutMs * 2,
  });
  // Without listeners a lost backend would be thrown and take the process down: the pool reports an idle
  // client's, and each client its own while it is checked out (between the statements of a transaction).
  pool.on('error', (error) => options.onError(error, 'an idle PostgreSQL connection failed; the pool replaces it'));
  pool.on('connect', (client) => client.on('error', (error) => options.onError(error, 'a PostgreSQL connection failed mid-use')));
  const db: Db = {
    kysely: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    engine: 'postgres',
    isUniqueViolation: (error) => (error as { code?: string })?.code === '23505',
  };
  return storeOver(db, new PostgresEntries(db));
}

class PostgresEntries extends SqlEntries {
  /** Rooms are locked in name order, so appends cannot deadlock each other; anything else that can is retried. */
  override async append(...args: Parameters<SqlEntries['append']>): ReturnType<SqlEntries['append']> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await super.append(...args);
      } catch (error) {
        if (attempt >= 3 || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
      }
    }
  }
}
