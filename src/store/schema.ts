// Table shapes for Kysely, and the migrations that create them (portable across SQLite and PostgreSQL).
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

export interface Database {
  users: {
    username: string;
    password_hash: string;
    scopes: string;
    disabled: number;
    created_at: number;
  };
  rooms: {
    name: string;
    last_seq: number;
    created_at: number;
  };
  messages: {
    id: string;
    room: string;
    seq: number;
    username: string;
    body: string;
    client_id: string | null;
    ts: number;
  };
}

const migrations: Record<string, Migration> = {
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
      await sql`insert into rooms (name, last_seq, created_at) values ('general', 0, ${Date.now()})`.execute(db);
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
