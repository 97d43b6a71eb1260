// `parley chat`, spawned as a user runs it, talking to an SDK client through a real server.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import net from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ParleyApi } from 'parley-chat-client';
import { getToken, type RunningServer, serverSuite } from '../helpers.js';
import { closeClients, loggedIn, next, sleep, until } from './support.js';

// This file runs as dist/test/client/terminal.test.js: the repository root is three levels up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/parley.js', import.meta.url));

interface Chat {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function chat(server: Pick<RunningServer, 'url'>, user: string, ...args: string[]): Chat {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PARLEY_')));
  const child = spawn(process.execPath, [BIN, 'chat', '--url', server.url, '--user', user, '--password-stdin', ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

describe('parley chat', () => {
  const children: Chat[] = [];
  const server = serverSuite({}, () => {
    for (const { child } of children) child.kill();
    closeClients();
  });

  test('logs in, sends what is typed, prints what others say as [HH:MM] user: body, and /quit exits 0', async () => {
    const jane = await loggedIn(server, 'janedoe');
    await jane.join('general');
    const fromTerminal = next(jane, 'message', (m) => m.body === 'hello from the terminal', 15_000);

    const terminal = chat(server, 'johndoe');
    children.push(terminal);
    terminal.child.stdin.write('secret\nhello from the terminal\n');
    const message = await fromTerminal;
    assert.equal(message.user, 'johndoe');
    await until(() => terminal.stdout().includes('johndoe: hello from the terminal'), 'its own line, back from the server');
    assert.match(terminal.stdout(), /^\[\d\d:\d\d\] johndoe: hello from the terminal$/m);

    await jane.send('general', 'hi terminal \u001b[31mred\u001b[0m');
    await until(() => terminal.stdout().includes('janedoe: hi terminal'), 'the reply on the terminal', 5000);
    assert.match(terminal.stdout(), /^\[\d\d:\d\d\] janedoe: hi terminal \\u001b\[31mred\\u001b\[0m$/m, 'escape sequences are shown, not obeyed');
    assert.match(terminal.stderr(), /joined #general/);

    terminal.child.stdin.write('/quit\n');
    assert.equal(await terminal.exited, 0, terminal.stderr());
    jane.close();
  });

  test('a wrong password exits 1 and says so', async () => {
    const terminal = chat(server, 'johndoe');
    children.push(terminal);
    terminal.child.stdin.end('wrong\n');
    assert.equal(await terminal.exited, 1);
    assert.match(terminal.stderr(), /^parley: incorrect username or password$/m);
    assert.equal(terminal.stdout(), '');
  });

  test('an empty password on stdin exits 2 in one sentence, without asking the server', async () => {
    const terminal = chat(server, 'johndoe');
    children.push(terminal);
    terminal.child.stdin.end('');
    assert.equal(await terminal.exited, 2);
    assert.equal(terminal.stderr(), 'parley: no password on standard input\n');
  });

  test('a server that is not there: exit 1, saying it cannot be reached and why', async () => {
    // A port nothing listens on: bound, then let go.
    const probe = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const url = `http://127.0.0.1:${port}`;
    const terminal = chat({ url }, 'johndoe');
    children.push(terminal);
    terminal.child.stdin.end('secret\n');
    assert.equal(await terminal.exited, 1);
    assert.equal(terminal.stderr(), `parley: cannot reach the Parley server at ${url}: is it running? (connect ECONNREFUSED 127.0.0.1:${port})\n`);
  });

  test('a room that cannot be joined exits 1 and says why', async () => {
    const terminal = chat(server, 'johndoe', '--room', 'nowhere');
    children.push(terminal);
    terminal.child.stdin.end('secret\n');
    assert.equal(await terminal.exited, 1);
    assert.match(terminal.stderr(), /^parley: cannot join nowhere: no room named nowhere$/m);
  });

  test('end of input sends what was piped, waits for the acks, and exits 0', async () => {
    const jane = await loggedIn(server, 'janedoe');
    await jane.join('general');
    const piped = next(jane, 'message', (m) => m.body === 'piped and gone', 15_000);
    const terminal = chat(server, 'johndoe');
    children.push(terminal);
    terminal.child.stdin.end('secret\npiped and gone\n');
    assert.equal(await terminal.exited, 0, terminal.stderr());
    assert.equal((await piped).user, 'johndoe');
    jane.close();
  });

  test('/search prints hits, /dm opens a DM that typed lines then go to, and every message shown is reported read', async () => {
    const jane = await loggedIn(server, 'janedoe');
    await jane.join('general');
    const terminal = chat(server, 'johndoe');
    children.push(terminal);
    terminal.child.stdin.write('secret\n');
    await until(() => terminal.stderr().includes('joined #general'), 'joined', 15_000);
    const { seq } = await jane.send('general', 'the terminal reads this zebra crossing');
    await until(() => terminal.stdout().includes('zebra crossing'), 'shown');
    const api = new ParleyApi({ url: server.url, token: await getToken(server.url) });
    const general = async () => (await api.rooms()).find((room) => room.name === 'general')!;
    for (let tries = 0; (await general()).read_seq! < seq && tries < 250; tries++) await sleep(20);
    assert.deepEqual([(await general()).read_seq, (await general()).unread], [seq, 0]);

    terminal.child.stdin.write('/search zebras\n');
    await until(() => /^ {2}#general seq \d+ \[\d\d:\d\d\] janedoe: .*\*zebra\* crossing/m.test(terminal.stdout()), 'the hit, its match marked');

    const added = next(jane, 'room_added');
    terminal.child.stdin.write('/dm janedoe\n');
    const dm = await added;
    await until(() => terminal.stderr().includes('now in the DM with'), 'in the DM');
    assert.match(terminal.stderr(), /^\* now in the DM with janedoe$/m, 'by the other person, not yourself');
    assert.match(terminal.stderr(), /^\* the DM with @janedoe is now yours \(dm\)$/m);
    terminal.child.stdin.write('hello in private\n');
    const inDm = next(jane, 'message', (m) => m.room === dm.room);
    await jane.join(dm.room);
    assert.equal((await inDm).body, 'hello in private');
    terminal.child.stdin.write('/rooms\n');
    await until(() => terminal.stdout().includes('  @janedoe (DM) ← here'), 'the room list');
    terminal.child.stdin.write('/nope\n/quit\n');
    assert.equal(await terminal.exited, 0, terminal.stderr());
    assert.match(terminal.stderr(), /unknown command \/nope/);
    assert.doesNotMatch(terminal.stdout() + terminal.stderr(), /#dm-/, "a DM's id is never shown");
    jane.close();
  });
});
