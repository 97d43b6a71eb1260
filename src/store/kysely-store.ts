// The Store over Kysely: one implementation of the SQL, handed a dialect by sqlite.ts or postgres.ts.
import { randomUUID } from 'node:crypto';
import { type Kysely, Migrator, sql } from 'kysely';
import type { ChatMessage, NewEntry, RoomEntry, RoomKind, RoomRole } from '../chat/message.js';
import { type Database, type Engine, migrationProvider } from './schema.js';
import {
  type AppendResult,
  type NewUser,
  type RefreshTokenRecord,
  type RefreshUse,
  type Revocation,
  type RevocationKind,
  type Room,
  RoomExistsError,
  type RoomMember,
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
    // On PostgreSQL the bookkeeping tables go in the schema Parley's own tables use (the search_path's first),
    // or Kysely would look for them across schemas and trip over another Parley's.
    const migrationTableSchema =
      this.engine === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(this.db)).rows[0]?.schema : undefined;
    const migrator = new Migrator({ db: this.db, provider: migrationProvider(this.engine), migrationTableSchema });
    const { error } = await migrator.migrateToLatest();
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
      return Number(spent.numUpdatedRows) === 1 ? { status: 'ok', token } : { status: 'reused', token, usedAt: Number(row.used_at ?? now) };
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

  async createRoom(room: { name: string; kind: RoomKind; owner: string; members: RoomMember[] }): Promise<Room> {
    const row = { name: room.name, kind: room.kind, owner: room.owner, last_seq: 0, created_at: Date.now() };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('rooms').values(row).execute();
        for (const member of room.members) {
          await trx.insertInto('room_members').values({ room: room.name, username: member.username, role: member.role, added_at: row.created_at }).execute();
        }
      });
    } catch (error) {
      if (this.isUniqueViolation(error)) throw new RoomExistsError(`room "${room.name}" exists`);
      throw error;
    }
    return toRoom(row);
  }

  async findRoom(name: string): Promise<Room | undefined> {
    const row = await this.db.selectFrom('rooms').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toRoom(row);
  }

  async visibleRooms(username: string): Promise<(Room & { role?: RoomRole })[]> {
    const rows = await this.db
      .selectFrom('rooms')
      .leftJoin('room_members', (join) => join.onRef('room_members.room', '=', 'rooms.name').on('room_members.username', '=', username))
      .selectAll('rooms')
      .select('room_members.role')
      .where((eb) => eb.or([eb('rooms.kind', '=', 'public'), eb('room_members.username', 'is not', null)]))
      .orderBy('rooms.name')
      .execute();
    return rows.map((row) => ({ ...toRoom(row), ...(row.role ? { role: row.role as RoomRole } : {}) }));
  }

  async roleIn(room: string, username: string): Promise<RoomRole | undefined> {
    const row = await this.db
      .selectFrom('room_members')
      .select('role')
      .where('room', '=', room)
      .where('username', '=', username)
      .executeTakeFirst();
    return row?.role as RoomRole | undefined;
  }

  async members(room: string): Promise<RoomMember[]> {
    const rows = await this.db.selectFrom('room_members').select(['username', 'role']).where('room', '=', room).orderBy('username').execute();
    return rows.map((row) => ({ username: row.username, role: row.role as RoomRole }));
  }

  async setMember(room: string, member: RoomMember): Promise<void> {
    await this.db
      .insertInto('room_members')
      .values({ room, username: member.username, role: member.role, added_at: Date.now() })
      .onConflict((oc) => oc.columns(['room', 'username']).doUpdateSet({ role: member.role }))
      .execute();
  }

  async removeMember(room: string, username: string): Promise<boolean> {
    const result = await this.db.deleteFrom('room_members').where('room', '=', room).where('username', '=', username).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async findMessage(room: string, id: string): Promise<ChatMessage | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('room', '=', room)
      .where('id', '=', id)
      .where('kind', '=', 'message')
      .executeTakeFirst();
    return row && (toEntry(row) as ChatMessage);
  }

  async appendEntries(batch: NewEntry[]): Promise<AppendResult[]> {
    return this.db.transaction().execute((trx) =>
      appendEntries(batch, {
        earlier: (input) =>
          trx
            .selectFrom('messages')
            .selectAll()
            .where('room', '=', input.room)
            .where('username', '=', input.user)
            .where('client_id', '=', input.clientId!)
            .executeTakeFirst(),
        change: async (input, now) => {
          const changed = await trx
            .updateTable('messages')
            .set(input.kind === 'edit' ? { body: input.body, edited_at: now } : { body: '', deleted: 1 })
            .where('room', '=', input.room)
            .where('id', '=', input.targetId)
            .where('kind', '=', 'message')
            .where('deleted', '=', 0)
            .executeTakeFirst();
          return Number(changed.numUpdatedRows) > 0;
        },
        nextSeq: async (room) => {
          const row = await trx
            .updateTable('rooms')
            .set({ last_seq: sql`last_seq + 1` })
            .where('name', '=', room)
            .returning('last_seq')
            .executeTakeFirst();
          return row && Number(row.last_seq);
        },
        insert: async (row) => void (await trx.insertInto('messages').values(row).execute()),
      }),
    );
  }

  async entriesAfter(room: string, afterSeq: number, limit: number): Promise<RoomEntry[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('room', '=', room)
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }

  async messagesBefore(room: string, beforeSeq: number | undefined, limit: number): Promise<ChatMessage[]> {
    let query = this.db.selectFrom('messages').selectAll().where('room', '=', room).where('kind', '=', 'message');
    if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
    return rows.reverse().map((row) => toEntry(row) as ChatMessage);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

type Row<T extends keyof Database> = Database[T];

/** The statements one append needs; each engine runs them its own way, inside its own transaction. */
export interface AppendSteps {
  /** The message this user already sent with this clientId, if any. */
  earlier(input: Extract<NewEntry, { kind: 'message' }>): Promise<Row<'messages'> | undefined> | Row<'messages'> | undefined;
  /** Applies an edit or deletion to the message in place; false when it is not there (or deleted). */
  change(input: Exclude<NewEntry, { kind: 'message' }>, now: number): Promise<boolean> | boolean;
  /** Takes the room's next seq; undefined when there is no such room. */
  nextSeq(room: string): Promise<number | undefined> | number | undefined;
  insert(row: Row<'messages'>): Promise<void> | void;
}

/** The append algorithm, once for every engine: dedupe by clientId, change in place, take a seq, record. */
export async function appendEntries(batch: NewEntry[], steps: AppendSteps): Promise<AppendResult[]> {
  const results: AppendResult[] = [];
  for (const input of batch) {
    if (input.kind === 'message' && input.clientId !== undefined) {
      const earlier = await steps.earlier(input);
      if (earlier) {
        results.push({ status: 'duplicate', entry: toEntry(earlier) as ChatMessage });
        continue;
      }
    }
    const now = Date.now();
    // An edit or deletion changes the message in place (history shows it as it stands); the stream records it.
    if (input.kind !== 'message' && !(await steps.change(input, now))) {
      results.push({ status: 'gone' });
      continue;
    }
    const seq = await steps.nextSeq(input.room);
    if (seq === undefined) throw new Error(`no such room "${input.room}"`);
    const row: Row<'messages'> = {
      id: randomUUID(),
      room: input.room,
      seq,
      username: input.user,
      body: input.kind === 'delete' ? '' : input.body,
      client_id: input.kind === 'message' ? (input.clientId ?? null) : null,
      ts: now,
      kind: input.kind,
      target_id: input.kind === 'message' ? null : input.targetId,
      edited_at: null,
      deleted: 0,
    };
    await steps.insert(row);
    results.push({ status: 'stored', entry: toEntry(row) });
  }
  return results;
}

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
  return {
    name: row.name,
    kind: row.kind as RoomKind,
    ...(row.owner ? { owner: row.owner } : {}),
    lastSeq: Number(row.last_seq),
    createdAt: Number(row.created_at),
  };
}

function toEntry(row: Row<'messages'>): RoomEntry {
  const base = { room: row.room, seq: Number(row.seq), user: row.username };
  switch (row.kind) {
    case 'edit':
      return { type: 'edited', ...base, id: row.target_id!, body: row.body, editedAt: Number(row.ts) };
    case 'delete':
      return { type: 'deleted', ...base, id: row.target_id! };
    default:
      return {
        type: 'message',
        ...base,
        id: row.id,
        body: row.body,
        ts: Number(row.ts),
        ...(row.edited_at !== null ? { editedAt: Number(row.edited_at) } : {}),
        ...(Number(row.deleted) !== 0 ? { deleted: true as const } : {}),
      };
  }
}
