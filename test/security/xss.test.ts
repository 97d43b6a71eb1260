// Markup in whatever people can write (replay of cases that held), in a real Chromium on the chat page as it is
// now: message bodies (rendered through markdown-it with raw HTML off) and edits, usernames (messages, the online
// list, typing, a DM's name, the header, the admin page), display names (the same places, the mention suggestions,
// the people picker), room titles and topics (the header, the sidebar, Browse) and search snippets (whose match
// marks become <mark>). Every payload would set a flag if it ran; the flag stays unset, no element is injected,
// no event-handler attribute appears, and no dialog opens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/auth/passwords.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { browserSuite, skip, timeout } from '../browser/harness.js';
import { Client, getToken } from '../helpers.js';
import { Bystander } from './support.js';

const PASSWORD = 'correct horse battery';
/** Usernames only an operator or a careless identity provider could create; the page must still show them as text. */
const NAMES = ['<img src=x onerror=window.__xss=1>', '"><svg/onload=window.__xss=2>'];
/** Display names anyone can set for themselves (PATCH /users/me). */
const DISPLAY = `<img src=x onerror="window.__xss='display'"><b>`;
const TITLE = `<img src=x onerror="window.__xss='title'">`;
const TOPIC = `<script>window.__xss='topic'</script><b>bold</b> <a href="javascript:window.__xss='t'">x</a>`;
const ADMIN = { username: 'xss-admin', password: 'xss-admin-password' };
const BODIES = [
  `<img src=x onerror="window.__xss='img'">`,
  `<script>window.__xss='script'</script>`,
  `<svg onload="window.__xss='svg'"></svg>`,
  `"><img src=x onerror=window.__xss='attr'>`,
  `<iframe srcdoc="<script>parent.__xss='iframe'</script>"></iframe>`,
  `<a href="javascript:window.__xss='link'">click</a>`,
  `</li></ol><img src=x onerror=window.__xss='break'>`,
  `<details open ontoggle="window.__xss='details'">x</details>`,
  `{{constructor.constructor('window.__xss="template"')()}}`,
  `\${window.__xss='literal'}`,
  // Markdown's own ways in: a link to javascript:, an autolink, raw HTML in a list and a quote.
  `[click](javascript:window.__xss='md-link')`,
  `<javascript:window.__xss='autolink'>`,
  `- <img src=x onerror="window.__xss='md-list'">\n> <b onmouseover="window.__xss='md-quote'">q</b>`,
  // Search: the snippet's marks (U+0002/U+0003) typed into a body, around markup.
  `zebrafish \u0002<img src=x onerror="window.__xss='mark'">\u0003 zebrafish`,
  // A mention of the reader, next to markup (mentioned words are wrapped in spans by the page).
  `@johndoe <img src=x onerror="window.__xss='mention'"> @johndoe`,
];

/** Nothing ran, and nothing but the page's own markup is there. */
async function assertInert(page: Page, where: string): Promise<void> {
  // Give an onerror/onload a chance to fire had anything been parsed as markup.
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined, where);
  const found = await page.evaluate(() => ({
    injected: Array.from(
      document.querySelectorAll('img, svg, script:not([src]), iframe, details:not(.sidebar-forms), object, embed, b, style, body link, body meta'),
    ).map((e) => e.outerHTML),
    javascriptLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
    handlers: Array.from(document.querySelectorAll('*')).flatMap((e) =>
      Array.from(e.attributes)
        .filter((a) => /^on/i.test(a.name))
        .map((a) => a.name),
    ),
  }));
  assert.deepEqual(found, { injected: [], javascriptLinks: 0, handlers: [] }, where);
}

