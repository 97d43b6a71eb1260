// The Store over Kysely: one implementation of the SQL, handed a dialect by sqlite.ts or postgres.ts.
import { randomUUID } from 'node:crypto';
import { type Kysely, Migrator, sql } from 'kysely';
import type { ChatMessage, NewMessage } from '../chat/message.js';
import type { Database } from './schema.js';
import { migrationProvider } from './schema.js';
import { type AppendResult, type NewUser, type Room, type Store, type User, UsernameTakenError } from './store.js';

export class KyselyStore implements Store {
  constructor(
    protected readonly db: Kysely<Database>,
    /** Tells a unique-constraint violation from other errors; engines word it differently. */
    private readonly isUniqueViolation: (error: unknown) => boolean,
  ) {}

  async migrate(): Promise<void> {
    const { error } = await new Migrator({ db: this.db, provider: migrationProvider }).migrateToLatest();
    if (error) throw error;
  }

  async createUser(user: NewUser): Promise<User> {
    const row = {
      username: user.username,
      password_hash: user.passwordHash,
      scopes: user.scopes.join(' '),
      disabled: 0,
      created_at: Date.now(),
    };
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (error) {
      if (this.isUniqueViolation(error)) throw new UsernameTakenError(`username "${user.username}" is taken`);
      throw error;
    }
    return toUser(row);
  }

  async findUser(username: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row && toUser(row);
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('username').execute();
    return rows.map(toUser);
  }

  async setUserDisabled(username: string, disabled: boolean): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ disabled: disabled ? 1 : 0 })
      .where('username', '=', username)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async listRooms(): Promise<Room[]> {
    const rows = await this.db.selectFrom('rooms').selectAll().orderBy('name').execute();
    return rows.map(toRoom);
  }

  async findRoom(name: string): Promise<Room | undefined> {
    const row = await this.db.selectFrom('rooms').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toRoom(row);
  }

  async appendMessages(batch: NewMessage[]): Promise<AppendResult[]> {
    return this.db.transaction().execute(async (trx) => {
      const results: AppendResult[] = [];
      for (const input of batch) {
        if (input.clientId !== undefined) {
          const earlier = await trx
            .selectFrom('messages')
            .selectAll()
            .where('room', '=', input.room)
            .where('username', '=', input.user)
            .where('client_id', '=', input.clientId)
            .executeTakeFirst();
          if (earlier) {
            results.push({ message: toMessage(earlier), duplicate: true });
            continue;
          }
        }
        const room = await trx
          .updateTable('rooms')
          .set({ last_seq: sql`last_seq + 1` })
          .where('name', '=', input.room)
          .returning('last_seq')
          .executeTakeFirstOrThrow(() => new Error(`no such room "${input.room}"`));
        const row = {
          id: randomUUID(),
          room: input.room,
          seq: Number(room.last_seq),
          username: input.user,
          body: input.body,
          client_id: input.clientId ?? null,
          ts: Date.now(),
        };
        await trx.insertInto('messages').values(row).execute();
        results.push({ message: toMessage(row), duplicate: false });
      }
      return results;
    });
  }

  async messagesAfter(room: string, afterSeq: number, limit: number): Promise<ChatMessage[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('room', '=', room)
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  async messagesBefore(room: string, beforeSeq: number | undefined, limit: number): Promise<ChatMessage[]> {
    let query = this.db.selectFrom('messages').selectAll().where('room', '=', room);
    if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
    return rows.reverse().map(toMessage);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

type Row<T extends keyof Database> = Database[T];

function toUser(row: Row<'users'>): User {
  return {
    username: row.username,
    passwordHash: row.password_hash,
    scopes: row.scopes.split(' ').filter(Boolean),
    disabled: Number(row.disabled) !== 0,
    createdAt: Number(row.created_at),
  };
}

function toRoom(row: Row<'rooms'>): Room {
  return { name: row.name, lastSeq: Number(row.last_seq), createdAt: Number(row.created_at) };
}

function toMessage(row: Row<'messages'>): ChatMessage {
  return {
    room: row.room,
    id: row.id,
    seq: Number(row.seq),
    user: row.username,
    body: row.body,
    ts: Number(row.ts),
  };
}
