// The server under test, in its own process so it never shares an event loop (or a core's time slice)
// with the load generator. Forked by run.ts as `node dist/bench/servers.js ws|parley`; talks over IPC only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/server.js';

export type ServerKind = 'ws' | 'parley';
export type ToChild = { type: 'cpu' } | { type: 'stop' };
/** `cpu` is process.cpuUsage() user+system in µs, so the parent can charge server CPU to each run. */
export type FromChild = { type: 'ready'; port: number } | { type: 'cpu'; micros: number };

interface Started {
  port: number;
  stop(): Promise<void>;
}

/**
 * The baseline: the least a ws server can do for the same client code. /echo mirrors Parley's /secured-ws
 * (a welcome, then "You wrote: …"); /relay is the ws README's broadcast loop, with no auth and no storage.
 */
async function startBare(): Promise<Started> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 });
  await once(wss, 'listening');
  const relay = new Set<WebSocket>();
  wss.on('connection', (socket, request) => {
    if (request.url === '/echo') {
      socket.send('Welcome anonymous!');
      socket.on('message', (data) => socket.send(`You wrote: ${data.toString()}`));
    } else if (request.url === '/relay') {
      relay.add(socket);
      socket.on('close', () => relay.delete(socket));
      socket.on('message', (data, isBinary) => {
        for (const client of relay) if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
      });
    } else {
      socket.close(1008, 'unknown path');
    }
  });
  return {
    port: (wss.address() as { port: number }).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/**
 * Parley as a user runs it (demo users, SQLite in a fresh temp dir), with logging off and the per-socket
 * flood control (PARLEY_WS_FRAME_RATE, 100 frames/s by default, close 4029) lifted: the clients here send
 * as fast as the server answers, on purpose. The budget check itself still runs on every frame.
 */
async function startParley(): Promise<Started> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const env = { PARLEY_LOG_LEVEL: 'silent', PARLEY_WS_FRAME_RATE: '1000000' };
  const config = loadConfig(env, { port: '0', data: dataDir, demo: true });
  const app = await buildServer(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    port: (app.server.address() as { port: number }).port,
    async stop() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const kind = process.argv[2] as ServerKind;
  if (!process.send) throw new Error('servers.js is started by bench/run.js (it needs an IPC channel)');
  const server = kind === 'parley' ? await startParley() : kind === 'ws' ? await startBare() : undefined;
  if (!server) throw new Error(`unknown server kind "${kind}" (ws|parley)`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop().catch((error) => console.error('bench server stop failed:', error));
    process.exit(0);
  };
  process.on('message', (message: ToChild) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ type: 'cpu', micros: user + system } satisfies FromChild);
    } else if (message.type === 'stop') void stop();
  });
  // The parent died or dropped us: never linger as an orphan holding a port and a temp dir.
  process.on('disconnect', () => void stop());
  process.send({ type: 'ready', port: server.port } satisfies FromChild);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
