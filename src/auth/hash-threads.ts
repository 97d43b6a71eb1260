// The threads PasswordHasher hashes on: one per slot of its queue, started when first needed, each doing one hash
// at a time at the lowest CPU priority (hash-thread.ts). Not libuv's pool: its threads run at the event loop's
// priority, so on a loaded core a login storm took chat's CPU (chat p99 ×2.6 during 20 logins, one core).
import { Worker } from 'node:worker_threads';
import type { Options } from '@node-rs/argon2';
import type { HashAnswer, HashJob } from './hash-thread.js';

type Job = { op: 'hash'; password: string } | { op: 'verify'; hash: string; password: string };

interface Thread {
  worker: Worker;
  pending?: { id: number; resolve(value: string | boolean): void; reject(error: Error): void };
}

export class HashThreads {
  private readonly threads: Thread[] = [];
  private nextId = 0;

  constructor(
    private readonly size: number,
    private readonly options: Options,
  ) {}

  hash(password: string): Promise<string> {
    return this.run({ op: 'hash', password }) as Promise<string>;
  }

  verify(hash: string, password: string): Promise<boolean> {
    return this.run({ op: 'verify', hash, password }) as Promise<boolean>;
  }

  /** Ends the threads (a hash in progress is rejected). */
  async close(): Promise<void> {
    await Promise.all(this.threads.splice(0).map((thread) => thread.worker.terminate()));
  }

  /** The caller (PasswordHasher's queue) never runs more than `size` at once, so a free thread exists or can start. */
  private run(job: Job): Promise<string | boolean> {
    const thread = this.threads.find((t) => !t.pending) ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending = { id, resolve, reject };
      thread.worker.ref(); // a CLI command waiting for its hash must not exit
      thread.worker.postMessage({ ...job, id, options: this.options } satisfies HashJob);
    });
  }

  private start(): Thread {
    if (this.threads.length >= this.size) throw new Error(`more than ${this.size} hashes at once`);
    const thread: Thread = { worker: new Worker(new URL('./hash-thread.js', import.meta.url)) };
    thread.worker.on('message', (answer: HashAnswer) => {
      const pending = thread.pending;
      if (pending?.id !== answer.id) return;
      thread.pending = undefined;
      thread.worker.unref(); // an idle hashing thread does not keep a process alive
      if ('error' in answer) pending.reject(new Error(answer.error));
      else pending.resolve(answer.value);
    });
    const lost = (error: Error) => {
      const at = this.threads.indexOf(thread);
      if (at >= 0) this.threads.splice(at, 1);
      thread.pending?.reject(error);
      thread.pending = undefined;
    };
    thread.worker.on('error', lost);
    thread.worker.on('exit', () => lost(new Error('the password hashing thread stopped')));
    this.threads.push(thread);
    return thread;
  }
}
