// The machine's real services. Under CI=true a missing one fails the run; elsewhere its suites skip, loudly.
import { randomBytes } from 'node:crypto';
import { before, test } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';

export const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function postgresAvailable(): Promise<boolean> {
  return available('PostgreSQL', POSTGRES_URL, async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    await client.connect();
    await client.end();
  });
}

export function redisAvailable(): Promise<boolean> {
  return available('Redis', REDIS_URL, async () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  });
}

const probes = { postgres: postgresAvailable, redis: redisAvailable };

/**
 * Registers, in the current suite, a `before` hook that checks the services are up, and returns a check each
 * test starts with: `if (services.skip(t)) return;`. Registering synchronously matters: node:test cancels
 * tests a file registers only after a top-level await.
 */
export function needs(...names: (keyof typeof probes)[]) {
  let missing: string | undefined;
  before(async () => {
    for (const name of names) if (!(await probes[name]())) missing = `${name} is not reachable`;
  });
  return {
    /** Whether the suite's own hooks should do nothing (the services are missing outside CI). */
    get missing() {
      return missing !== undefined;
    },
    /** `test` for this suite: skipped, with the reason, when the services are missing. */
    test(name: string, fn: () => Promise<void>, options: { timeout?: number } = {}) {
      test(name, options, async (t) => {
        if (missing) return t.skip(missing);
        await fn();
      });
    },
  };
}

async function available(name: string, url: string, probe: () => Promise<void>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`${name} at ${url} is required under CI: ${(error as Error).message}`);
    console.log(`!!! SKIPPING ${name} tests: ${url} unreachable (${(error as Error).message}) !!!`);
    return false;
  }
}

/** A fresh PostgreSQL schema for one test file, and the database URL that puts Parley's tables in it. */
export async function freshSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `parley_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(sql);
    await client.end();
  };
  await admin(`create schema ${schema}`);
  return { url: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`, drop: () => admin(`drop schema ${schema} cascade`) };
}
