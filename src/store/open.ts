// Chooses the store engine from config and brings its schema up to date.
import fs from 'node:fs';
import type { Config } from '../config.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export async function openStore(config: Config): Promise<Store> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = config.databaseUrl ? openPostgresStore(config.databaseUrl) : openSqliteStore(config.dataDir);
  await store.migrate();
  return store;
}
