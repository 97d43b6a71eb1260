// A password-hashing thread (see HashThreads): argon2id, synchronously, on a thread of its own at the lowest CPU
// priority, so when the core is contended the event loop — chat — runs first and the sign-in waits.
import fs from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { hashSync, type Options, verifySync } from '@node-rs/argon2';

export type HashJob = { id: number; options: Options } & ({ op: 'hash'; password: string } | { op: 'verify'; hash: string; password: string });
export type HashAnswer = { id: number; value: string | boolean } | { id: number; error: string };

lowestPriority();
parentPort!.on('message', (job: HashJob) => {
  try {
    const value = job.op === 'hash' ? hashSync(job.password, job.options) : verifySync(job.hash, job.password, job.options);
    parentPort!.postMessage({ id: job.id, value } satisfies HashAnswer);
  } catch (error) {
    parentPort!.postMessage({ id: job.id, error: (error as Error).message } satisfies HashAnswer);
  }
});

/**
 * Linux: setpriority(2) on a thread id changes that thread alone (nice 19: about 1/70 of the core against a busy
 * nice-0 event loop). Elsewhere there is no thread id to name, and the thread keeps the process's priority.
 */
function lowestPriority(): void {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, 19);
  } catch {
    // not Linux: the hashes still run off the event loop, at normal priority
  }
}
