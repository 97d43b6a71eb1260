// Each room's stream: appending a batch (one algorithm for every engine, per-row outcomes) and reading it.
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AppendResult, NewEntry, StoredEntry } from '../domain/entries.js';
import type { Db, Row } from './db.js';
import type { Database } from './schema.js';

type MessageInput = Extract<NewEntry, { kind: 'message' }>;
type ChangeInput = Exclude<NewEntry, { kind: 'message' }>;

/**
 * The columns an entry is read from: never `*`, which on PostgreSQL also carries the search vector (as text, parsed
 * and dropped for every row read).
 */
export const ENTRY_COLUMNS = [
  'id',
  'room',
  'seq',
  'username',
  'body',
  'client_id',
  'ts',
  'kind',
  'target_id',
  'edited_at',
  'deleted',
  'mentions',
] as const;

export interface RoomLock {
  top: number;
  archived: boolean;
}

/** Who gets a mention row: each mentioned user once, never the author (one does not notify oneself). */
const notified = (input: NewEntry) => (input.kind === 'delete' ? [] : [...new Set(input.mentions ?? [])].filter((user) => user !== input.user));
export const mentionColumn = (input: NewEntry) =>
  input.kind !== 'delete' && input.mentions && input.mentions.length > 0 ? input.mentions.join(' ') : null;

/** The statements one append needs, inside one transaction; each engine runs them its own way. */
export interface AppendSteps {
  /** Locks the room until the transaction ends and returns its newest seq; undefined when there is no such room. */
  lockRoom(room: string): Promise<RoomLock | undefined> | RoomLock | undefined;
  /** The messages the room already holds for these (user, clientId) pairs. */
  earlier(room: string, keys: readonly MessageInput[]): Promise<Row<'messages'>[]> | Row<'messages'>[];
  /** Applies an edit (text and mentions) or deletion to the message in place; false when it is not there (or deleted). */
  change(input: ChangeInput, now: number): Promise<boolean> | boolean;
  insert(rows: Row<'messages'>[]): Promise<void> | void;
  /** Records who new messages mention. */
  mention(rows: Row<'mentions'>[]): Promise<void> | void;
  /** Replaces who a stored message mentions (an edit; a deletion: nobody any more). */
  replaceMentions(room: string, messageId: string, usernames: readonly string[]): Promise<void> | void;
  setTop(room: string, seq: number): Promise<void> | void;
}

/**
 * The append algorithm, once for every engine. Rooms are locked in name order, so two writers (two nodes)
 * never wait on each other in a cycle; inside a room, each input gets its own outcome: stored with the room's
 * next seq, a duplicate of what this user stored under the same clientId (by any node: the room lock orders
 * them), or gone (no such room, or an edit of a message that is not there).
 */
export async function appendBatch(batch: readonly NewEntry[], steps: AppendSteps): Promise<AppendResult[]> {
  const results: AppendResult[] = new Array(batch.length);
  const byRoom = new Map<string, number[]>();
  batch.forEach((input, i) => {
    const indices = byRoom.get(input.room);
    if (indices) indices.push(i);
    else byRoom.set(input.room, [i]);
  });
  for (const room of [...byRoom.keys()].sort()) {
    const indices = byRoom.get(room)!;
    const lock = await steps.lockRoom(room);
    if (lock === undefined || lock.archived) {
      for (const i of indices) results[i] = { status: lock ? 'archived' : 'gone' };
      continue;
    }
    let top = lock.top;
    const keyed = indices.map((i) => batch[i]!).filter((input): input is MessageInput => input.kind === 'message' && input.clientId !== undefined);
    const known = new Map<string, StoredEntry>();
    for (const row of keyed.length > 0 ? await steps.earlier(room, keyed) : [])
      known.set(clientKey(row.username, row.client_id!), toStoredEntry(row));
    const rows: Row<'messages'>[] = [];
    const mentions: Row<'mentions'>[] = [];
    for (const i of indices) {
      const input = batch[i]!;
      const key = input.kind === 'message' && input.clientId !== undefined ? clientKey(input.user, input.clientId) : undefined;
      const prior = key === undefined ? undefined : known.get(key);
      if (prior) {
        results[i] = { status: 'duplicate', entry: prior };
        continue;
      }
      const now = Date.now();
      // An edit or deletion changes the message in place (history shows it as it stands); the stream records it.
      if (input.kind !== 'message') {
        if (!(await steps.change(input, now))) {
          results[i] = { status: 'gone' };
          continue;
        }
        await steps.replaceMentions(room, input.targetId, notified(input));
      }
      // A deletion erases the text of the edits still waiting in this batch too (the stored ones `change` erased).
      if (input.kind === 'delete') for (const row of rows) if (row.kind === 'edit' && row.target_id === input.targetId) row.body = '';
      const row: Row<'messages'> = {
        id: randomUUID(),
        room,
        seq: ++top,
        username: input.user,
        body: input.kind === 'delete' ? '' : input.body,
        client_id: input.kind === 'message' ? (input.clientId ?? null) : null,
        ts: now,
        kind: input.kind,
        target_id: input.kind === 'message' ? null : input.targetId,
        edited_at: null,
        deleted: 0,
        mentions: mentionColumn(input),
      };
      rows.push(row);
      if (input.kind === 'message') for (const username of notified(input)) mentions.push({ username, room, seq: row.seq, message_id: row.id });
      const entry = toStoredEntry(row);
      if (key !== undefined) known.set(key, entry); // the same clientId twice in one batch is stored once
      results[i] = { status: 'stored', entry };
    }
    if (rows.length > 0) {
      await steps.insert(rows);
      if (mentions.length > 0) await steps.mention(mentions);
      await steps.setTop(room, top);
    }
  }
  return results;
}

