// Table shapes for Kysely, and the migrations that create them (portable across SQLite and PostgreSQL).

import { type Generated, type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { DEFAULT_ROOM } from 'parley-chat-protocol/catalogue';

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
    /** How the user is shown; null: by their username. */
    display_name: string | null;
    /** 1: seeded by --demo with the recipe's password; not counted when deciding who is the first account. */
    demo: number;
  };
  rooms: {
    name: string;
    last_seq: number;
    created_at: number;
    kind: string;
    owner: string | null;
    /** A display title: renaming a room sets this, the name stays the key everything refers to. */
    title: string | null;
    topic: string | null;
    /** 1: read-only, out of everyone's list. */
    archived: number;
  };
  room_members: {
    room: string;
    username: string;
    role: string;
    added_at: number;
    muted: number;
  };
  /** How far each user has read each room: only ever moves forward. */
  read_positions: {
    room: string;
    username: string;
    seq: number;
    updated_at: number;
  };
  /** Who each message mentions (the author excepted), by the message's seq: unread mentions are counted here. */
  mentions: {
    username: string;
    room: string;
    seq: number;
    message_id: string;
  };
  /** Run-time settings every node reads from here (an admin changes them without a restart). */
  settings: {
    key: string;
    value: string;
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
    /** The mentioned usernames, space-separated (a message's as it stands now; an edit's as it set them); null: none. */
    mentions: string | null;
  };
}

export type Engine = 'sqlite' | 'postgres';

/** A migration is written against the schema of its day, not today's tables, so it sees untyped ones (Kysely's advice). */
// biome-ignore lint/suspicious/noExplicitAny: see above.
type PastSchema = Kysely<any>;

