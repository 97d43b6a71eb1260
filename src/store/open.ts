// Chooses the store engine from config and brings its schema up to date.
import fs from 'node:fs';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store, StoreOptions } from './store.js';

export async function openStore(
  settings: { dataDir: string; databaseUrl?: string | undefined; storeTimeoutSeconds: number },
  onError: StoreOptions['onError'] = () => {},
): Promise<Store> {
  fs.mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const options = { timeoutMs: settings.storeTimeoutSeconds * 1000, onError };
  const store = settings.databaseUrl ? openPostgresStore(settings.databaseUrl, options) : openSqliteStore(settings.dataDir, options);
  await store.migrate();
  return store;
}
