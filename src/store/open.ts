// Chooses the store engine from config and brings its schema up to date.
import fs from 'node:fs';
import type { Config } from '../config.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export async function openStore(config: Config): Promise<Store> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  if (config.databaseUrl) throw new Error('PostgreSQL support lands with the scale-out issue; unset PARLEY_DATABASE_URL');
  const store = openSqliteStore(config.dataDir);
  await store.migrate();
  return store;
}
