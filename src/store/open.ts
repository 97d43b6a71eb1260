// Chooses the store engine from config and brings its schema up to date.
import fs from 'node:fs';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export async function openStore(settings: { dataDir: string; databaseUrl?: string | undefined }): Promise<Store> {
  fs.mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const store = settings.databaseUrl ? openPostgresStore(settings.databaseUrl) : openSqliteStore(settings.dataDir);
  await store.migrate();
  return store;
}
