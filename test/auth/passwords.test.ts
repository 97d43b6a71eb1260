// PasswordHasher hashes on threads of its own at the lowest CPU priority, so a login storm yields the core to chat.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { PasswordHasher } from '../../src/auth/passwords.js';
import { eventually } from '../helpers.js';

/** This process's threads at nice 19 (field 19 of /proc/self/task/TID/stat, counted after the command's parenthesis). */
function lowestPriorityThreads(): number {
  let count = 0;
  for (const tid of fs.readdirSync('/proc/self/task')) {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[16] === '19') count++;
  }
  return count;
}

describe('password hashing', () => {
  test('hashes and verifies on lowest-priority threads, and unknown users cost a hash and fail', async () => {
    const before = lowestPriorityThreads();
    const hasher = new PasswordHasher({ concurrency: 2, maxWaiting: 8 });
    const [one, two] = await Promise.all([hasher.hash('correct horse'), hasher.hash('battery staple')]);
    assert.match(one, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(lowestPriorityThreads() - before, 2, 'two hashes at once: two threads, both at nice 19');
    assert.equal(await hasher.verify(one, 'correct horse'), true);
    assert.equal(await hasher.verify(two, 'correct horse'), false);
    assert.equal(await hasher.verify('not a hash', 'correct horse'), false);
    assert.equal(await hasher.verify(undefined, 'correct horse'), false);
    await hasher.close();
    await eventually(async () => assert.equal(lowestPriorityThreads(), before, 'close ends the threads'));
  });

  test('past the queue a hash is refused at once, retryably; the queued ones complete', async () => {
    const hasher = new PasswordHasher({ concurrency: 1, maxWaiting: 1 });
    try {
      const running = hasher.hash('first password');
      const waiting = hasher.hash('second password');
      await assert.rejects(hasher.hash('third password'), (error: Error & { code?: string; retryAfterSeconds?: number }) => {
        assert.equal(error.code, 'unavailable');
        assert.match(error.message, /busy checking other passwords/);
        return true;
      });
      assert.equal(await hasher.verify(await running, 'first password'), true);
      assert.equal(await hasher.verify(await waiting, 'second password'), true);
    } finally {
      await hasher.close();
    }
  });
});
