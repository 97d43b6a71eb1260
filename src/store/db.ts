// What every table's queries need: the Kysely handle, which engine is behind it, and how it words a
// unique-constraint violation.
import type { Kysely } from 'kysely';
import type { Database, Engine } from './schema.js';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly engine: Engine;
  isUniqueViolation(error: unknown): boolean;
}

export type Row<T extends keyof Database> = Database[T];

/** Scopes are stored space-delimited, as OAuth2 writes them. */
export const scopeList = (text: string): string[] => text.split(' ').filter(Boolean);
