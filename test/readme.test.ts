// The README's frame, error-code, close-code and configuration tables are the code's, not a copy that drifts:
// this fails when a generated block differs from what scripts/readme-tables.ts renders now.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { ErrorCodes, ServerFrames } from 'parley-chat-protocol';
import { README_PATH, readmeTables, updateReadme } from '../scripts/readme-tables.js';
import { SETTINGS } from '../src/config.js';

test('the README tables match the code (else: run npm run docs)', () => {
  const { stale, missing } = updateReadme(fs.readFileSync(README_PATH, 'utf8'));
  const add = 'add <!-- generated:NAME --> … <!-- /generated --> and run npm run docs';
  assert.deepEqual(missing, [], `README.md lacks the generated block(s) ${missing.join(', ')}: ${add}`);
  assert.deepEqual(stale, [], `README.md's generated block(s) ${stale.join(', ')} differ from the code: run npm run docs`);
});

test('the generated tables carry every frame, code and setting, and notice a change', () => {
  const tables = readmeTables();
  for (const type of Object.keys(ServerFrames)) assert.match(tables['frames-server']!, new RegExp(`^\\| \`${type}[ \`]`, 'm'), type);
  for (const code of Object.keys(ErrorCodes)) assert.ok(tables['error-codes']!.includes(`| \`${code}\` |`), code);
  for (const setting of Object.values(SETTINGS)) assert.ok(tables.config!.includes(`\`${setting.env}\``), setting.env);
  assert.match(tables['close-codes']!, /\| `4403` \| `token revoked` \| do not reconnect \| .*4003/);
  assert.match(tables['close-codes']!, /\| `4001` \|[^\n]*\| reconnect with a new token \|/);
  // A README whose block no longer says what the code says is reported by name.
  const current = updateReadme(fs.readFileSync(README_PATH, 'utf8')).text;
  const edited = current.replace('| `ping` | answered `pong` |', '| `ping` | answered `pong`, eventually |');
  assert.notEqual(edited, current);
  assert.deepEqual(updateReadme(edited).stale, ['frames-client']);
});
