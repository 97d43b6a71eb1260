// Parley nodes as real processes (`node dist/src/cli.js serve`), each on a port of its own with a log file:
// killed with real signals, restarted on the same port, and asked whether they are still alive.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child, crashLines, type Exit, freePort, sleep, tail } from './processes.js';
import { readyz } from './readyz.js';

/** The compiled CLI, next to this file's compiled form: dist/test/cluster → dist/src/cli.js. */
export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

/** The environment of a child: ours without any PARLEY_* setting or test-runner marker, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PARLEY_') && key !== 'NODE_TEST_CONTEXT'));
  return { ...base, ...env };
}

export class ParleyNode {
  private child?: Child;
  /** Exits nobody asked for: a crash. */
  readonly crashes: Exit[] = [];
  private expectingExit = false;

  constructor(
    readonly index: number,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly logPath: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns the process (again, on the same port) and waits until /readyz answers 200. */
  async start(readyWithinMs = 20_000): Promise<void> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `parley-node${this.index}-`));
    const env = childEnv({ ...this.env, PARLEY_PORT: String(this.port), PARLEY_HOST: '127.0.0.1', PARLEY_DATA_DIR: dataDir });
    const child = (this.child = new Child(process.execPath, [CLI, 'serve'], env, this.logPath, `node ${this.index} serve :${this.port}`));
    this.expectingExit = false;
    void child.exited.then((exit) => {
      if (!this.expectingExit) this.crashes.push(exit);
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    const deadline = Date.now() + readyWithinMs;
    while (Date.now() < deadline) {
      if (!child.running) throw new Error(`node ${this.index} exited while starting:\n${tail(this.logPath)}`);
      if ((await readyz(this.url, 1000)).status === 200) return;
      await sleep(100);
    }
    throw new Error(`node ${this.index} not ready within ${readyWithinMs} ms:\n${tail(this.logPath)}`);
  }

  /** A deliberate stop: SIGKILL (a crash we cause) or SIGTERM (a drain); waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGKILL', ms = 15_000): Promise<Exit | undefined> {
    if (!this.child?.running) return this.child?.exit;
    this.expectingExit = true;
    return this.child.stop(signal, ms);
  }

  /** Sends a signal without waiting; the exit that follows is expected. */
  signal(signal: NodeJS.Signals): Promise<Exit> {
    this.expectingExit = true;
    this.child!.process.kill(signal);
    return this.child!.exited;
  }

  /** How the node crashed, with the end of its log, or undefined when it never did. */
  crashReport(): string | undefined {
    if (this.crashes.length === 0) return undefined;
    const how = this.crashes.map((exit) => `code ${exit.code} signal ${exit.signal}`).join(', ');
    return `node ${this.index} (:${this.port}) crashed (${how}); its log ends:\n${crashLines(this.logPath)}`;
  }

  log(): string {
    return fs.existsSync(this.logPath) ? fs.readFileSync(this.logPath, 'utf8') : '';
  }
}

export class Cluster {
  private constructor(readonly nodes: ParleyNode[]) {}

  /** `count` nodes on fresh ports, started together; their logs go to `logDir/node<i>.log`. */
  static async start(count: number, env: Record<string, string>, logDir: string): Promise<Cluster> {
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    const cluster = new Cluster(ports.map((port, i) => new ParleyNode(i, port, env, path.join(logDir, `node${i}.log`))));
    try {
      await Promise.all(cluster.nodes.map((node) => node.start()));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get urls(): string[] {
    return this.nodes.map((node) => node.url);
  }

  /** Every node that crashed without being asked to, described. */
  crashReports(): string[] {
    return this.nodes.map((node) => node.crashReport()).filter((report): report is string => report !== undefined);
  }

  /** Lines of the nodes' logs that report a PostgreSQL deadlock (SQLSTATE 40P01): one per failed frame. */
  deadlockLines(): number {
    return this.nodes.reduce(
      (sum, node) =>
        sum +
        node
          .log()
          .split('\n')
          .filter((line) => /40P01|deadlock detected/.test(line)).length,
      0,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop('SIGKILL')));
  }
}
