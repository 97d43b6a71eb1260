// Secrets never reach the log: the real CLI serves with info logging while a client uses every kind of
// credential, and the captured log is searched for each secret.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let child: ChildProcess;
let log = '';
let url = '';
const dir = tempDir('parley-log-');

before(async () => {
  child = spawn(process.execPath, ['bin/parley.js', 'serve', '--port', '0', '--data', dir, '--demo', '--log-level', 'trace'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH },
  });
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!url) {
    if (Date.now() > deadline) throw new Error(`the server did not start:\n${log}`);
    url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1] ?? '';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

after(() => {
  child.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('passwords, tokens, refresh tokens, tickets and cookies never appear in the log', async () => {
  const password = 'secret';
  const grant = (await (await fetch(`${url}/token`, { method: 'POST', body: new URLSearchParams({ username: 'johndoe', password }) })).json()) as {
    access_token: string;
    refresh_token: string;
  };
  const wsUrl = url.replace('http', 'ws');
  const viaHeader = await Client.open(`${wsUrl}/ws`, { headers: { authorization: `Bearer ${grant.access_token}` } });
  const viaCookie = await Client.open(`${wsUrl}/ws`, { headers: { cookie: `parley_token=${grant.access_token}` } });
  const { ticket } = (await (
    await fetch(`${url}/ws-ticket`, { method: 'POST', headers: { authorization: `Bearer ${grant.access_token}` } })
  ).json()) as { ticket: string };
  const viaTicket = await Client.open(`${wsUrl}/ws?ticket=${ticket}`);
  const login = await fetch(`${url}/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: 'johndoe', password, next: '/' }),
    redirect: 'manual',
  });
  const cookie = login.headers.getSetCookie().join('; ');
  await fetch(`${url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: grant.refresh_token }) });
  for (const client of [viaHeader, viaCookie, viaTicket]) {
    assert.equal((await client.next()).type, 'welcome');
    client.close();
  }
  await new Promise((resolve) => setTimeout(resolve, 300)); // let the last lines arrive

  assert.match(log, /"path":"\/ws"/, 'the log does record the requests');
  const secrets = {
    password: `"${password}"`,
    'access token': grant.access_token,
    'access token signature': grant.access_token.split('.')[2]!,
    'refresh token': grant.refresh_token,
    ticket,
    'login cookie': /parley_token=([^;]+)/.exec(cookie)![1]!,
  };
  for (const [name, secret] of Object.entries(secrets)) {
    assert.ok(!log.includes(secret), `the log contains the ${name}`);
  }
});
