// One server per SQLite data directory: two would each run their own revocation feed position, writer and
// room sequence in one file, and nothing coordinates them. The lock is SQLite's own (an exclusive lock on
// `parley.lock`, held by an open connection): the operating system drops it when the process ends, however it
// ends, so there is no stale lock to clean up. The CLI's user commands do not take it: they are meant to run
// beside a live server. With PostgreSQL several nodes share the data dir for the key, and nothing is locked.
import path from 'node:path';
import { ConfigError } from '../config.js';
import { openSqliteFile, type SqliteDatabase } from './sqlite-driver.js';

export const LOCK_FILE = 'parley.lock';

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  let database: SqliteDatabase | undefined;
  try {
    database = openSqliteFile(file, { timeout: 0 });
    // In exclusive locking mode the write lock taken by the first write is kept until the connection closes.
    database.pragma('locking_mode = EXCLUSIVE');
    database.exec('create table if not exists holder (pid integer, since text); delete from holder;');
    database.prepare('insert into holder values (?, ?)').run(process.pid, new Date().toISOString());
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    database?.close();
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new ConfigError(
        `another Parley server is already using the data directory ${dataDir} (it holds ${file}); stop it, or give this one its own --data`,
      );
    }
    throw new ConfigError(`cannot lock the data directory ${dataDir} (${file}): ${(error as Error).message}`);
  }
  const held = database;
  return { release: () => held.close() };
}
