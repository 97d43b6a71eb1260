// Users: local accounts (a password hash) and external identities (an issuer), enabled or disabled.
import { sql, type Transaction } from 'kysely';
import { type NewUser, type Person, type User, UsernameTakenError } from '../domain/accounts.js';
import { type Db, type Row, scopeList } from './db.js';
import type { Database } from './schema.js';

/** How long a `user` revocation stays in the feed: long enough for every node to have read it. */
export const FEED_RETENTION_MS = 24 * 3600 * 1000;

export class SqlAccounts {
  constructor(private readonly db: Db) {}

  /**
   * UsernameTakenError when the name is in use. In one transaction: the user, `firstUserScopes` added when no
   * other user exists (two first registrations at once cannot both get them), and the memberships of `joins`.
   */
  async create(user: NewUser): Promise<User> {
    const row: Row<'users'> = {
      username: user.username,
      password_hash: 'passwordHash' in user ? user.passwordHash : null,
      issuer: 'issuer' in user ? user.issuer : null,
      scopes: user.scopes.join(' '),
      disabled: 0,
      created_at: Date.now(),
      revoked_before: null,
      display_name: null,
      demo: user.demo ? 1 : 0,
    };
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        const first = user.firstUserScopes?.length ? user.firstUserScopes : undefined;
        // PostgreSQL: creations take turns (reads go on), so "no user yet" is true for one of them only. SQLite: the
        // insert takes the database's write lock before the count below.
        if (first && this.db.engine === 'postgres') await sql`lock table users in share row exclusive mode`.execute(trx);
        await trx.insertInto('users').values(row).execute();
        if (first) {
          const { n } = await trx
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('demo', '=', 0)
            .executeTakeFirstOrThrow();
          if (Number(n) === 1) {
            row.scopes = [...new Set([...user.scopes, ...first])].join(' ');
            await trx.updateTable('users').set({ scopes: row.scopes }).where('username', '=', user.username).execute();
          }
        }
        for (const room of user.joins ?? []) {
          await sql`insert into room_members (room, username, role, added_at, muted)
                    select name, ${user.username}, 'member', ${row.created_at}, 0 from rooms
                    where name = ${room} and kind = 'public' and archived = 0`.execute(trx);
          await sql`insert into read_positions (room, username, seq, updated_at)
                    select name, ${user.username}, last_seq, ${row.created_at} from rooms
                    where name = ${room} and kind = 'public' and archived = 0`.execute(trx);
        }
      });
    } catch (error) {
      if (this.db.isUniqueViolation(error)) throw new UsernameTakenError(`username "${user.username}" is taken`);
      throw error;
    }
    return toUser(row);
  }

  async find(username: string): Promise<User | undefined> {
    const row = await this.db.kysely.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row && toUser(row);
  }

  async list(): Promise<User[]> {
    const rows = await this.db.kysely.selectFrom('users').selectAll().orderBy('username').execute();
    return rows.map(toUser);
  }

  /** Sets (or, with null, clears) the display name; false when there is no such user. */
  async setDisplayName(username: string, displayName: string | null): Promise<boolean> {
    const result = await this.db.kysely.updateTable('users').set({ display_name: displayName }).where('username', '=', username).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Enabled users whose username or display name starts with `prefix` (case-insensitive), usernames first, at
   * most `limit`. `%` and `_` in the prefix are taken literally.
   */
  async directory(prefix: string, limit: number): Promise<Person[]> {
    const pattern = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.db.kysely
      .selectFrom('users')
      .select(['username', 'display_name'])
      .where('disabled', '=', 0)
      .where((eb) => eb.or([sql<boolean>`username like ${pattern} escape '\\'`, sql<boolean>`lower(display_name) like ${pattern} escape '\\'`]))
      .orderBy(sql`case when username like ${pattern} escape '\\' then 0 else 1 end`)
      .orderBy('username')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ username: row.username, ...(row.display_name ? { displayName: row.display_name } : {}) }));
  }

  async any(): Promise<boolean> {
    return (await this.db.kysely.selectFrom('users').select('username').limit(1).executeTakeFirst()) !== undefined;
  }

  /**
   * False when there is no such user. Disabling ends every token issued so far (`revokedBefore`, which enabling
   * leaves alone) and records a `user` revocation, which drops live sockets.
   */
  async setDisabled(username: string, disabled: boolean): Promise<boolean> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const cutoff = disabled ? cutoffNow() : undefined;
      const result = await trx
        .updateTable('users')
        .set({ disabled: disabled ? 1 : 0, ...(cutoff ? { revoked_before: cutoff } : {}) })
        .where('username', '=', username)
        .executeTakeFirst();
      const found = Number(result.numUpdatedRows) > 0;
      if (found) await announce(trx, disabled ? 'user' : 'standing', username);
      return found;
    });
  }

  /**
   * A new password hash; every token issued before now dies (`revokedBefore`). With `dropSockets` a `user`
   * revocation closes every live socket too (the CLI); a user changing their own password keeps theirs, and the
   * caller revokes the other logins by family. Returns the cutoff, or undefined when there is no such local user.
   */
  async setPassword(username: string, passwordHash: string, dropSockets: boolean): Promise<number | undefined> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const cutoff = cutoffNow();
      const result = await trx
        .updateTable('users')
        .set({ password_hash: passwordHash, revoked_before: cutoff })
        .where('username', '=', username)
        .where('password_hash', 'is not', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      await announce(trx, dropSockets ? 'user' : 'standing', username);
      return cutoff;
    });
  }
}

/**
 * The cutoff for "issued before now": 1 ms ahead, so a token issued in this very millisecond (before the change
 * was committed) is dead too. Whoever issues the next token waits past it (see TokenSessions.issue).
 */
function cutoffNow(): number {
  return Date.now() + 1;
}

/**
 * Tells every node through the feed: `user` drops the user's live sockets; `standing` only makes the nodes read
 * the account again (each keeps it in memory for the handshake).
 */
async function announce(trx: Transaction<Database>, kind: 'user' | 'standing', username: string): Promise<void> {
  const now = Date.now();
  await trx
    .insertInto('revocations')
    .values({ kind, value: username, expires_at: now + FEED_RETENTION_MS, created_at: now })
    .execute();
}

function toUser(row: Row<'users'>): User {
  return {
    username: row.username,
    ...(row.password_hash !== null ? { passwordHash: row.password_hash } : {}),
    ...(row.issuer !== null ? { issuer: row.issuer } : {}),
    scopes: scopeList(row.scopes),
    disabled: Number(row.disabled) !== 0,
    createdAt: Number(row.created_at),
    ...(row.revoked_before !== null ? { revokedBefore: Number(row.revoked_before) } : {}),
    ...(row.display_name ? { displayName: row.display_name } : {}),
  };
}
