// The browser chat end to end: a real Chromium drives a real Parley (login, cookie, chat socket, history, logout).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Client, getToken } from '../helpers.js';
import { browserSuite, joined, shown, skip, timeout, type, waitForMessage } from './harness.js';

describe('browser chat', { skip, timeout: 10 * timeout }, () => {
  const { server, harness } = browserSuite();
  const { pageErrors } = harness;
  const newPage = () => harness.newPage();
  const submitLogin = (page: Page, username: string, password: string) => harness.submitLogin(page, username, password);
  const loggedIn = (username: string) => harness.loggedIn(username);

  test('visiting / without a cookie redirects to login; a wrong password is refused; the right one opens the chat', { timeout }, async () => {
    const { context, page } = await newPage();

    const landing = await page.goto(`${server.url}/`);
    assert.ok(landing);
    const first = landing.request().redirectedFrom();
    assert.ok(first, 'expected a redirect from /');
    assert.equal(new URL(first.url()).pathname, '/');
    assert.equal((await first.response())?.status(), 303);
    assert.equal(page.url(), `${server.url}/login?next=/`);
    assert.equal(landing.status(), 200);
    assert.equal(await page.locator('h1').textContent(), 'Log in');
    assert.equal(await page.inputValue('input[name=next]'), '/');

    assert.equal(await submitLogin(page, 'johndoe', 'wrong-password'), 401);
    assert.equal(await page.locator('p.error').textContent(), 'Incorrect username or password.');
    assert.equal(await page.inputValue('input[name=username]'), 'johndoe');
    assert.deepEqual(await context.cookies(), []);

    assert.equal(await submitLogin(page, 'johndoe', 'secret'), 303);
    assert.equal(page.url(), `${server.url}/`);
    assert.equal(await page.locator('.who').textContent(), 'Signed in as johndoe');
    await joined(page);
    // The script names the tab once it has opened the room (until then it is "Chat · Parley").
    await page.waitForFunction(() => document.title === '#general · Parley', undefined, { timeout: 5000 });

    const cookies = await context.cookies();
    const token = cookies.find((c) => c.name === 'parley_token');
    assert.ok(token, `no parley_token cookie in ${JSON.stringify(cookies.map((c) => c.name))}`);
    assert.equal(token.httpOnly, true);
    assert.equal(token.sameSite, 'Lax');
    assert.equal(token.path, '/');
    assert.equal(token.secure, false); // plain http on loopback
    assert.ok(token.value.split('.').length === 3, 'the cookie holds a JWT');
    const visible = await page.evaluate(() => document.cookie);
    assert.ok(!visible.includes('parley_token'), `document.cookie exposes the cookie: ${visible}`);
    assert.ok(!visible.includes(token.value), 'document.cookie exposes the token');
    assert.deepEqual(pageErrors, []);
  });

  test('two users chat live, in both directions, and markup shows as text', { timeout }, async () => {
    const john = await loggedIn('johndoe');
    const jane = await loggedIn('janedoe');
    const tag = Date.now().toString(36);

    const hello = `hello jane ${tag}`;
    await type(john.page, hello, 'enter');
    await waitForMessage(jane.page, 'johndoe', hello);
    await waitForMessage(john.page, 'johndoe', hello);

    const reply = `hi john ${tag} — ünïcödé & "quotes"`;
    await type(jane.page, reply, 'click');
    await waitForMessage(john.page, 'janedoe', reply);
    await waitForMessage(jane.page, 'janedoe', reply);

    const markup = `<img src=x onerror=alert(1)> ${tag}`;
    await type(john.page, markup);
    await waitForMessage(jane.page, 'johndoe', markup);
    for (const page of [john.page, jane.page]) {
      assert.equal(await page.locator('#messages img').count(), 0, 'markup in a message became an element');
      assert.equal(await page.locator('#messages script').count(), 0);
      const mine = (await shown(page)).filter((m) => m.body.includes(tag));
      assert.deepEqual(
        mine.map(({ user, body }) => ({ user, body })),
        [
          { user: 'johndoe', body: hello },
          { user: 'janedoe', body: reply },
          { user: 'johndoe', body: markup },
        ],
      );
    }
    assert.deepEqual(pageErrors, []);
  });

  test('a reload shows the history again, each message exactly once', { timeout }, async () => {
    const { page } = await loggedIn('johndoe');
    const tag = Date.now().toString(36);
    const bodies = [`one ${tag}`, `two ${tag}`, `three ${tag}`];
    for (const body of bodies) await type(page, body);
    for (const body of bodies) await waitForMessage(page, 'johndoe', body);

    await page.reload();
    await joined(page);
    // A message sent after the reload arrives after the whole replay: once it shows, the history is complete.
    const marker = `after reload ${tag}`;
    await type(page, marker);
    await waitForMessage(page, 'johndoe', marker);

    const messages = await shown(page);
    for (const body of [...bodies, marker]) {
      assert.equal(messages.filter((m) => m.body === body).length, 1, `"${body}" shown ${messages.filter((m) => m.body === body).length} times`);
    }
    const seqs = messages.map((m) => m.seq);
    assert.deepEqual(
      seqs,
      [...new Set(seqs)].sort((a, b) => a - b),
      'messages shown in seq order, no repeats',
    );
    assert.deepEqual(
      messages.filter((m) => m.body.includes(tag)).map((m) => m.body),
      [...bodies, marker],
    );
    assert.deepEqual(pageErrors, []);
  });

  test('the page loads with the last 50 messages of a room read to the end', { timeout }, async () => {
    // 60 messages through the bearer API, so the room holds more than a page's worth.
    const client = await Client.chat(server, await getToken(server.url, 'janedoe'));
    try {
      client.send({ type: 'join', room: 'general' });
      await client.next((f) => f.type === 'joined');
      const tag = Date.now().toString(36);
      const bodies = Array.from({ length: 60 }, (_, i) => `bulk ${i} ${tag}`);
      for (const [i, body] of bodies.entries()) client.send({ type: 'send', room: 'general', body, clientId: `bulk-${tag}-${i}` });
      let last = 0;
      for (let i = 0; i < bodies.length; i++)
        last = ((await client.next((f) => f.type === 'ack' && f.clientId === `bulk-${tag}-${i}`)) as { seq: number }).seq;
      // John has read them all elsewhere (with unread ones, the page would load back to the first of them).
      const johnToken = await getToken(server.url, 'johndoe');
      const reader = await Client.chat(server, johnToken);
      reader.send({ type: 'read', room: 'general', seq: last });
      const readTo = async () => {
        const rooms = (await (await fetch(`${server.url}/rooms`, { headers: { authorization: `Bearer ${johnToken}` } })).json()) as {
          name: string;
          read_seq: number;
        }[];
        return rooms.find((r) => r.name === 'general')?.read_seq;
      };
      while ((await readTo()) !== last) await new Promise((resolve) => setTimeout(resolve, 50));
      reader.close();

      const { page } = await loggedIn('johndoe');
      await waitForMessage(page, 'janedoe', bodies.at(-1)!);
      const messages = await shown(page);
      assert.deepEqual(
        messages.map((m) => m.body),
        bodies.slice(-50),
      );
      assert.ok(messages.every((m) => m.user === 'janedoe'));
    } finally {
      client.close();
    }
    assert.deepEqual(pageErrors, []);
  });

  test('logging out lands on /login (saying so) and / redirects to login again', { timeout }, async () => {
    const { context, page } = await loggedIn('johndoe');
    await Promise.all([page.waitForURL(`${server.url}/login?signed_out=1`), page.getByRole('button', { name: 'Log out' }).click()]);
    assert.equal(await page.locator('h1').textContent(), 'Log in');
    assert.equal(
      (await context.cookies()).find((c) => c.name === 'parley_token'),
      undefined,
    );

    const again = await page.goto(`${server.url}/`);
    assert.equal(page.url(), `${server.url}/login?next=/`);
    assert.equal((await again?.request().redirectedFrom()?.response())?.status(), 303);
    assert.deepEqual(pageErrors, []);
  });
});
