// Chooses the store engine from config and brings its schema up to date.
import fs from 'node:fs';
import { databaseError, dataDirError } from '../startup-errors.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store, StoreOptions } from './store.js';

export async function openStore(
  settings: { dataDir: string; databaseUrl?: string | undefined; storeTimeoutSeconds: number },
  onError: StoreOptions['onError'] = () => {},
): Promise<Store> {
  makeDataDir(settings.dataDir);
  const options = { timeoutMs: settings.storeTimeoutSeconds * 1000, onError };
  const store = settings.databaseUrl ? openPostgresStore(settings.databaseUrl, options) : openSqliteStore(settings.dataDir, options);
  await store.migrate().catch((error: unknown) => {
    throw settings.databaseUrl ? databaseError(error, settings.databaseUrl) : error;
  });
  return store;
}

/** Creates the data directory (owner only) if it is missing, and fails naming --data when it cannot be written to. */
export function makeDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.accessSync(dataDir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    throw dataDirError(error, dataDir);
  }
}
