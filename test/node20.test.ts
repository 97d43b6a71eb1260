// Node 20 (end-of-life) cannot run the SQLite driver: opening a database there crashed the process with a
// segmentation fault. A person who starts Parley on it gets one sentence and exit 2 instead. The real Node 20 comes
// from the npm registry through .ci/node, as CI fetches its other lines.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';
import { parley } from './support/cli.js';

const CI_NODE = fileURLToPath(new URL('../../.ci/node', import.meta.url));

describe('on Node 20', () => {
  const dir = tempDir('parley-node20-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const node20 = execFileSync(CI_NODE, ['20', 'node', '-p', 'process.execPath'], { encoding: 'utf8', timeout: 120_000 }).trim();

  for (const args of [['serve', '--port', '0'], ['user', 'add', 'alice', '--password-stdin'], ['migrate']]) {
    test(`parley ${args[0]} says which Node it needs and exits 2, without crashing`, async () => {
      const run = await parley(['--data', dir, ...args], { node: node20, stdin: 'alice-password\n' });
      assert.equal(run.code, 2, `exit code (139 is the old segmentation fault); stderr: ${run.stderr}`);
      assert.match(
        run.stderr,
        /^parley: SQLite needs Node 22 or 24 \(Node-API 10\), and this is Node v20\.\d+\.\d+: run Parley on a supported Node\n$/,
      );
    });
  }
});
