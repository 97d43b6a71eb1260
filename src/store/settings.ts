// Run-time settings kept in the database, so every node of a cluster reads the same value (an admin changes
// them without a restart). A setting never stored falls back to the caller's default (the configuration).
import type { Db } from './db.js';

export class SqlSettings {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.kysely.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db.kysely
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}
