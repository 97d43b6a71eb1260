// Rooms and their members.
import { type Room, RoomExistsError, type RoomKind, type RoomMember, type RoomRole } from '../domain/rooms.js';
import type { Db, Row } from './db.js';

export class SqlRooms {
  constructor(private readonly db: Db) {}

  /** Creates the room with its first members (the owner among them); RoomExistsError if the name is taken. */
  async create(room: { name: string; kind: RoomKind; owner: string; members: RoomMember[] }): Promise<Room> {
    const row = { name: room.name, kind: room.kind, owner: room.owner, last_seq: 0, created_at: Date.now() };
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('rooms').values(row).execute();
        for (const member of room.members) {
          await trx.insertInto('room_members').values({ room: room.name, username: member.username, role: member.role, added_at: row.created_at }).execute();
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

  /** Public rooms and the private rooms and DMs the user belongs to, with the user's role where there is one. */
  async visibleTo(username: string): Promise<(Room & { role?: RoomRole })[]> {
    const rows = await this.db.kysely
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
    const row = await this.db.kysely
      .selectFrom('room_members')
      .select('role')
      .where('room', '=', room)
      .where('username', '=', username)
      .executeTakeFirst();
    return row?.role as RoomRole | undefined;
  }

  async members(room: string): Promise<RoomMember[]> {
    const rows = await this.db.kysely.selectFrom('room_members').select(['username', 'role']).where('room', '=', room).orderBy('username').execute();
    return rows.map((row) => ({ username: row.username, role: row.role as RoomRole }));
  }

  /** Adds the member or changes their role. */
  async setMember(room: string, member: RoomMember): Promise<void> {
    await this.db.kysely
      .insertInto('room_members')
      .values({ room, username: member.username, role: member.role, added_at: Date.now() })
      .onConflict((oc) => oc.columns(['room', 'username']).doUpdateSet({ role: member.role }))
      .execute();
  }

  async removeMember(room: string, username: string): Promise<boolean> {
    const result = await this.db.kysely.deleteFrom('room_members').where('room', '=', room).where('username', '=', username).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
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
  };
}
