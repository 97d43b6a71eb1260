// Test support: a real Parley on port 0 with a temp data dir, and real ws/fetch clients.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { DEMO_USERS } from '../src/auth/accounts.js';
import { type Config, loadConfig } from '../src/config.js';
import { buildServer } from '../src/server.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';

export interface RunningServer {
  app: FastifyInstance;
  config: Config;
  url: string;
  wsUrl: string;
  dataDir: string;
  /** Stops the server; the data dir stays until `cleanup` (so a test can restart on it). */
  stop(): Promise<void>;
  cleanup(): Promise<void>;
}

export function tempDir(prefix = 'parley-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Starts Parley with the demo users (unless `demo: false`); `env` takes PARLEY_* settings as a user would give
 * them. `wrapStore` hands the server a view of its store (e.g. with latency) as a part.
 */
export async function startServer(
  env: Record<string, string> = {},
  dataDir = tempDir(),
  options: { wrapStore?: (store: Store) => Store; demo?: boolean } = {},
): Promise<RunningServer> {
  const config = loadConfig({ PARLEY_LOG_LEVEL: 'silent', ...env }, { port: '0', data: dataDir, demo: options.demo ?? true });
  const store = options.wrapStore ? await openStore(config) : undefined;
  const app = await buildServer(config, store ? { store: options.wrapStore!(store) } : {});
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await app.close();
      await store?.close();
    })());
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    dataDir,
    stop,
    async cleanup() {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The demo users' passwords (--demo seeds the recipe's users). */
export const DEMO_PASSWORDS: Record<string, string> = Object.fromEntries(DEMO_USERS.map((u) => [u.username, u.password]));

/**
 * Registers a suite's hooks (call it inside the describe): a Parley started with `env` before the tests and
 * cleaned up after them, `beforeStop` first. The returned server is filled in when the suite starts.
 */
export function serverSuite(env: Record<string, string> = {}, beforeStop: () => void | Promise<void> = () => {}): RunningServer {
  const server = {} as RunningServer;
  before(async () => {
    Object.assign(server, await startServer(env));
  });
  after(async () => {
    await beforeStop();
    await server.cleanup?.();
  });
  return server;
}

export async function tokenRequest(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${url}/token`, { method: 'POST', body: new URLSearchParams(fields) });
}

export async function getToken(url: string, username = 'johndoe', password = DEMO_PASSWORDS[username] ?? '', scope?: string): Promise<string> {
  const response = await tokenRequest(url, { username, password, ...(scope ? { scope } : {}) });
  if (response.status !== 200) throw new Error(`token for ${username}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export interface Refusal {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Opens a socket expecting the server to refuse the upgrade; resolves with the HTTP answer. */
export function expectRefusal(url: string, options: WebSocket.ClientOptions = {}, protocols?: string[]): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols, options);
    socket.on('open', () => {
      socket.close();
      reject(new Error('the upgrade was accepted'));
    });
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    socket.on('error', (error) => reject(error));
  });
}

/** A connected client that queues what it receives, so tests can await frames in order. */
export class Client {
  readonly received: unknown[] = [];
  private waiters: (() => void)[] = [];
  closed?: { code: number; reason: string };

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const text = data.toString();
      this.received.push(isBinary ? data : parseOrText(text));
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static open(url: string, options: WebSocket.ClientOptions = {}, protocols?: string[]): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols, options);
      const client = new Client(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  /** Opens /ws with a bearer token and waits for the welcome frame. */
  static async chat(server: Pick<RunningServer, 'wsUrl'>, token: string): Promise<Client> {
    const client = await Client.open(`${server.wsUrl}/ws`, { headers: { authorization: `Bearer ${token}` } });
    await client.next((f) => f.type === 'welcome');
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  private cursor = 0;

  /** The next frame (after those already taken) that matches; frames skipped over are consumed. */
  async next(match: (frame: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.received.length) {
        const frame = this.received[this.cursor++] as Frame;
        if (match(frame)) return frame;
      }
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received: ${JSON.stringify(this.received.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the server to close the socket. */
  async closedWith(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket still open');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closed;
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

// Frames are JSON objects whose fields tests read freely.
// biome-ignore lint/suspicious/noExplicitAny: frames are read field by field in assertions.
export type Frame = Record<string, any>;

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Retries `check` until it resolves without throwing, for at most `timeoutMs`; then lets its error through.
 * For what the server promises within a bound, e.g. a change made by another process reaching a node through
 * the revocation feed (polled every 500 ms).
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
