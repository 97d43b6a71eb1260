import fs from 'node:fs';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers.js';
import { storeContract } from './contract.js';

const dir = tempDir('parley-sqlite-');
storeContract(
  'SQLite',
  async () => openSqliteStore(dir),
  async () => fs.rmSync(dir, { recursive: true, force: true }),
);