const clientKey = (user: string, clientId: string) => `${user}\n${clientId}`;

/** Reads, and the portable append over Kysely (PostgreSQL); SQLite overrides `append` with prepared statements. */
export class SqlEntries {
  constructor(protected readonly db: Db) {}

  /** Stores a batch in one transaction (group commit); results in input order. */
  async append(batch: readonly NewEntry[]): Promise<AppendResult[]> {
    return this.db.kysely.transaction().execute((trx) => appendBatch(batch, kyselySteps(trx)));
  }

  /** The stream after `afterSeq`, oldest first, at most `limit`: messages as they stand now, edits, deletions. */
  async after(room: string, afterSeq: number, limit: number): Promise<StoredEntry[]> {
    const rows = await this.db.kysely
      .selectFrom('messages')
      .select(ENTRY_COLUMNS)
      .where('room', '=', room)
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toStoredEntry);
  }

  /** The `limit` messages just before `beforeSeq` (or the newest), oldest first, as they stand now. */
  async messagesBefore(room: string, beforeSeq: number | undefined, limit: number): Promise<StoredEntry[]> {
    let query = this.db.kysely.selectFrom('messages').select(ENTRY_COLUMNS).where('room', '=', room).where('kind', '=', 'message');
    if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
    return rows.reverse().map(toStoredEntry);
  }

  async findMessage(room: string, id: string): Promise<StoredEntry | undefined> {
    const row = await this.db.kysely
      .selectFrom('messages')
      .select(ENTRY_COLUMNS)
      .where('room', '=', room)
      .where('id', '=', id)
      .where('kind', '=', 'message')
      .executeTakeFirst();
    return row && toStoredEntry(row);
  }
}

function kyselySteps(trx: Transaction<Database>): AppendSteps {
  return {
    async lockRoom(room) {
      const row = await trx.selectFrom('rooms').select(['last_seq', 'archived']).where('name', '=', room).forUpdate().executeTakeFirst();
      return row && { top: Number(row.last_seq), archived: Number(row.archived) !== 0 };
    },
    earlier: (room, keys) =>
      trx
        .selectFrom('messages')
        .select(ENTRY_COLUMNS)
        .where('room', '=', room)
        .where((eb) => eb.or(keys.map((k) => eb.and([eb('username', '=', k.user), eb('client_id', '=', k.clientId!)]))))
        .execute(),
    async change(input, now) {
      const changed = await trx
        .updateTable('messages')
        .set(input.kind === 'edit' ? { body: input.body, edited_at: now, mentions: mentionColumn(input) } : { body: '', deleted: 1, mentions: null })
        .where('room', '=', input.room)
        .where('id', '=', input.targetId)
        .where('kind', '=', 'message')
        .where('deleted', '=', 0)
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) === 0) return false;
      if (input.kind === 'delete') {
        await trx
          .updateTable('messages')
          .set({ body: '' })
          .where('room', '=', input.room)
          .where('target_id', '=', input.targetId)
          .where('kind', '=', 'edit')
          .execute();
      }
      return true;
    },
    insert: async (rows) => void (await trx.insertInto('messages').values(rows).execute()),
    mention: async (rows) => void (await trx.insertInto('mentions').values(rows).execute()),
    async replaceMentions(room, messageId, usernames) {
      await trx.deleteFrom('mentions').where('room', '=', room).where('message_id', '=', messageId).execute();
      if (usernames.length === 0) return;
      const message = await trx.selectFrom('messages').select('seq').where('room', '=', room).where('id', '=', messageId).executeTakeFirstOrThrow();
      const rows = usernames.map((username) => ({ username, room, seq: Number(message.seq), message_id: messageId }));
      await trx.insertInto('mentions').values(rows).execute();
    },
    setTop: async (room, seq) => void (await trx.updateTable('rooms').set({ last_seq: seq }).where('name', '=', room).execute()),
  };
}

export function toStoredEntry(row: Row<'messages'>): StoredEntry {
  const kind = row.kind as StoredEntry['kind'];
  const base = {
    kind,
    room: row.room,
    seq: Number(row.seq),
    user: row.username,
    body: row.body,
    ts: Number(row.ts),
    ...(row.mentions ? { mentions: row.mentions.split(' ') } : {}),
  };
  if (kind !== 'message') return { ...base, id: row.target_id! };
  return {
    ...base,
    id: row.id,
    ...(row.edited_at !== null ? { editedAt: Number(row.edited_at) } : {}),
    ...(Number(row.deleted) !== 0 ? { deleted: true } : {}),
  };
}
