// Child processes of the fault suite (Parley nodes, redis-server, the CLI): spawned with their output in a log
// file, tracked so that none outlives the test process, even when a test fails or times out.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

const live = new Set<ChildProcess>();
// Last resort: whatever is still running when this process exits is killed (synchronously, as 'exit' needs).
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class Child {
  readonly process: ChildProcess;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<Exit>;
  exit?: Exit;

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv, logPath: string, header: string, stdin?: string) {
    fs.appendFileSync(logPath, `\n===== ${new Date().toISOString()} ${header}\n`);
    const out = fs.openSync(logPath, 'a');
    this.process = spawn(command, args, { env, stdio: [stdin === undefined ? 'ignore' : 'pipe', out, out] });
    fs.closeSync(out); // the child holds its own copy
    if (stdin !== undefined) this.process.stdin!.end(stdin);
    live.add(this.process);
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        live.delete(this.process);
        resolve((this.exit = { code, signal, at: Date.now() }));
      });
      this.process.once('error', () => {
        live.delete(this.process);
        resolve((this.exit = { code: null, signal: null, at: Date.now() }));
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Sends the signal and waits (up to `ms`) for the exit; escalates to SIGKILL when it does not come. */
  async stop(signal: NodeJS.Signals = 'SIGKILL', ms = 10_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.process.kill(signal);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), ms);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

/** A port that was free a moment ago (bound on 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `every` ms until it answers true; false once `ms` have passed. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number, every = 50): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(every);
  }
}

/**
 * The last `lines` lines of a log file's latest section, for failure messages. Indented lines (the dumps of
 * objects that an uncaught error drags along) are left out: the error's own lines are what explain a crash.
 */
export function crashLines(logPath: string, lines = 8): string {
  try {
    const latest = fs.readFileSync(logPath, 'utf8').split('\n===== ').at(-1)!;
    return latest
      .split('\n')
      .filter((line) => line.trim() && !/^[\s}\]]/.test(line))
      .slice(-lines)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

/** The last `lines` lines of a log file (for failure messages). */
export function tail(logPath: string, lines = 15): string {
  try {
    return fs.readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
