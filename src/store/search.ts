// Full-text search over messages as they stand now (edited text; deleted messages are out of the index), in the
// rooms a user may read. The indexes are the migrations' (schema.ts, 0007_search): FTS5 on SQLite, a tsvector
// under GIN on PostgreSQL. Both stem English words; what still differs is in the README (Search).
import { type RawBuilder, sql } from 'kysely';
import { SearchMarks } from 'parley-chat-protocol/catalogue';
import type { FoundMessage, SearchQuery } from '../domain/search.js';
import type { Db } from './db.js';

interface HitRow {
  room: string;
  id: string;
  seq: number | string;
  username: string;
  ts: number | string;
  snippet: string;
}

export class SqlSearch {
  constructor(private readonly db: Db) {}

  /** Best matches first (then newest); empty when the text has no word to look for. */
  async messages(query: SearchQuery): Promise<FoundMessage[]> {
    const words = query.text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word));
    if (words.length === 0) return [];
    const filters: RawBuilder<unknown>[] = [sql`m.deleted = 0`];
    if (query.room !== undefined) filters.push(sql`m.room = ${query.room}`);
    if (query.before !== undefined) filters.push(sql`m.ts < ${query.before}`);
    if (!query.everywhere) {
      filters.push(sql`(m.room in (select name from rooms where kind = 'public')
                        or m.room in (select room from room_members where username = ${query.username}))`);
    }
    const where = sql.join(filters, sql` and `);
    const result =
      this.db.engine === 'postgres'
        ? await sql<HitRow>`
            select m.room, m.id, m.seq, m.username, m.ts,
                   ts_headline('english', m.body, q, ${headlineOptions}) as snippet
            from messages m, plainto_tsquery('english', ${words.join(' ')}) q
            where m.search @@ q and ${where}
            order by ts_rank(m.search, q) desc, m.seq desc
            limit ${query.limit}`.execute(this.db.kysely)
        : await sql<HitRow>`
            select m.room, m.id, m.seq, m.username, m.ts,
                   snippet(messages_fts, 0, ${SearchMarks.open}, ${SearchMarks.close}, '…', 16) as snippet
            from messages_fts join messages m on m.search_id = messages_fts.rowid
            where messages_fts match ${ftsQuery(words)} and ${where}
            order by messages_fts.rank, m.seq desc
            limit ${query.limit}`.execute(this.db.kysely);
    return result.rows.map((row) => ({
      room: row.room,
      id: row.id,
      seq: Number(row.seq),
      user: row.username,
      ts: Number(row.ts),
      snippet: row.snippet,
    }));
  }
}

const headlineOptions = [
  `StartSel=${SearchMarks.open}`,
  `StopSel=${SearchMarks.close}`,
  'MaxWords=24',
  'MinWords=8',
  'MaxFragments=2',
  'FragmentDelimiter=" … "',
].join(', ');

/** Each word a quoted FTS5 string, all required: whatever a person types is never read as query syntax. */
const ftsQuery = (words: readonly string[]) => words.map((word) => `"${word.replaceAll('"', '""')}"`).join(' ');
