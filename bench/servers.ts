// A Node server under test, in its own process so it never shares an event loop (or a core) with the load
// generator. Started by server-process.ts as `node --expose-gc dist/bench/servers.js parley|ws|socketio`.
// Bun's peer has its own entry (peers/bun.ts), run by the bun binary; both answer the same IPC (ipc.ts).
import { serveParent } from './ipc.js';
import { JwtCheck, secretFromEnv } from './peers/jwt.js';
import { startParley } from './peers/parley.js';
import { startSocketIo } from './peers/socketio.js';
import type { Started } from './peers/started.js';
import { startWs } from './peers/ws.js';

async function main(): Promise<void> {
  const kind = process.argv[2];
  if (!process.send) throw new Error('servers.js is started by the bench runner (it needs an IPC channel)');
  const jwt = new JwtCheck(secretFromEnv(process.env));
  let server: Started;
  if (kind === 'parley') server = await startParley(process.env);
  else if (kind === 'ws') server = await startWs(jwt);
  else if (kind === 'socketio') server = await startSocketIo(jwt);
  else throw new Error(`unknown server kind "${kind}" (parley|ws|socketio)`);
  const gc = (globalThis as { gc?: () => void }).gc;
  serveParent(server, () => gc?.());
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
