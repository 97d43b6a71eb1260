// The embedded default: one SQLite file in the data dir, WAL, fsync on commit (an ack means stored).
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, type SqliteDatabase as KyselySqliteDatabase, SqliteDialect } from 'kysely';
import type { AppendResult, NewEntry } from '../domain/entries.js';
import type { Db } from './db.js';
import { type AppendSteps, appendBatch, mentionColumn, SqlEntries } from './entries.js';
import type { Database } from './schema.js';
import { openSqliteFile, type SqliteDatabase, type SqliteStatement } from './sqlite-driver.js';
import { type Store, type StoreOptions, storeOver } from './store.js';

/** `dataDir`'s parley.db, or an in-memory database for `:memory:`. */
export function openSqliteStore(dataDir: string | ':memory:', options: Pick<StoreOptions, 'timeoutMs'> = { timeoutMs: 5000 }): Store {
  let file = dataDir;
  if (dataDir !== ':memory:') {
    file = path.join(dataDir, 'parley.db');
    // Password hashes live here: create it owner-only like the signing key (SQLite gives -wal/-shm the file's mode).
    fs.closeSync(fs.openSync(file, 'a', 0o600));
  }
  const database = openSqliteFile(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  // Another process (the CLI) holding the write lock makes a call wait this long at most.
  database.pragma(`busy_timeout = ${options.timeoutMs}`);
  database.pragma('foreign_keys = ON');
  // A deleted message's text must not linger in free space: freed and overwritten cells are zeroed.
  database.pragma('secure_delete = ON');
  const db: Db = {
    kysely: new Kysely<Database>({ dialect: new SqliteDialect({ database: preparingOnce(database) }) }),
    engine: 'sqlite',
    isUniqueViolation: (error) => /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test((error as { code?: string })?.code ?? ''),
  };
  return storeOver(db, new SqliteEntries(db, database, options.timeoutMs));
}

/**
 * The database as Kysely sees it, with each statement prepared once: Kysely prepares one for every call, and
 * preparing cost more than running most of Parley's (a sign-in's user lookup and token insert on the event loop,
 * during a login storm). Texts repeat, since values are bound; a bound keeps texts that vary (IN lists) from
 * growing the cache without end. Nothing here iterates a statement (Kysely's stream), which would make a shared
 * one busy.
 */
function preparingOnce(database: SqliteDatabase, max = 256): KyselySqliteDatabase {
  const prepared = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string) {
      let statement = prepared.get(sql);
      if (!statement) {
        if (prepared.size >= max) prepared.clear();
        statement = database.prepare(sql);
        prepared.set(sql, statement);
      }
      return statement;
    },
    close: () => database.close(),
  };
}

/**
 * Kysely for everything but the hot path: appending runs the shared algorithm over statements prepared once
 * (building and preparing each query every time cost about six times the SQLite work itself).
 */
class SqliteEntries extends SqlEntries {
  /** A deletion's checkpoint has not finished yet. */
  private erasing = false;
  private steps?: AppendSteps & { begin: SqliteStatement; commit: SqliteStatement; rollback: SqliteStatement };

  constructor(
    db: Db,
    private readonly database: SqliteDatabase,
    private readonly busyTimeoutMs: number,
  ) {
    super(db);
  }

  override async append(batch: readonly NewEntry[]): Promise<AppendResult[]> {
    // Holding Kysely's one connection keeps its own transactions from interleaving with this one.
    return this.db.kysely.connection().execute(async () => {
      const steps = (this.steps ??= this.prepare());
      steps.begin.run();
      try {
        const results = await appendBatch(batch, steps);
        steps.commit.run();
        if (this.erasing || batch.some((input) => input.kind === 'delete')) this.purgeWal();
        return results;
      } catch (error) {
        if (this.database.inTransaction) steps.rollback.run();
        throw error;
      }
    });
  }

  /**
   * The WAL still holds the page images from before the deletion (the text, and the edits that carried it).
   * A TRUNCATE checkpoint copies the current pages into the database file and empties the WAL. It costs a write
   * of every page in the WAL, which is fine because deletions are rare. One that cannot finish (another
   * connection — the CLI — is reading) is tried again after each append until it does.
   */
  private purgeWal(): void {
    // Never wait for a reader here: this runs on the event loop.
    this.database.pragma('busy_timeout = 0');
    try {
      const [result] = this.database.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      this.erasing = result?.busy !== 0;
    } finally {
      this.database.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  private prepare() {
    const db = this.database;
    const lock = db.prepare('select last_seq, archived from rooms where name = ?');
    const earlier = db.prepare('select * from messages where room = ? and username = ? and client_id = ?');
    const live = "room = ? and id = ? and kind = 'message' and deleted = 0";
    const edit = db.prepare(`update messages set body = ?, edited_at = ?, mentions = ? where ${live}`);
    const erase = db.prepare(`update messages set body = '', deleted = 1, mentions = null where ${live}`);
    const mention = db.prepare('insert into mentions (username, room, seq, message_id) values (@username, @room, @seq, @message_id)');
    const unmention = db.prepare('delete from mentions where room = ? and message_id = ?');
    const remention = db.prepare(
      "insert into mentions (username, room, seq, message_id) select ?, room, seq, id from messages where room = ? and id = ? and kind = 'message'",
    );
    const eraseEdits = db.prepare("update messages set body = '' where room = ? and target_id = ? and kind = 'edit'");
    const setTop = db.prepare('update rooms set last_seq = ? where name = ?');
    const insert = db.prepare(
      'insert into messages (id, room, seq, username, body, client_id, ts, kind, target_id, edited_at, deleted, mentions) ' +
        'values (@id, @room, @seq, @username, @body, @client_id, @ts, @kind, @target_id, @edited_at, @deleted, @mentions)',
    );
    return {
      // `begin immediate` takes the write lock for the whole database: every room is locked at once.
      begin: db.prepare('begin immediate'),
      commit: db.prepare('commit'),
      rollback: db.prepare('rollback'),
      lockRoom: (room) => {
        const row = lock.get(room) as { last_seq: number; archived: number } | undefined;
        return row && { top: row.last_seq, archived: row.archived !== 0 };
      },
      earlier: (room, keys) => keys.flatMap((k) => (earlier.get(room, k.user, k.clientId) as never) ?? []),
      change: (input, now) => {
        if (input.kind === 'edit') return edit.run(input.body, now, mentionColumn(input), input.room, input.targetId).changes > 0;
        if (erase.run(input.room, input.targetId).changes === 0) return false;
        eraseEdits.run(input.room, input.targetId);
        return true;
      },
      insert: (rows) => {
        for (const row of rows) insert.run(row);
      },
      mention: (rows) => {
        for (const row of rows) mention.run(row);
      },
      replaceMentions: (room, messageId, usernames) => {
        unmention.run(room, messageId);
        for (const username of usernames) remention.run(username, room, messageId);
      },
      setTop: (room, seq) => void setTop.run(seq, room),
    } satisfies AppendSteps & Record<string, unknown>;
  }
}
