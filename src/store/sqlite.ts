// The embedded default: one SQLite file in the data dir, WAL, fsync on commit (an ack means stored).
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { NewEntry } from '../chat/message.js';
import { type AppendSteps, KyselyStore, appendEntries } from './kysely-store.js';
import type { Database } from './schema.js';
import type { AppendResult } from './store.js';

export function openSqliteStore(dataDir: string): SqliteStore {
  const file = path.join(dataDir, 'parley.db');
  // Password hashes live here: create it owner-only like the signing key (SQLite gives -wal/-shm the file's mode).
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new SqliteStore(database);
}

const isUniqueViolation = (error: unknown) => /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test((error as { code?: string })?.code ?? '');

/**
 * Kysely for everything but the hot path: appending runs the shared algorithm over statements prepared once
 * (building and preparing each query every time cost about six times the SQLite work itself).
 */
export class SqliteStore extends KyselyStore {
  private steps?: AppendSteps & { begin: SQLite.Statement; commit: SQLite.Statement; rollback: SQLite.Statement };

  constructor(private readonly database: SQLite.Database) {
    super(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), isUniqueViolation, 'sqlite');
  }

  override async appendEntries(batch: NewEntry[]): Promise<AppendResult[]> {
    // Holding Kysely's one connection keeps its own transactions from interleaving with this one.
    return this.db.connection().execute(async () => {
      const steps = (this.steps ??= this.prepare());
      steps.begin.run();
      try {
        const results = await appendEntries(batch, steps);
        steps.commit.run();
        return results;
      } catch (error) {
        if (this.database.inTransaction) steps.rollback.run();
        throw error;
      }
    });
  }

  private prepare() {
    const db = this.database;
    const earlier = db.prepare('select * from messages where room = ? and username = ? and client_id = ?');
    const edit = db.prepare("update messages set body = ?, edited_at = ? where room = ? and id = ? and kind = 'message' and deleted = 0");
    const erase = db.prepare("update messages set body = '', deleted = 1 where room = ? and id = ? and kind = 'message' and deleted = 0");
    const nextSeq = db.prepare('update rooms set last_seq = last_seq + 1 where name = ? returning last_seq').pluck();
    const insert = db.prepare(
      'insert into messages (id, room, seq, username, body, client_id, ts, kind, target_id, edited_at, deleted) ' +
        'values (@id, @room, @seq, @username, @body, @client_id, @ts, @kind, @target_id, @edited_at, @deleted)',
    );
    return {
      begin: db.prepare('begin immediate'),
      commit: db.prepare('commit'),
      rollback: db.prepare('rollback'),
      earlier: (input: Extract<NewEntry, { kind: 'message' }>) => earlier.get(input.room, input.user, input.clientId) as never,
      change: (input: Exclude<NewEntry, { kind: 'message' }>, now: number) =>
        (input.kind === 'edit' ? edit.run(input.body, now, input.room, input.targetId) : erase.run(input.room, input.targetId)).changes > 0,
      nextSeq: (room: string) => nextSeq.get(room) as number | undefined,
      insert: (row: object) => void insert.run(row),
    } satisfies AppendSteps & Record<string, unknown>;
  }
}
