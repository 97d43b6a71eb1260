// The Store contract on the machine's real PostgreSQL, in a schema of its own for this run.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.js';
import { storeContract } from './contract.js';
import { postgresAvailable, POSTGRES_URL } from '../support/services.js';

const schema = `parley_${randomBytes(6).toString('hex')}`;
const url = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;

if (await postgresAvailable()) {
  storeContract(
    'PostgreSQL',
    async () => {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      return openPostgresStore(url);
    },
    async () => {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    },
  );
}
