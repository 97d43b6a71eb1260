// Rooms and who belongs to them: membership, each member's settings (muted) and read position, and the unread
// counts a room list shows — each area in one query for all of a user's rooms, whatever their number.
import { sql } from 'kysely';
import {
  type Room,
  type RoomChange,
  RoomExistsError,
  type RoomKind,
  type RoomMember,
  type RoomRole,
  type Unread,
  type UserRoom,
} from '../domain/rooms.js';
import type { Db, Row } from './db.js';

export interface NewRoom {
  name: string;
  kind: RoomKind;
  owner: string;
  members: RoomMember[];
  title?: string;
  topic?: string;
}

export class SqlRooms {
  constructor(private readonly db: Db) {}

  /** Creates the room with its first members (the owner among them); RoomExistsError if the name is taken. */
  async create(room: NewRoom): Promise<Room> {
    const row: Row<'rooms'> = {
      name: room.name,
      kind: room.kind,
      owner: room.owner,
      last_seq: 0,
      created_at: Date.now(),
      title: room.title ?? null,
      topic: room.topic ?? null,
      archived: 0,
    };
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('rooms').values(row).execute();
        for (const member of room.members) {
          await trx
            .insertInto('room_members')
            .values({ room: room.name, username: member.username, role: member.role, added_at: row.created_at, muted: 0 })
            .execute();
        }
      });
    } catch (error) {
      if (this.db.isUniqueViolation(error)) throw new RoomExistsError(`room "${room.name}" exists`);
      throw error;
    }
    return toRoom(row);
  }

  async find(name: string): Promise<Room | undefined> {
    const row = await this.db.kysely.selectFrom('rooms').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toRoom(row);
  }

  /** The user's rooms (member of, not archived), with their role, mute and read position. */
  async mine(username: string): Promise<UserRoom[]> {
    const rows = await this.db.kysely
      .selectFrom('room_members as m')
      .innerJoin('rooms as r', 'r.name', 'm.room')
      .leftJoin('read_positions as p', (join) => join.onRef('p.room', '=', 'm.room').onRef('p.username', '=', 'm.username'))
      .selectAll('r')
      .select(['m.role', 'm.muted', 'p.seq as read_seq'])
      .where('m.username', '=', username)
      .where('r.archived', '=', 0)
      .orderBy('r.name')
      .execute();
    return rows.map((row) => ({
      ...toRoom(row),
      role: row.role as RoomRole,
      member: true,
      muted: Number(row.muted) !== 0,
      readSeq: Number(row.read_seq ?? 0),
    }));
  }

  /** Every public room that is not archived, whether the user belongs to it, and how many do. */
  async publicRooms(username: string): Promise<UserRoom[]> {
    const rows = await this.db.kysely
      .selectFrom('rooms as r')
      .leftJoin('room_members as m', (join) => join.onRef('m.room', '=', 'r.name').on('m.username', '=', username))
      .selectAll('r')
      .select((eb) => [
        'm.role',
        eb.selectFrom('room_members as c').select(eb.fn.countAll<number>().as('n')).whereRef('c.room', '=', 'r.name').as('member_count'),
      ])
      .where('r.kind', '=', 'public')
      .where('r.archived', '=', 0)
      .orderBy('r.name')
      .execute();
    return rows.map((row) => ({
      ...toRoom(row),
      ...(row.role ? { role: row.role as RoomRole } : {}),
      member: row.role !== null,
      memberCount: Number(row.member_count ?? 0),
    }));
  }

  /**
   * Unread counts in every room the user belongs to, in one query: messages by others after their read position,
   * and mentions of the user after it. Each count is a range scan of one room on an index that holds what it reads
   * (messages_unread, the mentions key), driven by the user's memberships — so the plan stays one index range per
   * room whatever the table statistics say. Rooms with nothing unread are absent.
   */
  async unread(username: string): Promise<Map<string, Unread>> {
    const position = sql`coalesce((select p.seq from read_positions p where p.username = rm.username and p.room = rm.room), 0)`;
    const result = await sql<{ room: string; messages: number | string; mentions: number | string }>`
      select rm.room as room,
        (select count(*) from messages m
          where m.room = rm.room and m.kind = 'message' and m.deleted = 0 and m.username <> ${username} and m.seq > ${position}) as messages,
        (select count(*) from mentions t where t.username = rm.username and t.room = rm.room and t.seq > ${position}) as mentions
      from room_members rm
      where rm.username = ${username}`.execute(this.db.kysely);
    const counts = new Map<string, Unread>();
    for (const row of result.rows) {
      const unread = { messages: Number(row.messages), mentions: Number(row.mentions) };
      if (unread.messages > 0 || unread.mentions > 0) counts.set(row.room, unread);
    }
    return counts;
  }

  /** Who is in each DM the user belongs to: one query. */
  async dmMembers(username: string): Promise<Map<string, string[]>> {
    const rows = await this.db.kysely
      .selectFrom('room_members as me')
      .innerJoin('rooms as r', (join) => join.onRef('r.name', '=', 'me.room').on('r.kind', '=', 'dm'))
      .innerJoin('room_members as o', 'o.room', 'me.room')
      .select(['o.room', 'o.username'])
      .where('me.username', '=', username)
      .orderBy('o.room')
      .orderBy('o.username')
      .execute();
    const members = new Map<string, string[]>();
    for (const row of rows) members.set(row.room, [...(members.get(row.room) ?? []), row.username]);
    return members;
  }

  async roleIn(room: string, username: string): Promise<RoomRole | undefined> {
    const row = await this.db.kysely
      .selectFrom('room_members')
      .select('role')
      .where('room', '=', room)
      .where('username', '=', username)
      .executeTakeFirst();
    return row?.role as RoomRole | undefined;
  }

  /** Members with their roles and display names. */
  async members(room: string): Promise<RoomMember[]> {
    const rows = await this.db.kysely
      .selectFrom('room_members as m')
      .leftJoin('users as u', 'u.username', 'm.username')
      .select(['m.username', 'm.role', 'u.display_name'])
      .where('m.room', '=', room)
      .orderBy('m.username')
      .execute();
    return rows.map((row) => ({
      username: row.username,
      role: row.role as RoomRole,
      ...(row.display_name ? { displayName: row.display_name } : {}),
    }));
  }

  /**
   * Adds the member or changes their role; true when they were added. A new member starts with everything
   * before now read: joining a room with a long history is not a pile of unread messages.
   */
  async setMember(room: string, member: RoomMember): Promise<boolean> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const now = Date.now();
      const inserted = await trx
        .insertInto('room_members')
        .values({ room, username: member.username, role: member.role, added_at: now, muted: 0 })
        .onConflict((oc) => oc.columns(['room', 'username']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        await trx.updateTable('room_members').set({ role: member.role }).where('room', '=', room).where('username', '=', member.username).execute();
        return false;
      }
      await sql`insert into read_positions (room, username, seq, updated_at)
                select name, ${member.username}, last_seq, ${now} from rooms where name = ${room}
                on conflict (username, room) do update set seq = excluded.seq, updated_at = excluded.updated_at
                where excluded.seq > read_positions.seq`.execute(trx);
      return true;
    });
  }

  async removeMember(room: string, username: string): Promise<boolean> {
    const result = await this.db.kysely.deleteFrom('room_members').where('room', '=', room).where('username', '=', username).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Changes what is given; the room as it is now, or undefined when there is no such room. */
  async update(name: string, change: RoomChange): Promise<Room | undefined> {
    const set: Partial<Row<'rooms'>> = {};
    if (change.title !== undefined) set.title = change.title;
    if (change.topic !== undefined) set.topic = change.topic;
    if (change.archived !== undefined) set.archived = change.archived ? 1 : 0;
    if (Object.keys(set).length > 0) await this.db.kysely.updateTable('rooms').set(set).where('name', '=', name).execute();
    return this.find(name);
  }

  /** A member's mute; false when they are not a member. */
  async setMuted(room: string, username: string, muted: boolean): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('room_members')
      .set({ muted: muted ? 1 : 0 })
      .where('room', '=', room)
      .where('username', '=', username)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Moves the user's read position in the room forward to `seq` (capped at the room's newest seq), in one
   * upsert; the position now, or undefined when it did not move (it was there already, or further).
   */
  async markRead(room: string, username: string, seq: number): Promise<number | undefined> {
    const least = this.db.engine === 'postgres' ? sql`least` : sql`min`;
    const result = await sql<{ seq: number | string }>`
      insert into read_positions (room, username, seq, updated_at)
      select name, ${username}, ${least}(last_seq, ${seq}), ${Date.now()} from rooms where name = ${room}
      on conflict (username, room) do update set seq = excluded.seq, updated_at = excluded.updated_at
      where excluded.seq > read_positions.seq
      returning seq`.execute(this.db.kysely);
    const row = result.rows[0];
    return row === undefined ? undefined : Number(row.seq);
  }

  /** Of these usernames, the enabled users who may read the room (anyone for a public room, else its members). */
  async mentionable(room: string, usernames: readonly string[]): Promise<string[]> {
    if (usernames.length === 0) return [];
    const rows = await this.db.kysely
      .selectFrom('users as u')
      .select('u.username')
      .where('u.username', 'in', usernames)
      .where('u.disabled', '=', 0)
      .where((eb) =>
        eb.or([
          eb.exists(eb.selectFrom('rooms').select('name').where('name', '=', room).where('kind', '=', 'public')),
          eb.exists(eb.selectFrom('room_members as m').select('m.room').where('m.room', '=', room).whereRef('m.username', '=', 'u.username')),
        ]),
      )
      .execute();
    return rows.map((row) => row.username);
  }

  /** Each named room's newest seq: what a node compares with what it delivered (positioning). */
  async tops(names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const rows = await this.db.kysely.selectFrom('rooms').select(['name', 'last_seq']).where('name', 'in', names).execute();
    return new Map(rows.map((row) => [row.name, Number(row.last_seq)]));
  }
}

function toRoom(row: Row<'rooms'>): Room {
  return {
    name: row.name,
    kind: row.kind as RoomKind,
    ...(row.owner ? { owner: row.owner } : {}),
    lastSeq: Number(row.last_seq),
    createdAt: Number(row.created_at),
    ...(row.title ? { title: row.title } : {}),
    ...(row.topic ? { topic: row.topic } : {}),
    archived: Number(row.archived) !== 0,
  };
}
