// The real `parley` command, spawned as an operator runs it, against a data dir a live server also uses.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, type RunningServer, startServer, tempDir, tokenRequest } from './helpers.js';
import { BIN, parley } from './support/cli.js';

function authMe(server: RunningServer, token: string) {
  return fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${token}` } });
}

describe('parley CLI', () => {
  const dir = tempDir('parley-cli-');
  let server: RunningServer | undefined;
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the bin entry point exists and --help prints usage', async () => {
    assert.ok(fs.existsSync(BIN), BIN);
    const run = await parley(['--help']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^usage:/);
    assert.match(run.stdout, /parley user add NAME/);
  });

  test('user commands refuse a data directory that does not exist, and do not create it; add makes it and says where', async () => {
    const missing = path.join(dir, 'no-such-dir');
    const [list, disable] = await Promise.all([parley(['--data', missing, 'user', 'list']), parley(['--data', missing, 'user', 'disable', 'bob'])]);
    const sentence = `parley: no Parley data directory at ${missing} (start the server with --data ${missing} first, or check --data / PARLEY_DATA_DIR)\n`;
    for (const run of [list, disable]) {
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr, sentence);
      assert.equal(run.stdout, '');
    }
    assert.equal(fs.existsSync(missing), false);
    // Provisioning the first account before the first start is how an operator sets a server up.
    const add = await parley(['--data', missing, 'user', 'add', 'bob', '--password-stdin'], { stdin: 'long enough\n' });
    assert.equal(add.code, 0, add.stderr);
    assert.equal(add.stdout, `created user bob (chat:read chat:write admin): the first user, so an admin (a new data directory: ${missing})\n`);
    assert.equal((await parley(['--data', missing, 'user', 'list'])).code, 0);
  });

  test('user list on a server with no users says so, on stderr (stdout stays one line per user)', async () => {
    const run = await parley(['--data', dir, 'user', 'list']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, 'no users yet\n');
    assert.equal(run.stdout, '');
  });

  test('an empty password on stdin is refused in one sentence, not with the server\'s "missing parameter"', async () => {
    const run = await parley(['--data', dir, 'user', 'add', 'bob', '--password-stdin'], { stdin: '' });
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'parley: no password on standard input\n');
    assert.equal(run.stdout, '');
  });

  test('user add reads the password from stdin and creates the user; the first user of a server is its admin', async () => {
    const run = await parley(['--data', dir, 'user', 'add', 'alice', '--password-stdin'], { stdin: 'alice-password\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^created user alice \(chat:read chat:write admin\): the first user, so an admin\n$/);
    assert.equal(run.stderr, '');
  });

  test('adding a taken username fails with exit 2 and says so', async () => {
    const run = await parley(['--data', dir, 'user', 'add', 'alice', '--password-stdin'], { stdin: 'another-password\n' });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^parley: The username alice is taken/);
    assert.equal(run.stdout, '');
  });

  test('a short password or a bad name fails with exit 2 and creates nobody', async () => {
    const short = await parley(['--data', dir, 'user', 'add', 'bob', '--password-stdin'], { stdin: 'short\n' });
    assert.equal(short.code, 2);
    assert.match(short.stderr, /^parley: Passwords need 8 to 1024 characters/);
    const badName = await parley(['--data', dir, 'user', 'add', 'bad name', '--password-stdin'], { stdin: 'long enough\n' });
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /^parley: Usernames are 3 to 32 letters/);
    const list = await parley(['--data', dir, 'user', 'list']);
    assert.doesNotMatch(list.stdout, /^bob\t/m);
    assert.doesNotMatch(list.stdout, /^bad name\t/m);
  });

  test('user list shows alice as active', async () => {
    const run = await parley(['--data', dir, 'user', 'list']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stdout);
    const [name, state, scopes, created] = lines[0]!.split('\t');
    assert.equal(name, 'alice');
    assert.equal(state, 'active');
    assert.equal(scopes, 'chat:read chat:write admin');
    assert.ok(Math.abs(Date.parse(created!) - Date.now()) < 60_000, created);
  });

  test('disable and enable act on a running server (within the feed interval), tokens included', async () => {
    server = await startServer({}, dir);
    const granted = await tokenRequest(server.url, { username: 'alice', password: 'alice-password' });
    assert.equal(granted.status, 200);
    const token = ((await granted.json()) as { access_token: string }).access_token;
    assert.equal((await authMe(server, token)).status, 200);

    const disable = await parley(['--data', dir, 'user', 'disable', 'alice']);
    assert.equal(disable.code, 0, disable.stderr);
    assert.equal(disable.stdout, 'disabled user alice\n');
    const list = await parley(['--data', dir, 'user', 'list']);
    assert.match(list.stdout, /^alice\tdisabled\t/m);

    const refused = await tokenRequest(server.url, { username: 'alice', password: 'alice-password' });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: string }).error, 'invalid_grant');

    // The running server hears of it through the revocation feed (polled every 500 ms).
    const me = await eventually(async () => {
      const answer = await authMe(server!, token);
      assert.equal(answer.status, 401);
      return answer;
    }, 1500);
    assert.equal(me.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    assert.equal(((await me.json()) as { error: string }).error, 'invalid_token');

    const enable = await parley(['--data', dir, 'user', 'enable', 'alice']);
    assert.equal(enable.code, 0, enable.stderr);
    assert.equal(enable.stdout, 'enabled user alice\n');
    // Enabling lets alice log in again; it does not bring back what was issued before the disable.
    assert.equal((await authMe(server, token)).status, 401, 'the unexpired token from before the disable stays dead');
    const again = await tokenRequest(server.url, { username: 'alice', password: 'alice-password' });
    assert.equal(again.status, 200);
    assert.equal((await authMe(server, ((await again.json()) as { access_token: string }).access_token)).status, 200);
  });

  test('disabling an unknown user fails with exit 2 and that sentence alone (usage is for usage mistakes)', async () => {
    const [disable, passwd] = await Promise.all([
      parley(['--data', dir, 'user', 'disable', 'nobody']),
      parley(['--data', dir, 'user', 'passwd', 'nobody', '--password-stdin'], { stdin: 'long enough\n' }),
    ]);
    for (const run of [disable, passwd]) {
      assert.equal(run.code, 2);
      assert.equal(run.stderr, 'parley: no user named nobody\n');
    }
  });

  test('an unknown command fails with exit 2 and the usage', async () => {
    const [run, sub, flag] = await Promise.all([
      parley(['--data', dir, 'frobnicate']),
      parley(['--data', dir, 'user', 'frobnicate']),
      parley(['--no-such-flag']),
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^parley: unknown command "frobnicate"\nusage:/);
    assert.equal(sub.code, 2);
    assert.match(sub.stderr, /^parley: unknown user command "frobnicate"\nusage:/);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--no-such-flag/);
    assert.match(flag.stderr, /usage:/);
  });
});

describe('parley serve configuration errors', () => {
  let dir: string;
  before(() => {
    dir = tempDir('parley-cli-config-');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a bad PARLEY_PORT fails with exit 2 naming it', async () => {
    const run = await parley(['serve', '--data', dir], { env: { PARLEY_PORT: 'abc' } });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^parley: PARLEY_PORT \(--port\) must be a whole number from 0 to 65535, got "abc"/);
  });

  test('a bad flag value names the setting too', async () => {
    const [port, ttl, registration] = await Promise.all([
      parley(['serve', '--data', dir, '--port', '70000']),
      parley(['serve', '--data', dir], { env: { PARLEY_ACCESS_TOKEN_TTL: 'forever' } }),
      parley(['serve', '--data', dir, '--registration', 'maybe']),
    ]);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /PARLEY_PORT \(--port\)/);
    assert.equal(ttl.code, 2);
    assert.match(ttl.stderr, /PARLEY_ACCESS_TOKEN_TTL \(--access-token-ttl\)/);
    assert.equal(registration.code, 2);
    assert.match(registration.stderr, /PARLEY_REGISTRATION \(--registration\)/);
  });
});
