// This run's slice of PostgreSQL: a role and a schema of its own, and the faults we inject into them.
// The nodes log in as the run's role with an application_name naming the run, so every fault (terminating
// backends, refusing logins) hits this run's nodes only — never another engineer's tests on the same server.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL } from '../support/services.js';

export interface StoredRow {
  room: string;
  seq: number;
  id: string;
  username: string;
  body: string;
  client_id: string | null;
  kind: string;
}

export class RunDatabase {
  private constructor(
    readonly role: string,
    readonly schema: string,
    readonly applicationName: string,
  ) {}

  static async create(): Promise<RunDatabase> {
    const id = randomBytes(5).toString('hex');
    const db = new RunDatabase(`parley_faults_${id}`, `parley_faults_${id}`, `parley-faults-${id}`);
    await db.admin(`create role ${db.role} login`);
    await db.admin(`create schema ${db.schema} authorization ${db.role}`);
    return db;
  }

  /** What the nodes (and the CLI) get as PARLEY_DATABASE_URL. */
  get url(): string {
    const url = new URL(POSTGRES_URL);
    url.username = this.role;
    url.password = '';
    url.searchParams.set('options', `-c search_path=${this.schema}`);
    url.searchParams.set('application_name', this.applicationName);
    return url.toString();
  }

  /** Runs SQL as the administrator, on a connection of its own. */
  async admin<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({
      connectionString: POSTGRES_URL,
      application_name: `${this.applicationName}-admin`,
      connectionTimeoutMillis: 5000,
    });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  /** pg_terminate_backend on every connection of this run's nodes; answers how many were ended. */
  async terminateNodeBackends(): Promise<number> {
    const rows = await this.admin<{ ended: boolean }>(
      `select pg_terminate_backend(pid) as ended from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and usename = $1 and application_name = $2`,
      [this.role, this.applicationName],
    );
    return rows.filter((row) => row.ended).length;
  }

  /** While false, the nodes' role may not log in: every new connection is refused (an unreachable database). */
  async allowLogins(allowed: boolean): Promise<void> {
    await this.admin(`alter role ${this.role} ${allowed ? 'login' : 'nologin'}`);
  }

  /**
   * A stalled database: another session holds ACCESS EXCLUSIVE locks on messages and rooms for `ms`, so every
   * read or write of them waits. Resolves once the locks are taken; `released` once they are let go.
   * A write in flight touches both tables, so waiting for the locks could deadlock with it; each attempt gives
   * up after 500 ms instead (below the 1 s deadlock_timeout, so PostgreSQL never has to pick a victim) and tries again:
   * the stall adds no deadlock errors of its own making.
   */
  async stall(ms: number): Promise<{ released: Promise<void> }> {
    const client = new pg.Client({ connectionString: POSTGRES_URL, application_name: `${this.applicationName}-stall` });
    await client.connect();
    await client.query("set lock_timeout = '500ms'");
    for (let attempt = 1; ; attempt++) {
      await client.query('begin');
      try {
        await client.query(`lock table ${this.schema}.messages, ${this.schema}.rooms in access exclusive mode`);
        break;
      } catch (error) {
        await client.query('rollback');
        if ((error as { code?: string }).code !== '55P03' || attempt === 60) {
          await client.end();
          throw error;
        }
      }
    }
    const released = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(async () => {
      await client.query('commit');
      await client.end();
    });
    return { released };
  }

  /** The stored stream of the given rooms, in seq order, and each room's last_seq. */
  async stream(rooms: string[]): Promise<{ rows: StoredRow[]; lastSeq: Map<string, number> }> {
    const rows = await this.admin<StoredRow>(
      `select room, seq::int as seq, id, username, body, client_id, kind from ${this.schema}.messages where room = any($1) order by room, seq`,
      [rooms],
    );
    return { rows, lastSeq: await this.lastSeqs(rooms) };
  }

  async lastSeqs(rooms: string[]): Promise<Map<string, number>> {
    const last = await this.admin<{ name: string; last_seq: number }>(
      `select name, last_seq::int as last_seq from ${this.schema}.rooms where name = any($1)`,
      [rooms],
    );
    return new Map(last.map((row) => [row.name, row.last_seq]));
  }

  async drop(): Promise<void> {
    await this.allowLogins(false).catch(() => {});
    await this.terminateNodeBackends().catch(() => {});
    await this.admin(`drop schema if exists ${this.schema} cascade`);
    await this.admin(`drop role if exists ${this.role}`);
  }
}
