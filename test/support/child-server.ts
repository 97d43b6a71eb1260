// A Parley in a process of its own (`node dist/src/cli.js serve`), for tests that measure the server: its memory
// (RSS from /proc) must not include the test's clients, and a server that misbehaves must not take the test down.
// Its /metrics takes the token of support/metrics.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers.js';
import { METRICS_ENV } from './metrics.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface ChildServer {
  url: string;
  wsUrl: string;
  pid: number;
  /** Resident memory of the server process, in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

/** Starts `parley serve --demo` on a free port with `env` (PARLEY_* settings) and waits until it listens. */
export async function startChildServer(env: Record<string, string> = {}): Promise<ChildServer> {
  const dataDir = tempDir('parley-child-');
  const child = spawn(process.execPath, [CLI, 'serve', '--demo', '--host', '127.0.0.1', '--port', '0', '--data', dataDir], {
    // At info, so that the line saying where it listens is written.
    env: { ...process.env, ...METRICS_ENV, ...env, PARLEY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await listening(child);
  const pid = child.pid!;
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    pid,
    rss() {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads the server's JSON log until Fastify says where it listens. */
function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('the server did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
    lines.on('line', (line) => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      // Keep draining its log, so the pipe never fills and stalls the server.
      child.stdout!.resume();
      resolve(match[1]!);
    });
  });
}
