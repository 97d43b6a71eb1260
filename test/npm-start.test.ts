// `npm start` as a process manager runs it: SIGTERM goes to npm, and must reach the server, which drains and
// exits. npm runs a script through `sh -c`, which does not pass signals on: without `exec` in the script the
// shell died and the server was left running, orphaned, holding its port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = tempDir('parley-npm-start-');
let serverPid: number | undefined;

after(() => {
  if (serverPid !== undefined && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('SIGTERM to `npm start` drains the server and it exits', async () => {
  // The npm that belongs to the Node running the tests (.ci/node puts both on PATH).
  const npm = path.join(path.dirname(process.execPath), 'npm');
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PARLEY_'))), PARLEY_DATA_DIR: dir };
  const child = spawn(fs.existsSync(npm) ? npm : 'npm', ['start', '--', '--port', '0'], { cwd: ROOT, env });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!/Server listening at/.test(log)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not start the server:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  serverPid = Number(/"pid":(\d+)/.exec(log)?.[1]);
  assert.ok(serverPid > 0 && serverPid !== child.pid, 'the server is npm’s child, with a pid of its own');

  child.kill('SIGTERM');
  const gone = Date.now() + 15_000;
  while (alive(serverPid) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(alive(serverPid), false, `the server outlived npm (orphaned); log:\n${log}`);
  assert.match(log, /SIGTERM: draining, then shutting down/);
});
