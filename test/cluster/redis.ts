// A private redis-server on a free port, so that stopping and restarting it never touches the machine's Redis.
// No persistence: a restart is an empty Redis, as after a real crash of a cache node.
import fs from 'node:fs';
import net from 'node:net';
import { Child, freePort, waitFor } from './processes.js';

export const REDIS_SERVER = process.env.PARLEY_TEST_REDIS_SERVER ?? '/usr/bin/redis-server';

export class PrivateRedis {
  private child?: Child;

  private constructor(
    readonly port: number,
    readonly logPath: string,
  ) {}

  static async start(logPath: string): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), logPath);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  /** Starts it again on the same port (clients configured with the URL find it there). */
  async restart(): Promise<void> {
    if (this.running) return;
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
    this.child = new Child(REDIS_SERVER, args, process.env, this.logPath, 'redis-server');
    if (!(await waitFor(() => this.pong(), 5000))) throw new Error(`redis-server on ${this.port} did not answer PING`);
  }

  /** Kills it (SIGKILL by default: a crash, not a polite shutdown). */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.child?.stop(signal);
  }

  private pong(): Promise<boolean> {
    if (!this.running) return Promise.resolve(false);
    return new Promise((resolve) => {
      const socket = net.connect(this.port, '127.0.0.1');
      socket.setTimeout(500);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(String(data).startsWith('+PONG'));
      });
      for (const event of ['error', 'timeout'])
        socket.once(event, () => {
          socket.destroy();
          resolve(false);
        });
    });
  }
}

export const redisServerInstalled = () => fs.existsSync(REDIS_SERVER);
