// The Store contract on the machine's real PostgreSQL, in a schema of its own for this run.
import { openPostgresStore } from '../../src/store/postgres.js';
import { freshSchema } from '../support/services.js';
import { storeContract } from './contract.js';

let drop = async () => {};
storeContract(
  'PostgreSQL',
  async () => {
    const schema = await freshSchema();
    drop = schema.drop;
    return openPostgresStore(schema.url, { timeoutMs: 5000, onError: () => {} });
  },
  () => drop(),
  ['postgres'],
);
