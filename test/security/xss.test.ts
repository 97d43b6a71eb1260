// Markup in what users write (replay of cases that held): message bodies, edits, usernames (in messages, the
// online list, typing, a DM's name, the page header) render as text in a real Chromium. Every payload would set
// a flag if it ran; the flag stays unset, no element is injected, and no dialog opens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/auth/passwords.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { browserSuite, joined, skip, timeout, waitForMessage } from '../browser/harness.js';
import { Client, getToken } from '../helpers.js';
import { Bystander } from './support.js';

const PASSWORD = 'correct horse battery';
/** Usernames only an operator or a careless identity provider could create; the page must still show them as text. */
const NAMES = ['<img src=x onerror=window.__xss=1>', '"><svg/onload=window.__xss=2>'];
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
];

async function assertInert(page: Page): Promise<void> {
  // Give an onerror/onload a chance to fire had anything been parsed as markup.
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined);
  assert.equal(await page.evaluate(() => document.querySelectorAll('main img, main svg, main script, main iframe, main details, main a, nav img, aside img').length), 0);
}

describe('XSS payloads render as text in Chromium', { skip, timeout: 5 * timeout }, () => {
  const { server, harness } = browserSuite();
  let bystander: Bystander;
  before(async () => {
    const store = openSqliteStore(server.dataDir); // a second connection, as the CLI opens one
    try {
      for (const username of NAMES) await store.accounts.create({ username, passwordHash: await hashPassword(PASSWORD), scopes: ['chat:read', 'chat:write'] });
    } finally {
      await store.close();
    }
    bystander = await Bystander.join(server);
  });
  after(() => bystander.close());

  test('bodies, edits, usernames, typing and a DM name seen by another user', { timeout }, async () => {
    const tokens = await Promise.all(NAMES.map((name) => getToken(server.url, name, PASSWORD)));
    // Before the page loads, so its room list has the DM (named after the other member) from the start.
    const dm = await fetch(`${server.url}/dms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'johndoe' }),
    });
    assert.equal(dm.status, 200);
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
      await waitForMessage(page, NAMES[i % writers.length]!, body);
    }
    const ack = await (async () => {
      writers[0]!.send({ type: 'send', room: 'general', body: 'to be edited', clientId: 'xss-edit' });
      return writers[0]!.next((f) => f.type === 'ack' && f.clientId === 'xss-edit');
    })();
    writers[0]!.send({ type: 'edit', room: 'general', id: ack.id, body: BODIES[0] });
    await page.waitForFunction(
      (body) => Array.from(document.querySelectorAll('#messages .body')).filter((el) => el.textContent === body).length === 2,
      BODIES[0],
    );
    writers[1]!.send({ type: 'typing', room: 'general' });
    await page.waitForFunction((name) => document.querySelector('#typing')?.textContent === `${name} is typing…`, NAMES[1]);
    await page.waitForFunction((names) => names.every((n) => Array.from(document.querySelectorAll('#online li')).some((li) => li.textContent === n)), NAMES);
    await page.waitForFunction((name) => Array.from(document.querySelectorAll('#rooms button')).some((b) => b.textContent === `@ ${name}`), NAMES[0]);
    await assertInert(page);
    for (const writer of writers) writer.close();
    assert.deepEqual(harness.pageErrors, []);
    await bystander.assertServed();
  });

  test('a user with such a name sees it as text in the page header', { timeout }, async () => {
    for (const name of NAMES) {
      const { page } = await harness.loggedIn(name, PASSWORD);
      assert.equal(await page.locator('#me').textContent(), name);
      await assertInert(page);
    }
    assert.deepEqual(harness.pageErrors, []);
  });
});
