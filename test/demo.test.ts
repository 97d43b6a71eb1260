// `parley serve --demo` as a recipe reader starts it: the recipe's two users with the recipe's passwords, and, on
// port 0, discovery and tokens that name the address the server really listens on.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { tempDir, tokenRequest } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('parley serve --demo', () => {
  let child: ChildProcess;
  let log = '';
  let url = '';
  const dir = tempDir('parley-demo-');

  before(async () => {
    const args = ['bin/parley.js', 'serve', '--demo', '--port', '0', '--data', dir];
    child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH } });
    child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const deadline = Date.now() + 20_000;
    while (!url) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${log}`);
      url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1] ?? '';
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  after(() => {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('seeds johndoe/secret and janedoe/secret2, as the recipe does, and says so in the log', async () => {
    for (const [username, password] of [
      ['johndoe', 'secret'],
      ['janedoe', 'secret2'],
    ] as const) {
      const response = await tokenRequest(url, { username, password });
      assert.equal(response.status, 200, username);
      assert.equal(decodeJwt(((await response.json()) as { access_token: string }).access_token).sub, username);
    }
    assert.equal((await tokenRequest(url, { username: 'janedoe', password: 'secret' })).status, 400, "janedoe's password is secret2");
    assert.match(log, /DEMO MODE/);
  });

  test('the demo users are not the first account: the first person to register after them is the admin', async () => {
    const register = (username: string) =>
      fetch(`${url}/register`, { method: 'POST', body: new URLSearchParams({ username, password: `${username}-password` }), redirect: 'manual' });
    const scopesOf = async (username: string, scope: string) => {
      const response = await tokenRequest(url, { username, password: username === 'johndoe' ? 'secret' : `${username}-password`, scope });
      return [response.status, ((await response.json()) as { scope?: string; error?: string }).scope ?? 'refused'];
    };
    assert.deepEqual(await scopesOf('johndoe', 'admin'), [400, 'refused'], 'a demo user is never the admin');
    assert.equal((await register('owner')).status, 303);
    assert.equal((await register('second')).status, 303);
    assert.deepEqual(await scopesOf('owner', 'chat:read admin'), [200, 'chat:read admin']);
    assert.deepEqual(await scopesOf('second', 'admin'), [400, 'refused'], 'only the first');
  });

  test('on port 0 the issuer is the real address, in the metadata and in the tokens', async () => {
    const metadata = (await (await fetch(`${url}/.well-known/oauth-authorization-server`)).json()) as { issuer: string; token_endpoint: string };
    assert.equal(metadata.issuer, url);
    assert.equal(metadata.token_endpoint, `${url}/token`);
    const granted = (await (await tokenRequest(url, { username: 'janedoe', password: 'secret2' })).json()) as { access_token: string };
    assert.equal(decodeJwt(granted.access_token).iss, url);
  });
});