describe('XSS payloads render as text in Chromium', { skip, timeout: 5 * timeout }, () => {
  const { server, harness } = browserSuite();
  let bystander: Bystander;
  let tokens: string[];
  before(async () => {
    const store = openSqliteStore(server.dataDir); // a second connection, as the CLI opens one
    try {
      for (const username of NAMES)
        await store.accounts.create({ username, passwordHash: await hashPassword(PASSWORD), scopes: ['chat:read', 'chat:write'] });
      await store.accounts.create({
        username: ADMIN.username,
        passwordHash: await hashPassword(ADMIN.password),
        scopes: ['chat:read', 'chat:write', 'admin'],
      });
    } finally {
      await store.close();
    }
    tokens = await Promise.all(NAMES.map((name) => getToken(server.url, name, PASSWORD)));
    const call = (token: string, method: string, path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // The first name also has a display name with markup; it opens a DM with John and a room with a marked-up title.
    assert.equal((await call(tokens[0]!, 'PATCH', '/users/me', { display_name: DISPLAY })).status, 200);
    assert.equal((await call(tokens[0]!, 'POST', '/dms', { user: 'johndoe' })).status, 200);
    assert.equal((await call(tokens[0]!, 'POST', '/rooms', { name: 'xss-room', title: TITLE, topic: TOPIC })).status, 201);
    bystander = await Bystander.join(server);
  });
  after(() => bystander.close());

  /** Waits for a message by `user` (shown by any name, the username on hover) with exactly this text. */
  const waitForBody = (page: Page, user: string, body: string) =>
    page.waitForFunction(
      ([u, b]) =>
        Array.from(document.querySelectorAll('#messages li[data-seq]')).some(
          (li) => li.querySelector('.user')?.getAttribute('title') === `@${u}` && li.querySelector('.body')?.textContent === b,
        ),
      [user, body] as const,
    );

  test('bodies, edits, usernames, display names, typing, a DM and mentions seen by another user', { timeout: 2 * timeout }, async () => {
    const { page } = await harness.loggedIn('johndoe');
    const writers = await Promise.all(tokens.map((token) => Client.chat(server, token)));
    for (const writer of writers) {
      writer.send({ type: 'join', room: 'general' });
      await writer.next((f) => f.type === 'joined');
    }
    for (const [i, body] of BODIES.entries()) {
      const writer = writers[i % writers.length]!;
      writer.send({ type: 'send', room: 'general', body, clientId: `xss-${i}` });
      await writer.next((f) => f.type === 'ack' && f.clientId === `xss-${i}`);
    }
    // What markdown makes of them is its business; the text of each stays in the page, as text.
    await waitForBody(page, NAMES[0]!, BODIES[0]!);
    await page.waitForFunction(() => document.querySelectorAll('#messages li.mentions-me .mention').length === 2);
    const ack = await (async () => {
      writers[0]!.send({ type: 'send', room: 'general', body: 'to be edited', clientId: 'xss-edit' });
      return writers[0]!.next((f) => f.type === 'ack' && f.clientId === 'xss-edit');
    })();
    writers[0]!.send({ type: 'edit', room: 'general', id: ack.id, body: BODIES[0] });
    await page.waitForFunction(
      (body) => Array.from(document.querySelectorAll('#messages .body')).filter((el) => el.textContent === body).length === 2,
      BODIES[0],
    );
    // The display name, once the page has looked it up, in messages, the online list and the DM's name.
    await page.waitForFunction((name) => Array.from(document.querySelectorAll('#messages .user')).some((el) => el.textContent === name), DISPLAY);
    await page.waitForFunction(
      ([user, name]) => document.querySelector(`#online li[data-user="${CSS.escape(user)}"] .name`)?.textContent === `${name} @${user}`,
      [NAMES[0]!, DISPLAY] as const,
    );
    await page.waitForFunction((name) => Array.from(document.querySelectorAll('#dm-list .room-name')).some((el) => el.textContent === name), DISPLAY);
    // The other name (no display name) types, and is online.
    writers[1]!.send({ type: 'typing', room: 'general' });
    await page.waitForFunction((name) => document.querySelector('#typing')?.textContent === `${name} is typing…`, NAMES[1]);
    await page.waitForFunction(
      (name) => Array.from(document.querySelectorAll<HTMLElement>('#online li')).some((li) => li.dataset.user === name),
      NAMES[1],
    );
    await assertInert(page, 'general');
    // The DM, opened: its header names the other person.
    await page.locator('#dm-list button').first().click();
    await page.waitForFunction((name) => document.querySelector('#room-title .room-name')?.textContent === name, DISPLAY);
    await assertInert(page, 'the DM');
    for (const writer of writers) writer.close();
    assert.deepEqual(harness.pageErrors, []);
    await bystander.assertServed();
  });

  test('titles and topics, Browse, search snippets, mention suggestions and the people picker', { timeout: 2 * timeout }, async () => {
    const { page } = await harness.loggedIn('johndoe');
    await page.click('#browse-rooms');
    const entry = page.locator('#browse-list li[data-room="xss-room"]');
    await entry.waitFor();
    assert.equal(await entry.locator('.browse-title').textContent(), ` ${TITLE}`);
    assert.equal(await entry.locator('.browse-topic').textContent(), TOPIC);
    await assertInert(page, 'browse');
    await entry.getByRole('button', { name: 'Join #xss-room' }).click();
    await page.locator('#room-title[data-room="xss-room"]').waitFor();
    assert.equal(await page.locator('#room-title .room-name').textContent(), TITLE);
    assert.equal(await page.locator('#room-topic').textContent(), TOPIC);
    await page.waitForFunction((title) => document.querySelector('#rooms button[data-room="xss-room"] .room-name')?.textContent === title, TITLE);
    await assertInert(page, 'a room with such a title and topic');

    await page.fill('#search-q', 'zebrafish');
    await page.press('#search-q', 'Enter');
    const hit = page.locator('#search-results a.hit').first();
    await hit.waitFor();
    assert.match((await hit.locator('.hit-snippet').textContent()) ?? '', /<img src=x onerror=/);
    assert.ok((await hit.locator('mark').count()) >= 1, 'the match is marked');
    await assertInert(page, 'search results');
    await page.keyboard.press('Escape');

    await page.locator('#body').pressSequentially('@');
    await page.locator('#mention-list [role=option]').first().waitFor();
    await page.waitForFunction((name) => Array.from(document.querySelectorAll('#mention-list .name')).some((el) => el.textContent === name), DISPLAY);
    await assertInert(page, 'mention suggestions');
    await page.keyboard.press('Escape');

    await page.click('#new-dm-button');
    await page.waitForFunction((name) => Array.from(document.querySelectorAll('#dm-results .name')).some((el) => el.textContent === name), DISPLAY);
    await page.locator(`#dm-results button[data-user="${NAMES[1]!.replaceAll('"', '\\"')}"]`).click();
    await page.locator('#dm-chosen li').first().waitFor();
    await assertInert(page, 'the people picker');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('users with such names see them as text in their own page, and an admin in the admin page', { timeout }, async () => {
    for (const name of NAMES) {
      const { page } = await harness.loggedIn(name, PASSWORD);
      assert.equal(await page.locator('#me').textContent(), name);
      await assertInert(page, `${name}'s page`);
    }
    const { page } = await harness.loggedIn(ADMIN.username, ADMIN.password);
    await page.goto(`${server.url}/admin`);
    await page.waitForFunction((names) => names.every((n) => document.querySelector(`#users tr[data-user="${CSS.escape(n)}"]`)), NAMES);
    assert.equal(await page.locator(`#users tr[data-user="${NAMES[0]!.replaceAll('"', '\\"')}"] .name`).textContent(), DISPLAY);
    await assertInert(page, 'the admin page');
    assert.deepEqual(harness.pageErrors, []);
  });
});
