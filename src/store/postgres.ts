// PostgreSQL: the same Kysely store over a connection pool. `PARLEY_DATABASE_URL` selects it; a
// `?options=-c search_path=…` in the URL puts Parley's tables in a schema of their own.
//
// A database that goes away (a restart, a failover, `pg_terminate_backend`) is an ordinary event: the pool
// reports the dead client and makes a new one on the next query, and every statement has a deadline — on the
// server (statement_timeout covers lock waits too) and on the socket (query_timeout), and waiting for a pooled
// connection is bounded as well. A call that runs out of time fails; the caller decides what that means.
import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { AppendResult, NewEntry } from '../domain/entries.js';
import type { Db, Row } from './db.js';
import { ENTRY_COLUMNS, SqlEntries, toStoredEntry } from './entries.js';
import type { Database } from './schema.js';
import { type Store, type StoreOptions, storeOver } from './store.js';

// int8 (bigint) columns hold ms timestamps and seqs, far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Deadlock, serialization failure, and a unique violation of a clientId stored meanwhile: nothing was done, run it again. */
const RETRYABLE = new Set(['40P01', '40001', '23505']);

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

type MessageInput = Extract<NewEntry, { kind: 'message' }>;

/**
 * The common batch — a room's new messages, no edits, deletions or mentions — is stored in ONE statement per room
 * (one round trip, committed on its own): it finds the clientIds the room already holds, takes the room's next
 * seqs (the update locks the room row, so writers to one room serialize and nothing waits in a cycle; an archived
 * room's row is not updated, so nothing is inserted) and inserts the rest. Batches with edits, deletions or
 * mentions (whose rows go with them) take the shared algorithm in a transaction (rooms locked in name order).
 * Deadlocks, serialization failures, and a clientId stored by another node between this statement's snapshot
 * and its lock (a unique violation) are retried: each attempt either did everything or nothing.
 */
class PostgresEntries extends SqlEntries {
  override async append(batch: readonly NewEntry[]): Promise<AppendResult[]> {
    const results: AppendResult[] = new Array(batch.length);
    const plain = new Map<string, number[]>();
    const mixed = new Set<string>();
    batch.forEach((input, i) => {
      if (input.kind !== 'message' || (input.mentions?.length ?? 0) > 0) mixed.add(input.room);
      const indices = plain.get(input.room);
      if (indices) indices.push(i);
      else plain.set(input.room, [i]);
    });
    const rest = batch.flatMap((input, i) => (mixed.has(input.room) ? [i] : []));
    if (rest.length > 0) {
      const stored = await retrying(() => super.append(rest.map((i) => batch[i]!)));
      for (const [k, i] of rest.entries()) results[i] = stored[k]!;
    }
    for (const [room, indices] of [...plain].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (mixed.has(room)) continue;
      const stored = await retrying(() =>
        this.appendMessages(
          room,
          indices.map((i) => batch[i] as MessageInput),
        ),
      );
      for (const [k, i] of indices.entries()) results[i] = stored[k]!;
    }
    return results;
  }

  private async appendMessages(room: string, inputs: MessageInput[]): Promise<AppendResult[]> {
    const now = Date.now();
    // One row per distinct (user, clientId): a clientId repeated within the batch is stored once.
    const first = new Map<string, number>();
    const rows: { id: string; user: string; body: string; clientId: string | null }[] = [];
    const rowOf = inputs.map((input) => {
      const key = input.clientId === undefined ? undefined : `${input.user}\n${input.clientId}`;
      const seen = key === undefined ? undefined : first.get(key);
      if (seen !== undefined) return seen;
      rows.push({ id: randomUUID(), user: input.user, body: input.body, clientId: input.clientId ?? null });
      if (key !== undefined) first.set(key, rows.length - 1);
      return rows.length - 1;
    });
    const { rows: answer } = await sql<{ status: 'stored' | 'duplicate'; ord: number } & Row<'messages'>>`
      with input as (
        select * from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.user)}::text[],
                             ${rows.map((r) => r.body)}::text[], ${rows.map((r) => r.clientId)}::text[])
          with ordinality as t(id, username, body, client_id, ord)
      ),
      existing as (
        -- One probe of the (room, username, client_id) key per input row: as a plain join, stale statistics led the
        -- planner to read the whole room and hash it, a cost that grew with every message the room ever had.
        select ${columns('m')}, i.ord from input i cross join lateral
          (select * from messages where room = ${room} and username = i.username and client_id = i.client_id limit 1) m
      ),
      fresh as (
        select i.*, row_number() over (order by i.ord) as rn from input i where not exists (select 1 from existing e where e.ord = i.ord)
      ),
      top as (
        update rooms set last_seq = last_seq + (select count(*) from fresh) where name = ${room} and archived = 0
        returning last_seq - (select count(*) from fresh) as base
      ),
      inserted as (
        insert into messages (id, room, seq, username, body, client_id, ts, kind, target_id, edited_at, deleted)
        select f.id, ${room}, top.base + f.rn, f.username, f.body, f.client_id, ${now}, 'message', null, null, 0 from fresh f cross join top
        returning ${columns('messages')}, (select ord from fresh where fresh.id = messages.id) as ord
      )
      select 'stored' as status, * from inserted union all select 'duplicate' as status, * from existing`.execute(this.db.kysely);
    const byOrd = new Map(answer.map((row) => [Number(row.ord), row]));
    const answered = new Set<number>();
    // Nothing stored for some: the room is gone, or archived (asked only then).
    const refused = rowOf.some((r) => !byOrd.has(r + 1)) ? await this.refusal(room) : 'gone';
    return rowOf.map((r) => {
      const row = byOrd.get(r + 1);
      if (!row) return { status: refused };
      // The second input of a clientId repeated within the batch is a duplicate of the first.
      const status = answered.has(r) ? 'duplicate' : row.status;
      answered.add(r);
      return { status, entry: toStoredEntry(row) };
    });
  }

  private async refusal(room: string): Promise<'gone' | 'archived'> {
    const row = await this.db.kysely.selectFrom('rooms').select('archived').where('name', '=', room).executeTakeFirst();
    return row && Number(row.archived) !== 0 ? 'archived' : 'gone';
  }
}

/** `t.id, t.room, …`: an entry's columns of the table or alias `t`. */
const columns = (table: string) => sql.join(ENTRY_COLUMNS.map((column) => sql.ref(`${table}.${column}`)));

async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= 3 || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
    }
  }
}
