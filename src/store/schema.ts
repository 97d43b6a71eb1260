// Table shapes for Kysely, and the migrations that create them (portable across SQLite and PostgreSQL).
import { DEFAULT_ROOM } from 'parley-chat-protocol/catalogue';
import { type Generated, type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

export interface Database {
  users: {
    username: string;
    /** Null for an external identity. */
    password_hash: string | null;
    /** The OpenID issuer that vouches for an external identity; null for a local account. */
    issuer: string | null;
    scopes: string;
    disabled: number;
    created_at: number;
    /** Tokens issued before this (ms) are refused: see User.revokedBefore. */
    revoked_before: number | null;
  };
  rooms: {
    name: string;
    last_seq: number;
    created_at: number;
    kind: string;
    owner: string | null;
  };
  room_members: {
    room: string;
    username: string;
    role: string;
    added_at: number;
  };
  refresh_tokens: {
    /** SHA-256 of the opaque token: a database leak does not leak usable tokens. */
    token_hash: string;
    family: string;
    username: string;
    scopes: string;
    expires_at: number;
    used_at: number | null;
    created_at: number;
  };
  /** Append-only feed of revocations; every node tails it to drop live sockets. */
  revocations: {
    id: Generated<number>;
    kind: 'token' | 'family' | 'user' | 'standing';
    value: string;
    /** After this the revoked thing would be dead anyway, and the row may go. */
    expires_at: number;
    created_at: number;
  };
  ws_tickets: {
    ticket_hash: string;
    principal: string;
    expires_at: number;
    used: number;
  };
  messages: {
    id: string;
    room: string;
    seq: number;
    username: string;
    body: string;
    client_id: string | null;
    ts: number;
    /** message | edit | delete: edits and deletions are stream entries with their own seq. */
    kind: string;
    /** For an edit or delete: the message it changes. */
    target_id: string | null;
    edited_at: number | null;
    deleted: number;
  };
}

export type Engine = 'sqlite' | 'postgres';

const migrations = (engine: Engine): Record<string, Migration> => ({
  '0001_core': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('username', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('rooms')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('messages')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('room', 'varchar(64)', (c) => c.notNull().references('rooms.name'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('username', 'varchar(64)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('client_id', 'varchar(64)')
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('messages_room_seq', ['room', 'seq'])
        .addUniqueConstraint('messages_room_user_client', ['room', 'username', 'client_id'])
        .execute();
      await sql`insert into rooms (name, last_seq, created_at) values (${DEFAULT_ROOM}, 0, ${Date.now()})`.execute(db);
    },
  },
  '0002_token_life': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('refresh_tokens')
        .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('family', 'varchar(36)', (c) => c.notNull())
        .addColumn('username', 'varchar(64)', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').column('family').execute();
      await db.schema
        .createTable('revocations')
        // Ids must only grow (watchers tail the feed by id), so SQLite needs AUTOINCREMENT.
        .$call((t) => (engine === 'sqlite' ? t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()) : t.addColumn('id', 'bigserial', (c) => c.primaryKey())))
        .addColumn('kind', 'varchar(8)', (c) => c.notNull())
        .addColumn('value', 'varchar(64)', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('revocations_value').on('revocations').columns(['value', 'kind']).execute();
      await db.schema
        .createTable('ws_tickets')
        .addColumn('ticket_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0003_rooms_and_edits': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('rooms').addColumn('kind', 'varchar(8)', (c) => c.notNull().defaultTo('public')).execute();
      await db.schema.alterTable('rooms').addColumn('owner', 'varchar(64)').execute();
      await db.schema
        .createTable('room_members')
        .addColumn('room', 'varchar(64)', (c) => c.notNull().references('rooms.name'))
        .addColumn('username', 'varchar(64)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('room_members_pk', ['room', 'username'])
        .execute();
      await db.schema.createIndex('room_members_user').on('room_members').column('username').execute();
      await db.schema.alterTable('messages').addColumn('kind', 'varchar(8)', (c) => c.notNull().defaultTo('message')).execute();
      await db.schema.alterTable('messages').addColumn('target_id', 'varchar(36)').execute();
      await db.schema.alterTable('messages').addColumn('edited_at', 'bigint').execute();
      await db.schema.alterTable('messages').addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  },
  '0004_external_identities': {
    // An external identity was a password hash of "!external"; now it is a column, and it has no hash at all.
    async up(db: Kysely<any>) {
      if (engine === 'postgres') {
        await sql`alter table users alter column password_hash drop not null`.execute(db);
        await db.schema.alterTable('users').addColumn('issuer', 'varchar(255)').execute();
      } else {
        // SQLite cannot drop a NOT NULL in place: the table is rebuilt.
        await db.schema
          .createTable('users_new')
          .addColumn('username', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('password_hash', 'text')
          .addColumn('issuer', 'varchar(255)')
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await sql`insert into users_new (username, password_hash, scopes, disabled, created_at)
                  select username, password_hash, scopes, disabled, created_at from users`.execute(db);
        await db.schema.dropTable('users').execute();
        await db.schema.alterTable('users_new').renameTo('users').execute();
      }
      await sql`update users set password_hash = null, issuer = 'oidc' where password_hash = '!external'`.execute(db);
      // The edits of a deleted message kept the text they set; erase it (deletion now erases every copy).
      await sql`update messages set body = '' where kind = 'edit' and target_id in (select id from messages where kind = 'message' and deleted = 1)`.execute(db);
      await db.schema.createIndex('messages_target').on('messages').columns(['room', 'target_id']).execute();
    },
  },
  '0005_revoked_before': {
    // Disabling a user, or changing a password, kills every token issued before it for good (enable does not
    // bring them back).
    async up(db: Kysely<any>) {
      await db.schema.alterTable('users').addColumn('revoked_before', 'bigint').execute();
    },
  },
});

export const migrationProvider = (engine: Engine): MigrationProvider => ({
  getMigrations: async () => migrations(engine),
});
