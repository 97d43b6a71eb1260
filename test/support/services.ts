// The machine's real services. Under CI=true a missing one fails the run; elsewhere its suites skip, loudly.
import pg from 'pg';

export const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL at ${POSTGRES_URL} is required under CI: ${(error as Error).message}`);
    console.log(`!!! SKIPPING PostgreSQL tests: ${POSTGRES_URL} unreachable (${(error as Error).message}) !!!`);
    return false;
  }
}
