// The multi-room chat in Chromium: creating rooms, private-room refusal, unread counts, edits and deletions,
// presence and typing, and a socket cut by the server that resumes without losing or doubling a message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Client, getToken } from '../helpers.js';
import { browserSuite, joined, messageRow, onlineUsers, shown, skip, timeout, type, waitForMessage } from './harness.js';

describe('browser rooms', { skip, timeout: 10 * timeout }, () => {
  const { server, harness } = browserSuite();

  const roomButton = (page: Page, name: string) => page.locator(`#rooms button[data-room="${name}"]`);

  async function createRoom(page: Page, name: string, isPrivate = false): Promise<void> {
    await page.fill('#new-room input[name=name]', name);
    if (isPrivate) await page.check('#new-room input[name=private]');
    await page.click('#new-room button');
    await page.locator(`#room-title[data-room="${name}"]`).waitFor();
    await joined(page);
  }

  test('a created public room others join appears for them, with an unread count until they open it', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe');
    const jane = await harness.loggedIn('janedoe');
    await createRoom(john.page, 'lobby');
    // Public rooms are in a list once joined (POST /rooms/:room/join; the page's Browse is in team.test.ts).
    const authorization = `Bearer ${await getToken(server.url, 'janedoe')}`;
    const joining = await fetch(`${server.url}/rooms/lobby/join`, { method: 'POST', headers: { authorization } });
    assert.equal(joining.status, 200);
    await type(john.page, 'first in the lobby');
    await type(john.page, 'second in the lobby');
    // The room arrives in Jane's list by her own stream (room_added); its count, for a room her page has not
    // joined, comes with the list fetched when her tab is brought forward (or once a minute).
    await roomButton(jane.page, 'lobby').waitFor();
    await jane.page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await jane.page.waitForFunction(() => document.querySelector('#rooms li:has(button[data-room="lobby"]) .unread')?.textContent === '2');
    await roomButton(jane.page, 'lobby').click();
    await waitForMessage(jane.page, 'johndoe', 'second in the lobby');
    assert.deepEqual(
      (await shown(jane.page)).map((m) => m.body),
      ['first in the lobby', 'second in the lobby'],
    );
    assert.equal(await jane.page.locator('#rooms li:has(button[data-room="lobby"]) .unread').count(), 0);
    assert.deepEqual(harness.pageErrors, []);
  });

  test('a private room refuses a non-member; an invitation lets her in', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe');
    await createRoom(john.page, 'backstage', true);
    await type(john.page, 'members only');
    const jane = await harness.newPage();
    await jane.page.goto(`${server.url}/login?next=/%23backstage`);
    await harness.submitLogin(jane.page, 'janedoe', 'secret2');
    await jane.page.waitForFunction(() => document.querySelector('#notice')?.textContent?.includes('private'));
    assert.equal(await jane.page.locator('#notice').textContent(), '#backstage is private. Ask its owner to invite you.');
    assert.equal(await jane.page.locator('#messages li[data-seq]').count(), 0);

    await john.page.fill('#invite input[name=user]', 'janedoe');
    await john.page.click('#invite button');
    await john.page.locator('#toasts .toast', { hasText: 'Invited janedoe to #backstage.' }).waitFor();
    await jane.page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await roomButton(jane.page, 'backstage').click();
    await waitForMessage(jane.page, 'johndoe', 'members only');

    // The owner removes her from the members list: her page leaves the room at once.
    // Removing asks first; Cancel is where focus starts, Escape cancels, and focus goes back to the button.
    const remove = john.page.locator('#members li[data-user="janedoe"] button.remove');
    await remove.focus();
    await john.page.keyboard.press('Enter');
    await john.page.locator('#confirm').waitFor({ state: 'visible' });
    assert.equal(await john.page.locator('#confirm-title').textContent(), 'Remove janedoe from #backstage?');
    assert.equal(await john.page.evaluate(() => document.activeElement?.id), 'confirm-cancel');
    await john.page.keyboard.press('Escape');
    await john.page.locator('#confirm').waitFor({ state: 'hidden' });
    assert.equal(await remove.evaluate((button) => button === document.activeElement), true, 'focus is back on Remove');
    await john.page.waitForTimeout(300);
    assert.equal(await roomButton(jane.page, 'backstage').count(), 1, 'cancelled: nothing happened');
    await remove.click();
    await john.page.click('#confirm-ok');
    await jane.page.waitForFunction(() => document.querySelector('#notice')?.textContent === 'You were removed from #backstage.');
    await jane.page.locator('#room-title[data-room="general"]').waitFor();
    assert.equal(await roomButton(jane.page, 'backstage').count(), 0);
    await john.page.waitForFunction(() => !document.querySelector('#members li[data-user="janedoe"]'));
    assert.deepEqual(harness.pageErrors, []);
  });

  test('scrolling up loads older history, in order, each message once', { timeout }, async () => {
    const writer = await Client.chat(server, await getToken(server.url, 'janedoe'));
    await fetch(`${server.url}/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await getToken(server.url, 'janedoe')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'archive' }),
    });
    writer.send({ type: 'join', room: 'archive' });
    await writer.next((f) => f.type === 'joined');
    const bodies = Array.from({ length: 130 }, (_, i) => `old ${i}`);
    for (const [i, body] of bodies.entries()) writer.send({ type: 'send', room: 'archive', body, clientId: `old-${i}` });
    for (let i = 0; i < bodies.length; i++) await writer.next((f) => f.type === 'ack');
    writer.close();

    const { page } = await harness.newPage();
    await page.goto(`${server.url}/login?next=/%23archive`);
    await harness.submitLogin(page, 'johndoe', 'secret');
    await waitForMessage(page, 'janedoe', 'old 129');
    assert.equal(await page.locator('#messages li[data-seq]').count(), 50);
    await page.hover('#messages');
    for (const expected of [100, 130]) {
      await page.mouse.wheel(0, -20_000); // the reader scrolls up to the top
      await page.waitForFunction((n) => document.querySelectorAll('#messages li[data-seq]').length === n, expected);
    }
    assert.deepEqual(
      (await shown(page)).map((m) => m.body),
      bodies,
    );
    assert.deepEqual(harness.pageErrors, []);
  });

  test('authors edit and delete their own messages; everyone sees it live', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe');
    const jane = await harness.loggedIn('janedoe');
    const tag = Date.now().toString(36);
    await type(john.page, `helo ${tag}`);
    await waitForMessage(jane.page, 'johndoe', `helo ${tag}`);
    const mine = messageRow(john.page, `helo ${tag}`);
    await mine.locator('button.edit').click();
    await john.page.fill('#messages .edit-field', `hello ${tag}`);
    await john.page.press('#messages .edit-field', 'Enter');
    await waitForMessage(jane.page, 'johndoe', `hello ${tag}`);
    const theirs = messageRow(jane.page, `hello ${tag}`);
    assert.equal(await theirs.locator('.edited').textContent(), '(edited)');
    assert.equal(await theirs.locator('button').count(), 0, 'no edit or delete on someone else’s message');
    // Deleting hides the message at once and sends the deletion when the 5-second Undo toast has gone.
    await messageRow(john.page, `hello ${tag}`).locator('button.delete').click();
    await jane.page.waitForFunction(
      (t) => !Array.from(document.querySelectorAll('#messages .body')).some((b) => b.textContent === `hello ${t}`),
      tag,
    );
    assert.ok((await shown(jane.page)).some((m) => m.body === 'This message was deleted.'));
    assert.deepEqual(harness.pageErrors, []);
  });

  test('presence and typing: who is online, who is typing', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe');
    const jane = await harness.loggedIn('janedoe');
    await john.page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLElement>('#online li')).some((li) => li.dataset.user === 'janedoe'),
    );
    await jane.page.type('#body', 'typing…', { delay: 20 });
    await john.page.waitForFunction(() => document.querySelector('#typing')?.textContent === 'janedoe is typing…');
    await jane.context.close();
    await john.page.waitForFunction(
      () => !Array.from(document.querySelectorAll<HTMLElement>('#online li')).some((li) => li.dataset.user === 'janedoe'),
    );
    assert.deepEqual(await onlineUsers(john.page), ['johndoe']);
    assert.deepEqual(harness.pageErrors, []);
  });

  test('the server cuts the socket: the page says so, resumes, and loses or doubles nothing', { timeout }, async () => {
    const { page } = await harness.loggedIn('johndoe');
    const janeToken = await getToken(server.url, 'janedoe');
    const sender = async () => {
      const client = await Client.chat(server, janeToken);
      client.send({ type: 'join', room: 'general' });
      await client.next((f) => f.type === 'joined');
      return client;
    };
    const tag = Date.now().toString(36);
    const bodies = Array.from({ length: 30 }, (_, i) => `cut ${i} ${tag}`);
    const send = (client: Client, i: number) => client.send({ type: 'send', room: 'general', body: bodies[i], clientId: `cut-${tag}-${i}` });
    const before = await sender();
    for (let i = 0; i < 10; i++) send(before, i);
    await waitForMessage(page, 'janedoe', bodies[9]!);

    // Cut every socket from the server side (the page's too), then keep sending while the page is away.
    for (const socket of server.app.websocketServer.clients) socket.terminate();
    const after = await sender();
    for (let i = 10; i < 30; i++) send(after, i);
    await page.waitForSelector('#banner:not([hidden])', { timeout: 5000 }).catch(() => {}); // may be brief
    await waitForMessage(page, 'janedoe', bodies[29]!);
    await page.waitForSelector('#banner', { state: 'hidden' });
    const seen = (await shown(page)).filter((m) => m.body.endsWith(tag));
    assert.deepEqual(
      seen.map((m) => m.body),
      bodies,
    );
    const seqs = seen.map((m) => m.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => seqs[0]! + i),
      'contiguous seqs: no gap, no duplicate',
    );
    after.close();
    assert.deepEqual(harness.pageErrors, []);
  });
});
