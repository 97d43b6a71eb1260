// Parent side of a server under test: spawns it (pinned to the server core), asks it for CPU and memory.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromChild, ToChild } from './ipc.js';

export type PeerName = 'parley' | 'ws' | 'socketio' | 'bun';
export const PEERS: PeerName[] = ['parley', 'ws', 'socketio', 'bun'];
export const PEER_LABELS: Record<PeerName, string> = { parley: 'Parley', ws: 'ws', socketio: 'Socket.IO', bun: 'Bun' };

export interface Pinning {
  /** Cores for servers and for the load generator, or undefined to leave scheduling to the OS. */
  server?: string;
}

/** The bun binary from the npm package `bun` (its postinstall links the platform package's binary). */
export function findBun(): { path?: string; version?: string; reason?: string } {
  let binary: string;
  try {
    binary = path.join(path.dirname(createRequire(import.meta.url).resolve('bun/package.json')), 'bin', 'bun.exe');
  } catch {
    return { reason: 'the npm package `bun` is not installed (npm install --save-dev bun)' };
  }
  try {
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    return { path: binary, version };
  } catch (error) {
    return {
      reason: `${binary} does not run (${(error as Error).message.split('\n')[0]}); was its postinstall allowed? (npm install-scripts approve bun, npm rebuild bun)`,
    };
  }
}

export class ServerProcess {
  private replies: ((message: FromChild) => void)[] = [];

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly port: number,
    /** Parley's data dir: made here, so that it is removed even when the server had to be killed. */
    private readonly dataDir?: string,
  ) {
    child.on('message', (message: FromChild) => this.replies.shift()?.(message));
  }

  /** `env` adds to the child's environment (BENCH_JWT_SECRET, BENCH_DATABASE_URL). */
  static start(peer: PeerName, env: Record<string, string>, pinning: Pinning, name: string = peer): Promise<ServerProcess> {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const command =
      peer === 'bun'
        ? [findBun().path!, path.join(here, 'peers', 'bun.js')]
        : // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profile the servers under load.
          [
            process.execPath,
            '--expose-gc',
            ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
            path.join(here, 'servers.js'),
            peer,
          ];
    const dataDir = peer === 'parley' ? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-')) : undefined;
    if (dataDir) env = { ...env, BENCH_DATA_DIR: dataDir };
    const argv = pinning.server ? ['taskset', '-c', pinning.server, ...command] : command;
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // JSON, not Node's advanced serialization: Bun speaks it too.
      serialization: 'json',
      env: { ...process.env, ...env },
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} server did not start in 30 s`)), 30_000);
      child.once('exit', (code) => reject(new Error(`${name} server exited (${code}) before it was ready`)));
      child.once('message', (message: FromChild) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(new ServerProcess(name, child, message.port, dataDir));
        else reject(new Error(`${name} server: unexpected first message ${JSON.stringify(message)}`));
      });
    });
  }

  private ask(request: ToChild): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} server did not answer ${request.type}`)), 10_000);
      this.replies.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.child.send(request);
    });
  }

  /**
   * The server's CPU time (user + system, every thread) in µs. Read by the kernel's accounting in
   * /proc/PID/stat (10 ms ticks) where there is one, because an overloaded server would answer an IPC question
   * only after its backlog — seconds past the window being measured; over IPC elsewhere.
   */
  async cpuMicros(): Promise<number> {
    const fromProc = procCpuMicros(this.child.pid);
    if (fromProc !== undefined) return fromProc;
    const reply = await this.ask({ type: 'cpu' });
    if (reply.type !== 'cpu') throw new Error(`unexpected ${JSON.stringify(reply)}`);
    return reply.micros;
  }

  async memory(): Promise<{ rss: number; heapUsed: number }> {
    const reply = await this.ask({ type: 'mem' });
    if (reply.type !== 'mem') throw new Error(`unexpected ${JSON.stringify(reply)}`);
    return reply;
  }

  /** Asks for a clean stop, then insists after `graceMs` (a server deep in a backlog may not get to it). */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToChild);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    if (this.dataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Pins this process (every thread: libuv's pool too) to `cores`; false when taskset is missing or refuses. */
export function pinSelf(cores: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-c', '-p', cores, String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let ticksPerSecond: number | undefined;

/** utime + stime of a whole process (all threads) from /proc/PID/stat, in µs; undefined without /proc. */
function procCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis):
    // state is field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6;
  } catch {
    return undefined;
  }
}