const migrations = (engine: Engine): Record<string, Migration> => ({
  '0001_core': {
    async up(db: PastSchema) {
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
    async up(db: PastSchema) {
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
        .$call((t) =>
          engine === 'sqlite'
            ? t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
            : t.addColumn('id', 'bigserial', (c) => c.primaryKey()),
        )
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
    async up(db: PastSchema) {
      await db.schema
        .alterTable('rooms')
        .addColumn('kind', 'varchar(8)', (c) => c.notNull().defaultTo('public'))
        .execute();
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
      await db.schema
        .alterTable('messages')
        .addColumn('kind', 'varchar(8)', (c) => c.notNull().defaultTo('message'))
        .execute();
      await db.schema.alterTable('messages').addColumn('target_id', 'varchar(36)').execute();
      await db.schema.alterTable('messages').addColumn('edited_at', 'bigint').execute();
      await db.schema
        .alterTable('messages')
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0004_external_identities': {
    // An external identity was a password hash of "!external"; now it is a column, and it has no hash at all.
    async up(db: PastSchema) {
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
      await sql`update messages set body = '' where kind = 'edit' and target_id in (select id from messages where kind = 'message' and deleted = 1)`.execute(
        db,
      );
      await db.schema.createIndex('messages_target').on('messages').columns(['room', 'target_id']).execute();
    },
  },
  '0005_revoked_before': {
    // Disabling a user, or changing a password, kills every token issued before it for good (enable does not
    // bring them back).
    async up(db: PastSchema) {
      await db.schema.alterTable('users').addColumn('revoked_before', 'bigint').execute();
    },
  },
  '0006_team_chat': {
    // Display names, room titles and topics, archiving, muting, read positions, mentions, run-time settings; and
    // public rooms stop being everyone's by default: every existing user becomes a member of the public rooms they
    // could see, so nothing leaves anyone's list, and starts with everything read (no flood of unread badges).
    async up(db: PastSchema) {
      await db.schema.alterTable('users').addColumn('display_name', 'varchar(64)').execute();
      await db.schema.alterTable('rooms').addColumn('title', 'varchar(80)').execute();
      await db.schema.alterTable('rooms').addColumn('topic', 'varchar(250)').execute();
      await db.schema
        .alterTable('rooms')
        .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('room_members')
        .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('messages').addColumn('mentions', 'text').execute();
      await db.schema
        .createTable('read_positions')
        .addColumn('room', 'varchar(64)', (c) => c.notNull().references('rooms.name'))
        .addColumn('username', 'varchar(64)', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('read_positions_pk', ['username', 'room'])
        .execute();
      await db.schema
        .createTable('mentions')
        .addColumn('username', 'varchar(64)', (c) => c.notNull())
        .addColumn('room', 'varchar(64)', (c) => c.notNull().references('rooms.name'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('message_id', 'varchar(36)', (c) => c.notNull())
        .addPrimaryKeyConstraint('mentions_pk', ['username', 'room', 'seq'])
        .execute();
      await db.schema.createIndex('mentions_message').on('mentions').columns(['room', 'message_id']).execute();
      await db.schema
        .createTable('settings')
        .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      // Unread counts read only this (index-only): the messages that count, by room and seq, with their author.
      // The conditions are literals in the index and in the query alike, so both engines match them up.
      await sql`create index messages_unread on messages (room, seq, username) where kind = 'message' and deleted = 0`.execute(db);
      const now = Date.now();
      await sql`insert into room_members (room, username, role, added_at, muted)
                select r.name, u.username, 'member', ${now}, 0 from rooms r cross join users u
                where r.kind = 'public' and not exists (select 1 from room_members m where m.room = r.name and m.username = u.username)`.execute(db);
      await sql`insert into read_positions (room, username, seq, updated_at)
                select m.room, m.username, r.last_seq, ${now} from room_members m join rooms r on r.name = m.room`.execute(db);
    },
  },
  '0007_search': {
    // Full-text search over messages as they stand now. SQLite: an FTS5 index whose text is the messages table's
    // own (external content), kept in step by triggers on the statements the append path runs — a message
    // inserted, its body edited, or erased by a deletion. Its key is a column of its own, fixed at insert, since
    // a rowid that is not an INTEGER PRIMARY KEY may change in a VACUUM. PostgreSQL: a generated tsvector column
    // (null for edits, deletions and deleted messages) under a GIN index.
    async up(db: PastSchema) {
      if (engine === 'postgres') {
        await sql`alter table messages add column search tsvector generated always as
                  (case when kind = 'message' and deleted = 0 then to_tsvector('english', body) end) stored`.execute(db);
        await sql`create index messages_search on messages using gin (search)`.execute(db);
        return;
      }
      await sql`alter table messages add column search_id integer`.execute(db);
      await sql`update messages set search_id = rowid where kind = 'message'`.execute(db);
      await sql`create unique index messages_search_id on messages (search_id) where search_id is not null`.execute(db);
      await sql`create virtual table messages_fts using fts5(body, content = 'messages', content_rowid = 'search_id',
                tokenize = 'porter unicode61 remove_diacritics 2')`.execute(db);
      await sql`insert into messages_fts (rowid, body) select search_id, body from messages where kind = 'message' and deleted = 0`.execute(db);
      await sql`create trigger messages_fts_insert after insert on messages when new.kind = 'message' begin
                  update messages set search_id = new.rowid where rowid = new.rowid;
                  insert into messages_fts (rowid, body) values (new.rowid, new.body);
                end`.execute(db);
      await sql`create trigger messages_fts_update after update of body on messages when old.kind = 'message' and old.search_id is not null begin
                  insert into messages_fts (messages_fts, rowid, body) values ('delete', old.search_id, old.body);
                  insert into messages_fts (rowid, body) select new.search_id, new.body where new.deleted = 0;
                end`.execute(db);
    },
  },
  '0008_demo_users': {
    // The demo users are not the server's first account: the first person to register after them is its admin.
    // Users that exist already are left unmarked: a real "johndoe" must not stop counting.
    async up(db: PastSchema) {
      await sql`alter table users add column demo integer not null default 0`.execute(db);
    },
  },
});

export const migrationProvider = (engine: Engine): MigrationProvider => ({
  getMigrations: async () => migrations(engine),
});
