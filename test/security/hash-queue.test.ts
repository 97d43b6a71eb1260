// Password hashing is the server's most expensive work and anyone can ask for it (an unknown username costs a
// decoy hash). It runs behind a bounded queue: a storm of sign-ins past the queue is answered at once with
// 503 `unavailable` and Retry-After — as JSON at /token, as the form again at /login — nothing hangs, and chat
// on the same server goes on. Chat latency under such a storm is measured in the benchmark, not here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Client, type Frame, getToken, serverSuite } from '../helpers.js';
import { budgetRefusals, METRICS_ENV } from '../support/metrics.js';

const STORM = 100;
const random = () => `u${Math.random().toString(36).slice(2, 12)}`;

describe('the password-hash queue', () => {
  const server = serverSuite({ PARLEY_HASH_CONCURRENCY: '1', PARLEY_HASH_QUEUE: '4', ...METRICS_ENV });

  test(`${STORM} sign-ins at once with random usernames: the excess is refused with 503 and Retry-After; chat goes on`, async () => {
    const chat = await Client.chat(server, await getToken(server.url));
    chat.send({ type: 'join', room: 'general' });
    await chat.next((f) => f.type === 'joined');
    let acks = 0;
    chat.socket.on('message', (data) => {
      if ((JSON.parse(data.toString()) as Frame).type === 'ack') acks++;
    });
    let sent = 0;
    const sending = setInterval(() => chat.send({ type: 'send', room: 'general', body: 'during the storm', clientId: `s${sent++}` }), 10);

    const answers = await Promise.all(
      Array.from({ length: STORM }, async () => {
        const body = new URLSearchParams({ username: random(), password: 'not the password' });
        const response = await fetch(`${server.url}/token`, { method: 'POST', body });
        return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, string> };
      }),
    );
    clearInterval(sending);

    const refused = answers.filter((a) => a.status === 503);
    const checked = answers.filter((a) => a.status === 400);
    assert.equal(refused.length + checked.length, STORM, `statuses: ${answers.map((a) => a.status).join(' ')}`);
    assert.ok(refused.length > 0, 'some were refused');
    assert.ok(checked.length >= 5, 'the running one and those queued were checked');
    for (const answer of refused) {
      assert.deepEqual(answer.body, {
        error: 'unavailable',
        error_description: 'the server is busy checking other passwords; try again in a moment',
      });
      assert.match(answer.retryAfter ?? '', /^[1-9]\d*$/);
    }
    for (const answer of checked) assert.equal(answer.body.error, 'invalid_grant');

    // Chat was served throughout and still is.
    chat.send({ type: 'send', room: 'general', body: 'after the storm', clientId: 'after' });
    await chat.next((f) => f.type === 'ack' && f.clientId === 'after');
    assert.ok(acks > 0 && sent > 0);
    chat.close();

    // The queue drains: a real sign-in works again.
    assert.ok(await getToken(server.url));
    assert.equal(await budgetRefusals(server.url, 'hash_queue'), refused.length);
  });

  test('the login form answers a refusal with the form again, 503 and Retry-After', async () => {
    const form = (username: string) =>
      fetch(`${server.url}/login`, {
        method: 'POST',
        body: new URLSearchParams({ username, password: 'not the password', next: '/' }),
        redirect: 'manual',
      });
    const answers = await Promise.all(Array.from({ length: 40 }, () => form(random())));
    const refused = answers.filter((a) => a.status === 503);
    assert.ok(refused.length > 0);
    assert.deepEqual([...new Set(answers.map((a) => a.status))].sort(), [401, 503]);
    for (const answer of refused) {
      assert.match(answer.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(answer.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      assert.match(await answer.text(), /The server is busy signing other people in\. Try again in a few seconds\./);
    }
  });
});
