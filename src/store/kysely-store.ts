// The Store over Kysely: one implementation of the SQL, handed a dialect by sqlite.ts or postgres.ts.
import { randomUUID } from 'node:crypto';
import { type Kysely, Migrator, sql } from 'kysely';
import type { ChatMessage, NewMessage } from '../chat/message.js';
import { type Database, type Engine, migrationProvider } from './schema.js';
import {
  type AppendResult,
  type NewUser,
  type RefreshTokenRecord,
  type RefreshUse,
  type Revocation,
  type RevocationKind,
  type Room,
  type Store,
  type User,
  UsernameTakenError,
} from './store.js';

/** How long a `user` revocation stays in the feed: long enough for every node to have read it. */
const FEED_RETENTION_MS = 24 * 3600 * 1000;

export class KyselyStore implements Store {
  constructor(
    protected readonly db: Kysely<Database>,
    /** Tells a unique-constraint violation from other errors; engines word it differently. */
    private readonly isUniqueViolation: (error: unknown) => boolean,
    private readonly engine: Engine,
  ) {}

  async migrate(): Promise<void> {
    const { error } = await new Migrator({ db: this.db, provider: migrationProvider(this.engine) }).migrateToLatest();
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
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('users')
        .set({ disabled: disabled ? 1 : 0 })
        .where('username', '=', username)
        .executeTakeFirst();
      const found = Number(result.numUpdatedRows) > 0;
      if (found && disabled) {
        // The user row itself refuses new handshakes; the feed entry tells every node to drop live sockets.
        const now = Date.now();
        await trx.insertInto('revocations').values({ kind: 'user', value: username, expires_at: now + FEED_RETENTION_MS, created_at: now }).execute();
      }
      return found;
    });
  }

  async saveRefreshToken(token: RefreshTokenRecord): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values({
        token_hash: token.tokenHash,
        family: token.family,
        username: token.username,
        scopes: token.scopes.join(' '),
        expires_at: token.expiresAt,
        used_at: null,
        created_at: Date.now(),
      })
      .execute();
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row && toRefreshToken(row);
  }

  async useRefreshToken(tokenHash: string, now: number): Promise<RefreshUse> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      if (!row) return { status: 'unknown' };
      const token = toRefreshToken(row);
      const familyRevoked = await trx
        .selectFrom('revocations')
        .select('id')
        .where('kind', '=', 'family')
        .where('value', '=', row.family)
        .executeTakeFirst();
      if (familyRevoked) return { status: 'revoked' };
      if (Number(row.expires_at) <= now) return { status: 'expired' };
      // The conditional update is the atomic spend: only one caller sees a row change.
      const spent = await trx
        .updateTable('refresh_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(spent.numUpdatedRows) === 1 ? { status: 'ok', token } : { status: 'reused', token };
    });
  }

  async revoke(kind: RevocationKind, value: string, expiresAt: number): Promise<void> {
    await this.db.insertInto('revocations').values({ kind, value, expires_at: expiresAt, created_at: Date.now() }).execute();
  }

  async isRevoked(tokenId: string, family: string | undefined): Promise<boolean> {
    const row = await this.db
      .selectFrom('revocations')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('kind', '=', 'token'), eb('value', '=', tokenId)]),
          ...(family ? [eb.and([eb('kind', '=', 'family'), eb('value', '=', family)])] : []),
        ]),
      )
      .executeTakeFirst();
    return row !== undefined;
  }

  async revocationsAfter(id: number): Promise<Revocation[]> {
    const rows = await this.db
      .selectFrom('revocations')
      .select(['id', 'kind', 'value'])
      .where('id', '>', id)
      .orderBy('id', 'asc')
      .limit(1000)
      .execute();
    return rows.map((row) => ({ id: Number(row.id), kind: row.kind, value: row.value }));
  }

  async lastRevocationId(): Promise<number> {
    const row = await this.db.selectFrom('revocations').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  async saveTicket(ticketHash: string, payload: string, expiresAt: number): Promise<void> {
    await this.db.insertInto('ws_tickets').values({ ticket_hash: ticketHash, principal: payload, expires_at: expiresAt, used: 0 }).execute();
  }

  async redeemTicket(ticketHash: string, now: number): Promise<string | undefined> {
    const spent = await this.db
      .updateTable('ws_tickets')
      .set({ used: 1 })
      .where('ticket_hash', '=', ticketHash)
      .where('used', '=', 0)
      .where('expires_at', '>', now)
      .returning('principal')
      .executeTakeFirst();
    return spent?.principal;
  }

  async prune(now: number): Promise<void> {
    await this.db.deleteFrom('ws_tickets').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('refresh_tokens').where('expires_at', '<=', now).execute();
    // Keep the newest revocation even if expired: the feed's position must never move backwards.
    const last = await this.lastRevocationId();
    await this.db.deleteFrom('revocations').where('expires_at', '<=', now).where('id', '<', last).execute();
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

function toRefreshToken(row: Row<'refresh_tokens'>): RefreshTokenRecord {
  return {
    tokenHash: row.token_hash,
    family: row.family,
    username: row.username,
    scopes: row.scopes.split(' ').filter(Boolean),
    expiresAt: Number(row.expires_at),
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
