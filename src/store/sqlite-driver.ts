// The one way Parley opens a SQLite file (the store and the data-dir lock alike), so the Node check comes first:
// better-sqlite3 13 is a Node-API 10 addon, and on an older Node (20) opening a database crashes the process with a
// segmentation fault instead of throwing.
import SQLite from 'better-sqlite3';
import { ConfigError } from '../config.js';

export type SqliteDatabase = SQLite.Database;
export type SqliteStatement = SQLite.Statement;

export function openSqliteFile(file: string, options?: SQLite.Options): SqliteDatabase {
  if (Number(process.versions.napi) < 10) {
    throw new ConfigError(`SQLite needs Node 22 or 24 (Node-API 10), and this is Node ${process.version}: run Parley on a supported Node`);
  }
  return new SQLite(file, options);
}
