// A socket that closes while its join is still checking access must not stay behind as an online ghost.
// The store answers slowly here (real SQLite, with delays), so the close lands inside the join.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, getToken, type RunningServer, startServer } from '../helpers.js';
import { type StoreLatency, withLatency } from '../support/store-latency.js';

let latency: StoreLatency;
let server: RunningServer;

before(async () => {
  server = await startServer({}, undefined, {
    wrapStore: (store) => {
      const slowed = withLatency(store, () => 1); // every read waits the full readMs
      latency = slowed.latency;
      return slowed.store;
    },
  });
});
after(async () => {
  await server.cleanup();
});

test('a socket closed mid-join leaves no ghost in presence or the member list', async () => {
  const watcher = await Client.chat(server, await getToken(server.url, 'janedoe'));
  watcher.send({ type: 'join', room: 'general' });
  await watcher.next((f) => f.type === 'joined');

  latency.readMs = 150;
  const ghost = await Client.chat(server, await getToken(server.url, 'johndoe'));
  ghost.send({ type: 'join', room: 'general' });
  await new Promise((resolve) => setTimeout(resolve, 50)); // the join is waiting on the store now
  ghost.socket.terminate();
  // Let the ghost's join run out (its store reads still take 150 ms on each side) before looking.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  latency.readMs = 0;

  const late = await Client.chat(server, await getToken(server.url, 'janedoe'));
  late.send({ type: 'join', room: 'general' });
  assert.deepEqual((await late.next((f) => f.type === 'joined')).members, ['janedoe']);
  // If the watcher saw the ghost arrive, it also saw it go.
  const states = watcher.received
    .filter((f) => (f as { type?: string }).type === 'presence' && (f as { user?: string }).user === 'johndoe')
    .map((f) => (f as { state: string }).state);
  assert.ok(states.length === 0 || states.at(-1) === 'offline', `presence of the ghost: ${states.join(', ')}`);
  watcher.close();
  late.close();
});
