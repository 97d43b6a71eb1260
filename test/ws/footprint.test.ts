// What an idle authenticated socket costs the server. Once open, a socket must not keep the HTTP upgrade that
// opened it (its headers hold the bearer token, and with Fastify's request and reply they were most of an idle
// socket's heap): the token must be nowhere in the server's memory, and the heap per socket stays within a bound.
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { DEMO_PASSWORDS, type RunningServer, startServer } from '../helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const HOLDER = fileURLToPath(new URL('../support/idle-sockets.js', import.meta.url));
const SOCKETS = 400;
/** About 5 KiB today (bare ws: 4.5); 9.3 when the upgrade request was kept. */
const MAX_HEAP_PER_SOCKET = 7 * 1024;

async function holdSockets(server: RunningServer, count: number): Promise<ChildProcess> {
  const child = fork(HOLDER, [server.url, 'johndoe', DEMO_PASSWORDS.johndoe!, String(count)], { stdio: 'inherit' });
  const [message] = (await once(child, 'message')) as [{ ready?: boolean }];
  assert.ok(message.ready);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.send('stop');
  await exited;
}

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('an idle socket', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ PARLEY_MAX_SOCKETS_PER_USER: String(SOCKETS + 10), PARLEY_MAX_CONNECTIONS_PER_ADDRESS: '0' });
    // Every path once (JIT, lazily built structures) before anything is measured.
    await stop(await holdSockets(server, 20));
  });
  after(() => server.cleanup());

  test('keeps neither its upgrade request nor its bearer token in the server', async () => {
    const holder = await holdSockets(server, 3);
    try {
      gc();
      const snapshot = await new Promise<string>((resolve, reject) => {
        let text = '';
        v8.getHeapSnapshot()
          .setEncoding('utf8')
          .on('data', (chunk: string) => (text += chunk))
          .on('end', () => resolve(text))
          .on('error', reject);
      });
      holder.send('token');
      const [{ token }] = (await once(holder, 'message')) as [{ token: string }];
      // The token's signature alone is proof enough: no other string contains it.
      const signature = token.split('.')[2]!;
      assert.equal(snapshot.includes(signature), false, 'the bearer token is still in the server’s heap');
    } finally {
      await stop(holder);
    }
  });

  test(`costs the server less than ${MAX_HEAP_PER_SOCKET / 1024} KiB of heap`, async () => {
    const before = heapUsed();
    const holder = await holdSockets(server, SOCKETS);
    try {
      const perSocket = (heapUsed() - before) / SOCKETS;
      assert.ok(perSocket < MAX_HEAP_PER_SOCKET, `${(perSocket / 1024).toFixed(1)} KiB of heap per idle socket`);
    } finally {
      await stop(holder);
    }
  });
});
