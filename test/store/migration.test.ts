// Upgrading a database that was in use before public rooms needed a join (migrations 0006 and 0007), on both
// engines: every user keeps the public rooms they could see, as a member, with everything read; existing
// messages are searchable at once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.js';
import { type Database, type Engine, migrationProvider } from '../../src/store/schema.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers.js';
import { freshSchema, needs } from '../support/services.js';

const BEFORE = '0004_external_identities';

/** What a server running the schema up to 0004 would hold: two users, a public and a private room, messages. */
async function seedOldSchema(db: Kysely<Database>, engine: Engine, migrationTableSchema?: string): Promise<void> {
  const { error } = await new Migrator({
    db,
    provider: migrationProvider(engine),
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  }).migrateTo(BEFORE);
  if (error) throw error;
  const now = Date.now();
  for (const username of ['ann', 'bob']) {
    await sql`insert into users (username, password_hash, scopes, disabled, created_at) values (${username}, 'h', 'chat:read chat:write', 0, ${now})`.execute(
      db,
    );
  }
  await sql`insert into rooms (name, last_seq, created_at, kind, owner) values ('lounge', 2, ${now}, 'public', 'ann'), ('vault', 1, ${now}, 'private', 'ann')`.execute(
    db,
  );
  await sql`insert into room_members (room, username, role, added_at) values ('lounge', 'ann', 'owner', ${now}), ('vault', 'ann', 'owner', ${now})`.execute(
    db,
  );
  await sql`update rooms set last_seq = 1 where name = 'general'`.execute(db);
  const message = (id: string, room: string, seq: number, body: string) =>
    sql`insert into messages (id, room, seq, username, body, client_id, ts, kind, target_id, edited_at, deleted)
        values (${id}, ${room}, ${seq}, 'ann', ${body}, null, ${now}, 'message', null, null, 0)`.execute(db);
  await message('m1', 'general', 1, 'the old connection notes');
  await message('m2', 'lounge', 1, 'lounge chatter');
  await message('m3', 'lounge', 2, 'more connected chatter');
  await message('m4', 'vault', 1, 'a connection in the vault');
}

async function checkUpgraded(store: Store): Promise<void> {
  await store.migrate();
  const mine = async (user: string) => (await store.rooms.mine(user)).map((r) => [r.name, r.role, r.readSeq]);
  assert.deepEqual(
    await mine('bob'),
    [
      ['general', 'member', 1],
      ['lounge', 'member', 2],
    ],
    'the public rooms bob saw, all read',
  );
  assert.deepEqual(await mine('ann'), [
    ['general', 'member', 1],
    ['lounge', 'owner', 2],
    ['vault', 'owner', 1],
  ]);
  assert.equal((await store.rooms.unread('bob')).size, 0, 'no flood of unread badges');
  const found = await store.search.messages({ text: 'connect', username: 'bob', limit: 10 });
  assert.deepEqual(found.map((hit) => hit.id).sort(), ['m1', 'm3'], 'old messages are searchable; the private room is not his');
  // The stream goes on from where it was.
  const [next] = await store.entries.append([{ kind: 'message', room: 'lounge', user: 'bob', body: 'after the upgrade' }]);
  assert.equal(next!.status === 'stored' && next!.entry.seq, 3);
  assert.equal((await store.rooms.unread('ann')).get('lounge')?.messages, 1);
}

describe('upgrading a database in use', () => {
  describe('SQLite', () => {
    const { test } = needs();
    test('0006 and 0007 keep every list as it was, and index what is there', async () => {
      const dir = tempDir();
      try {
        const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(path.join(dir, 'parley.db')) }) });
        await seedOldSchema(db, 'sqlite');
        await db.destroy();
        const store = openSqliteStore(dir);
        try {
          await checkUpgraded(store);
        } finally {
          await store.close();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('PostgreSQL', () => {
    const services = needs('postgres');
    services.test('0006 and 0007 keep every list as it was, and index what is there', async () => {
      const schema = await freshSchema();
      try {
        const name = decodeURIComponent(schema.url).split('search_path=')[1]!;
        const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: schema.url, max: 1 }) }) });
        await seedOldSchema(db, 'postgres', name);
        await db.destroy();
        const store = openPostgresStore(schema.url, { timeoutMs: 5000, onError: () => {} });
        try {
          await checkUpgraded(store);
        } finally {
          await store.close();
        }
      } finally {
        await schema.drop();
      }
    });
  });
});
