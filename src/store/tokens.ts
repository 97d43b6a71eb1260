// What outlives an access token: refresh tokens (stored hashed, spent once), the append-only revocation feed
// every node tails, and one-time socket tickets.
import type { RefreshToken, RefreshUse, Revocation, RevocationKind } from '../domain/accounts.js';
import { type Db, type Row, scopeList } from './db.js';

export class SqlTokens {
  constructor(private readonly db: Db) {}

  async saveRefreshToken(token: RefreshToken): Promise<void> {
    await this.db.kysely
      .insertInto('refresh_tokens')
      .values({
        token_hash: token.tokenHash,
        family: token.family,
        username: token.username,
        scopes: token.scopes.join(' '),
        expires_at: token.expiresAt,
        used_at: null,
        created_at: token.createdAt ?? Date.now(),
      })
      .execute();
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined> {
    const row = await this.db.kysely.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row && toRefreshToken(row);
  }

  /** Spends a refresh token, atomically: of two concurrent uses, one is `ok` and the other `reused`. */
  async useRefreshToken(tokenHash: string, now: number): Promise<RefreshUse> {
    return this.db.kysely.transaction().execute(async (trx) => {
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

  /** The user's logins (refresh-token families) that can still be refreshed. */
  async liveFamilies(username: string, now: number): Promise<string[]> {
    const rows = await this.db.kysely
      .selectFrom('refresh_tokens')
      .select('family')
      .distinct()
      .where('username', '=', username)
      .where('expires_at', '>', now)
      .execute();
    return rows.map((row) => row.family);
  }

  /** Records a revocation; `expiresAt` is when the revoked thing would be dead anyway. */
  async revoke(kind: RevocationKind, value: string, expiresAt: number): Promise<void> {
    await this.db.kysely.insertInto('revocations').values({ kind, value, expires_at: expiresAt, created_at: Date.now() }).execute();
  }

  async isRevoked(tokenId: string, family: string | undefined): Promise<boolean> {
    const row = await this.db.kysely
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

  /** The feed after `id`, oldest first. */
  async revocationsAfter(id: number): Promise<Revocation[]> {
    const rows = await this.db.kysely
      .selectFrom('revocations')
      .select(['id', 'kind', 'value', 'expires_at'])
      .where('id', '>', id)
      .orderBy('id', 'asc')
      .limit(1000)
      .execute();
    return rows.map(toRevocation);
  }

  /** Every token and family revocation still in force: what a node loads before it tails the feed. */
  async activeRevocations(now: number): Promise<Revocation[]> {
    const rows = await this.db.kysely
      .selectFrom('revocations')
      .select(['id', 'kind', 'value', 'expires_at'])
      .where('kind', 'in', ['token', 'family'])
      .where('expires_at', '>', now)
      .execute();
    return rows.map(toRevocation);
  }

  async lastRevocationId(): Promise<number> {
    const row = await this.db.kysely
      .selectFrom('revocations')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  async saveTicket(ticketHash: string, payload: string, expiresAt: number): Promise<void> {
    await this.db.kysely.insertInto('ws_tickets').values({ ticket_hash: ticketHash, principal: payload, expires_at: expiresAt, used: 0 }).execute();
  }

  /** The ticket's payload if it exists, is unexpired and unused; it is spent by this call. */
  async redeemTicket(ticketHash: string, now: number): Promise<string | undefined> {
    const spent = await this.db.kysely
      .updateTable('ws_tickets')
      .set({ used: 1 })
      .where('ticket_hash', '=', ticketHash)
      .where('used', '=', 0)
      .where('expires_at', '>', now)
      .returning('principal')
      .executeTakeFirst();
    return spent?.principal;
  }

  /** Deletes expired tickets, refresh tokens and revocations. */
  async prune(now: number): Promise<void> {
    const db = this.db.kysely;
    await db.deleteFrom('ws_tickets').where('expires_at', '<=', now).execute();
    await db.deleteFrom('refresh_tokens').where('expires_at', '<=', now).execute();
    // Keep the newest revocation even if expired: the feed's position must never move backwards.
    const last = await this.lastRevocationId();
    await db.deleteFrom('revocations').where('expires_at', '<=', now).where('id', '<', last).execute();
  }
}

function toRevocation(row: Pick<Row<'revocations'>, 'kind' | 'value' | 'expires_at'> & { id: number }): Revocation {
  return { id: Number(row.id), kind: row.kind, value: row.value, expiresAt: Number(row.expires_at) };
}

function toRefreshToken(row: Row<'refresh_tokens'>): RefreshToken {
  return {
    tokenHash: row.token_hash,
    family: row.family,
    username: row.username,
    scopes: scopeList(row.scopes),
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  };
}
