// The chat page on the team-chat features (issue #11, second round), in Chromium with two and three users at
// 390×844 and 1280×800: a live sidebar from the user's own stream, badges from the server's read positions (one
// browser reading clears the other's), the "New messages" line and "Jump to latest", browse/join/leave/mute,
// titles and topics, archive with undo, group DMs from the people picker, @mention autocomplete and its
// notification, search that jumps to the message, display names, and the admin page. axe-core in light and dark,
// no sideways scrolling on the phone; screenshots in test-output/screenshots/.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { hashPassword } from '../../src/auth/passwords.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { Client, getToken } from '../helpers.js';
import {
  axeViolations,
  browserSuite,
  DESKTOP,
  horizontalOverflow,
  joined,
  messageRow,
  PHONE,
  poster,
  screenshot,
  skip,
  timeout,
  type,
  waitForMessage,
} from './harness.js';

const CAROL = { username: 'carol', password: 'carol-password-1' };
const ROOT = { username: 'root', password: 'root-password-1' };

describe('the chat page for a team', { skip, timeout: 20 * timeout }, () => {
  const { server, harness } = browserSuite();

  before(async () => {
    const store = openSqliteStore(server.dataDir); // a second connection, as the CLI opens one
    try {
      await store.accounts.create({
        username: CAROL.username,
        passwordHash: await hashPassword(CAROL.password),
        scopes: ['chat:read', 'chat:write'],
      });
      await store.accounts.create({
        username: ROOT.username,
        passwordHash: await hashPassword(ROOT.password),
        scopes: ['chat:read', 'chat:write', 'admin'],
      });
    } finally {
      await store.close();
    }
    assert.equal((await api('carol', 'PATCH', '/users/me', { display_name: 'Carol Ng' }, CAROL.password)).status, 200);
  });

  async function api(user: string, method: string, path: string, body?: unknown, password?: string): Promise<Response> {
    return fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await getToken(server.url, user, password)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  /** `user` has read `room` up to `seq` (as another device of theirs would have), once the server says so. */
  async function readUpTo(user: string, room: string, seq: number): Promise<void> {
    const token = await getToken(server.url, user);
    const reader = await Client.chat(server, token);
    reader.send({ type: 'read', room, seq });
    const readSeq = async () => {
      const rooms = (await (await fetch(`${server.url}/rooms`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        name: string;
        read_seq: number;
      }[];
      return rooms.find((r) => r.name === room)?.read_seq;
    };
    while ((await readSeq()) !== seq) await new Promise((resolve) => setTimeout(resolve, 50));
    reader.close();
  }

  /** The row of a message containing `text` (mentions inside make it several text nodes). */
  const rowWith = (page: Page, text: string) => page.locator('#messages li[data-seq]').filter({ hasText: text });

  const roomButton = (page: Page, name: string) => page.locator(`#rooms button[data-room="${name}"]`);
  const badge = (page: Page, name: string) => roomButton(page, name).locator('.unread');

  /** Watches what the page asks of the Notification API (the real one still runs underneath). */
  async function spyOnNotifications(page: Page): Promise<() => Promise<{ title: string; body?: string }[]>> {
    await page.addInitScript(() => {
      const Real = window.Notification;
      const shown = ((window as unknown as { shown: unknown[] }).shown = [] as { title: string; body?: string }[]);
      class Spy extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push({ title, body: options?.body });
        }
        static override get permission(): NotificationPermission {
          return Real.permission;
        }
      }
      window.Notification = Spy;
    });
    return () => page.evaluate(() => (window as unknown as { shown: { title: string; body?: string }[] }).shown);
  }

  test('a DM appears in the recipient’s sidebar when it is opened, from the people picker, long before the minute’s poll', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe', undefined, { viewport: DESKTOP });
    const jane = await harness.loggedIn('janedoe', undefined, { viewport: PHONE });
    const roomLists: string[] = [];
    jane.page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/rooms') roomLists.push(request.url());
    });
    // John picks Jane from the directory (typing part of her name) and starts the DM.
    await john.page.click('#new-dm-button');
    await john.page.fill('#dm-q', 'jan');
    await john.page.locator('#dm-results button[data-user="janedoe"]').click();
    await john.page.locator('#dm-chosen li[data-user="janedoe"]').waitFor();
    await screenshot(john.page, 'desktop-light-people-picker');
    await john.page.click('#dm-start');
    await john.page.locator('#room-kind', { hasText: 'Direct message' }).waitFor();
    const dm = (await john.page.locator('#room-title').getAttribute('data-room'))!;
    // The stream's room_added makes Jane's page fetch its list at once: no focus, no reload, no poll. The bound
    // only tells the push from the once-a-minute list fetch; it is not a speed requirement.
    await roomButton(jane.page, dm).waitFor({ state: 'attached', timeout: 15_000 });
    assert.ok(roomLists.length >= 1, 'the list was fetched on room_added');
    assert.equal(await roomButton(jane.page, dm).locator('.room-name').textContent(), 'johndoe');
    await type(john.page, 'hello from the new DM');
    await jane.page.click('#open-rooms');
    await badge(jane.page, dm).waitFor();
    assert.equal(await badge(jane.page, dm).textContent(), '1');
    assert.equal(await horizontalOverflow(jane.page), 0);
    await screenshot(jane.page, 'phone-light-dm-arrived');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('a group DM of three from the picker: names from the directory, the same people find the same room', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe', undefined, { viewport: DESKTOP });
    await john.page.click('#new-dm-button');
    // Found by her display name, shown with it.
    await john.page.fill('#dm-q', 'Car');
    const carol = john.page.locator('#dm-results button[data-user="carol"]');
    await carol.waitFor();
    assert.equal(await carol.locator('.name').textContent(), 'Carol Ng');
    await carol.click();
    await john.page.fill('#dm-q', 'jane');
    await john.page.locator('#dm-results button[data-user="janedoe"]').click();
    await john.page.locator('#dm-start', { hasText: 'Start a group of 3' }).waitFor();
    await john.page.click('#dm-start');
    await john.page.locator('#room-kind', { hasText: 'Group message' }).waitFor();
    const group = (await john.page.locator('#room-title').getAttribute('data-room'))!;
    assert.equal(await john.page.locator('#room-title .room-name').textContent(), 'Carol Ng, janedoe');
    await type(john.page, 'the three of us');
    const opened = (await (await api('carol', 'POST', '/dms', { users: ['johndoe', 'janedoe'] }, CAROL.password)).json()) as { name: string };
    assert.equal(opened.name, group);
    const jane = await harness.loggedIn('janedoe', undefined, { viewport: DESKTOP });
    // Named by their display names once the page has them (Carol's comes from the directory).
    await jane.page.waitForFunction(
      (name) => /Carol Ng, johndoe.*group message/.test(document.querySelector(`#rooms button[data-room="${name}"]`)?.textContent ?? ''),
      group,
    );
    await roomButton(jane.page, group).click();
    await waitForMessage(jane.page, 'johndoe', 'the three of us');
    await screenshot(jane.page, 'desktop-light-group-dm');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('reading in one browser clears the badge in the other; the "New messages" line and "Jump to latest"', { timeout: 2 * timeout }, async () => {
    assert.equal((await api('janedoe', 'POST', '/rooms', { name: 'lobby' })).status, 201);
    assert.equal((await api('johndoe', 'POST', '/rooms/lobby/join')).status, 200);
    const jane = await poster(server, 'janedoe', 'lobby');
    await readUpTo('johndoe', 'lobby', await jane.say('read before'));
    const seqs: number[] = [];
    for (let i = 0; i < 40; i++) seqs.push(await jane.say(`unread ${i}`));

    const a = await harness.loggedIn('johndoe', undefined, { viewport: DESKTOP });
    const b = await harness.loggedIn('johndoe', undefined, { viewport: PHONE });
    for (const page of [a.page, b.page])
      await page.waitForFunction(() => document.querySelector('#rooms button[data-room="lobby"] .unread')?.textContent === '40');
    assert.match(await a.page.title(), /^\(40\) /);

    await roomButton(a.page, 'lobby').click();
    // Opened at the first unread message, under the line; the rest is below, with a way down.
    await a.page.locator('#new-divider').waitFor();
    const next = await a.page.locator('#new-divider + li').getAttribute('data-seq');
    assert.equal(Number(next), seqs[0]);
    await screenshot(a.page, 'desktop-light-new-messages');
    await a.page.locator('#jump-latest').waitFor();
    assert.match((await a.page.locator('#jump-latest').textContent()) ?? '', /new messages · Jump to latest/);
    await screenshot(a.page, 'desktop-light-new-messages');
    // Reading what is on screen counts down in the other browser too (a `read` frame from this one).
    await b.page.waitForFunction(() => {
      const n = Number(document.querySelector('#rooms button[data-room="lobby"] .unread')?.textContent ?? '0');
      return n > 0 && n < 40;
    });
    await a.page.click('#jump-latest');
    await a.page.locator('#jump-latest').waitFor({ state: 'hidden' });
    await b.page.locator('#rooms button[data-room="lobby"] .unread').waitFor({ state: 'detached' });
    await b.page.waitForFunction(() => !/^\(/.test(document.title));
    assert.equal(await horizontalOverflow(b.page), 0);
    await screenshot(b.page, 'phone-light-read-elsewhere');

    // Scrolled up while someone posts: "Jump to latest" with the count.
    await a.page.evaluate(() => (document.querySelector('#messages')!.scrollTop = 0));
    await jane.say('while you were up there');
    await a.page.locator('#jump-latest', { hasText: '1 new message' }).waitFor();
    jane.close();
    assert.deepEqual(harness.pageErrors, []);
  });

  test('@mention: autocomplete by keyboard, a highlighted row, a notification and a badge for the one mentioned', { timeout }, async () => {
    const john = await harness.newPage({ viewport: DESKTOP, permissions: ['notifications'] });
    const notifications = await spyOnNotifications(john.page);
    await john.page.goto(`${server.url}/`);
    assert.equal(await harness.submitLogin(john.page, 'johndoe', 'secret'), 303);
    await joined(john.page);
    await john.page.click('#notify-toggle');
    await john.page.waitForFunction(() => document.querySelector('#notify-toggle')?.getAttribute('aria-pressed') === 'true');

    const jane = await harness.loggedIn('janedoe', undefined, { viewport: PHONE });
    await jane.page.evaluate(() => (location.hash = 'lobby'));
    await jane.page.locator('#room-title[data-room="lobby"]').waitFor();
    await jane.page.fill('#body', '');
    await jane.page.locator('#body').pressSequentially('ping @jo');
    const list = jane.page.locator('#mention-list');
    await list.locator('[role=option][data-user="johndoe"]').waitFor();
    assert.equal(await jane.page.locator('#body').getAttribute('aria-activedescendant'), 'mention-option-0');
    await screenshot(jane.page, 'phone-light-mention-autocomplete');
    // Arrow keys move the highlighted option (aria-selected); Enter picks it instead of sending.
    const options = await list.locator('[role=option]').count();
    await jane.page.keyboard.press('ArrowDown');
    await jane.page.keyboard.press('ArrowUp');
    assert.equal(await list.locator('[aria-selected=true]').getAttribute('data-user'), 'johndoe', `of ${options}`);
    await jane.page.keyboard.press('Enter');
    await list.waitFor({ state: 'hidden' });
    assert.equal(await jane.page.inputValue('#body'), 'ping @johndoe ');
    // Escape closes the list without touching the text.
    await jane.page.locator('#body').pressSequentially('and @ja');
    await list.locator('[role=option]').first().waitFor();
    await jane.page.keyboard.press('Escape');
    await list.waitFor({ state: 'hidden' });
    await jane.page.fill('#body', 'ping @johndoe, the release is out');
    await jane.page.press('#body', 'Enter');

    // John is in #general: the mention in #lobby notifies, and the badge says @1.
    await john.page.waitForFunction(() => (window as unknown as { shown: { title: string }[] }).shown.length > 0);
    assert.deepEqual((await notifications()).at(-1), { title: 'janedoe mentioned you in #lobby', body: 'ping @johndoe, the release is out' });
    await roomButton(john.page, 'lobby').locator('.mention-badge', { hasText: '@1' }).waitFor();
    assert.match(await john.page.title(), /@1\) /);
    await screenshot(john.page, 'desktop-light-mention-badge');
    await roomButton(john.page, 'lobby').click();
    const row = rowWith(john.page, 'ping @johndoe, the release is out');
    await row.waitFor();
    assert.match((await row.getAttribute('class')) ?? '', /\bmentions-me\b/);
    assert.equal(await row.locator('.mention.is-me').textContent(), '@johndoe');
    await roomButton(john.page, 'lobby').locator('.mention-badge').waitFor({ state: 'detached' });
    await screenshot(john.page, 'desktop-light-mentioned');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('search: marked snippets, and a hit opens its room scrolled to the message', { timeout }, async () => {
    const writer = await poster(server, 'janedoe', 'lobby');
    const wanted = await writer.say('the quarterly zeppelin budget is approved');
    for (let i = 0; i < 60; i++) await writer.say(`filler ${i}`);
    writer.close();
    const { page } = await harness.loggedIn('johndoe', undefined, { viewport: PHONE });
    await page.click('#open-rooms');
    await page.fill('#search-q', 'zeppelin');
    await page.press('#search-q', 'Enter');
    const hit = page.locator(`#search-results a[data-room="lobby"][data-seq="${wanted}"]`);
    await hit.waitFor();
    assert.equal(await hit.locator('mark').first().textContent(), 'zeppelin');
    assert.match((await hit.locator('.hit-snippet').textContent()) ?? '', /quarterly zeppelin budget/);
    assert.equal(await horizontalOverflow(page), 0);
    await screenshot(page, 'phone-light-search');
    await hit.click();
    const target = page.locator(`#messages li[data-seq="${wanted}"]`);
    await target.waitFor();
    await page.waitForFunction((seq) => document.activeElement === document.querySelector(`#messages li[data-seq="${seq}"]`), wanted);
    assert.match((await target.getAttribute('class')) ?? '', /\btarget\b/);
    assert.equal(new URL(page.url()).hash, `#lobby/${wanted}`);
    assert.ok(await target.isVisible());
    await screenshot(page, 'phone-light-search-hit');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('browse and join, title and topic, mute, leave with undo, archive with confirmation and undo', { timeout: 2 * timeout }, async () => {
    assert.equal((await api('janedoe', 'POST', '/rooms', { name: 'garden', title: 'The Garden', topic: 'Seeds, soil and sunshine' })).status, 201);
    const john = await harness.loggedIn('johndoe', undefined, { viewport: DESKTOP });
    await john.page.click('#browse-rooms');
    const entry = john.page.locator('#browse-list li[data-room="garden"]');
    await entry.waitFor();
    assert.match((await entry.textContent()) ?? '', /#garden The Garden.*Seeds, soil and sunshine.*1 member/);
    await screenshot(john.page, 'desktop-light-browse');
    await entry.getByRole('button', { name: 'Join #garden' }).click();
    await john.page.locator('#room-title[data-room="garden"]').waitFor();
    await roomButton(john.page, 'garden').waitFor();
    assert.equal(await john.page.locator('#room-title .room-name').textContent(), 'The Garden');
    assert.equal(await john.page.locator('#room-topic').textContent(), 'Seeds, soil and sunshine');

    // Muted: no unread badge, said in words too.
    await john.page.click('#mute-toggle');
    await john.page.waitForFunction(() => document.querySelector('#mute-toggle')?.getAttribute('aria-pressed') === 'true');
    await roomButton(john.page, 'garden').locator('.sr-only', { hasText: 'muted' }).waitFor();
    await john.page.evaluate(() => (location.hash = 'general'));
    await john.page.locator('#room-title[data-room="general"]').waitFor();
    const writer = await poster(server, 'janedoe', 'garden');
    await writer.say('a muted room says nothing');
    await john.page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await john.page.waitForResponse((r) => new URL(r.url()).pathname === '/rooms');
    assert.equal(await badge(john.page, 'garden').count(), 0);
    await screenshot(john.page, 'desktop-light-muted');

    // The owner edits the topic from the room's details; John sees it live (he has the room joined).
    const jane = await harness.loggedIn('janedoe', undefined, { viewport: DESKTOP });
    await jane.page.evaluate(() => (location.hash = 'garden'));
    await jane.page.locator('#room-title[data-room="garden"]').waitFor();
    await jane.page.click('#room-settings');
    await jane.page.fill('#room-topic-field', 'Now with tomatoes');
    await screenshot(jane.page, 'desktop-light-room-details');
    await jane.page.click('#room-form button[type=submit]');
    await jane.page.locator('#room-topic', { hasText: 'Now with tomatoes' }).waitFor();
    await john.page.evaluate(() => (location.hash = 'garden'));
    await john.page.locator('#room-topic', { hasText: 'Now with tomatoes' }).waitFor();

    // John leaves (a public room: Undo joins again).
    await john.page.click('#room-settings');
    await john.page.click('#leave-room');
    await john.page.locator('#room-title[data-room="general"]').waitFor();
    await roomButton(john.page, 'garden').waitFor({ state: 'detached' });
    await john.page.locator('#notice', { hasText: 'You left #garden.' }).waitFor();
    await john.page.locator('#toasts .toast', { hasText: 'You left #garden.' }).getByRole('button', { name: 'Undo' }).click();
    await roomButton(john.page, 'garden').waitFor();
    await john.page.locator('#room-title[data-room="garden"]').waitFor();

    // Jane archives: asked first, then it leaves both lists; Undo brings it back.
    await jane.page.click('#room-settings');
    await jane.page.click('#archive-room');
    await jane.page.locator('#confirm[open]').waitFor();
    await screenshot(jane.page, 'desktop-light-archive-confirm');
    await jane.page.click('#confirm-ok');
    await roomButton(jane.page, 'garden').waitFor({ state: 'detached' });
    await roomButton(john.page, 'garden').waitFor({ state: 'detached' });
    await john.page.locator('#notice', { hasText: '#garden was archived by janedoe' }).waitFor();
    await jane.page.locator('#toasts .toast', { hasText: 'Archived #garden.' }).getByRole('button', { name: 'Undo' }).click();
    await roomButton(jane.page, 'garden').waitFor();
    await roomButton(john.page, 'garden').waitFor();
    writer.close();
    assert.deepEqual(harness.pageErrors, []);
  });

  test('display names: set your own, and others see it with the username on hover', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe', undefined, { viewport: DESKTOP });
    await john.page.click('#profile-button');
    await john.page.fill('#display-name', 'John <b>Doe</b>');
    await screenshot(john.page, 'desktop-light-profile');
    await john.page.click('#profile-form button[type=submit]');
    await john.page.locator('#my-name', { hasText: 'John <b>Doe</b>' }).waitFor();
    await type(john.page, 'signed with my name');
    const jane = await harness.loggedIn('janedoe', undefined, { viewport: DESKTOP });
    const row = messageRow(jane.page, 'signed with my name');
    await row.locator('.user', { hasText: 'John <b>Doe</b>' }).waitFor();
    assert.equal(await row.locator('.user').getAttribute('title'), '@johndoe');
    await jane.page.locator('#online li[data-user="johndoe"] .name', { hasText: 'John <b>Doe</b> @johndoe' }).waitFor();
    assert.equal(await jane.page.locator('main b, nav b, aside b').count(), 0);
    await screenshot(jane.page, 'desktop-light-display-names');
    assert.equal((await api('johndoe', 'PATCH', '/users/me', { display_name: null })).status, 200);
    assert.deepEqual(harness.pageErrors, []);
  });

  test('axe-core with the panels open, light and dark, phone and desktop; no sideways scrolling', { timeout: 3 * timeout }, async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [name, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        const writer = await poster(server, 'janedoe', 'lobby');
        await writer.say(`@johndoe, is the ${colorScheme} ${name} page clean?`);
        writer.close();
        const { page } = await harness.loggedIn('johndoe', undefined, { viewport, colorScheme });
        await page.evaluate(() => (location.hash = 'lobby'));
        await rowWith(page, `is the ${colorScheme} ${name} page clean?`).waitFor();
        assert.deepEqual(await axeViolations(page), [], `lobby, ${colorScheme}, ${name}`);
        await screenshot(page, `${name}-${colorScheme}-team-chat`);
        await page.locator('#body').pressSequentially('@ja');
        await page.locator('#mention-list [role=option]').first().waitFor();
        assert.deepEqual(await axeViolations(page), [], `mention list, ${colorScheme}, ${name}`);
        await page.keyboard.press('Escape');
        await page.fill('#body', '');
        const panels: [string, () => Promise<void>][] = [
          [
            'details',
            async () => {
              await page.click('#room-settings');
              await page.locator('#room-dialog[open]').waitFor();
            },
          ],
          [
            'browse',
            async () => {
              await page.click('#browse-rooms');
              await page.locator('#browse-list li[data-room]').first().waitFor();
            },
          ],
          [
            'people',
            async () => {
              await page.click('#new-dm-button');
              await page.locator('#dm-results button').first().waitFor();
            },
          ],
          [
            'search',
            async () => {
              await page.fill('#search-q', 'release');
              await page.press('#search-q', 'Enter');
              await page.locator('#search-results a').first().waitFor();
            },
          ],
        ];
        for (const [panel, show] of panels) {
          // On the phone the sidebar's panels open from the room drawer (which Escape may have closed with the last panel).
          if (name === 'phone' && panel !== 'details' && !(await page.locator('#sidebar').isVisible())) await page.click('#open-rooms');
          await show();
          assert.deepEqual(await axeViolations(page), [], `${panel}, ${colorScheme}, ${name}`);
          assert.equal(await horizontalOverflow(page), 0, `${panel}, ${name}`);
          await screenshot(page, `${name}-${colorScheme}-panel-${panel}`);
          await page.keyboard.press('Escape');
          await page.locator('dialog[open]').waitFor({ state: 'detached' });
        }
      }
      const admin = await harness.loggedIn(ROOT.username, ROOT.password, { viewport: PHONE, colorScheme });
      await admin.page.goto(`${server.url}/admin`);
      await admin.page.locator('#users tr[data-user="johndoe"]').waitFor();
      assert.deepEqual(await axeViolations(admin.page), [], `admin, ${colorScheme}`);
      assert.equal(await horizontalOverflow(admin.page), 0);
      await screenshot(admin.page, `phone-${colorScheme}-admin`);
    }
    assert.deepEqual(harness.pageErrors, []);
  });

  test('the admin page: only for admins; closes registration; disabling a user logs their page out', { timeout: 2 * timeout }, async () => {
    // A page login grants `admin` to an admin, and to no one else.
    const jane = await harness.loggedIn('janedoe', undefined, { viewport: PHONE });
    // The scopes the page's login was granted, as its access cookie (a JWT) says.
    const scopesOf = async (context: BrowserContext) => {
      const token = (await context.cookies()).find((c) => c.name === 'parley_token')!.value;
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { scope?: string; scp?: string[] };
      return claims.scope?.split(' ') ?? claims.scp;
    };
    assert.deepEqual(await scopesOf(jane.context), ['chat:read', 'chat:write']);
    assert.equal(await jane.page.locator('#admin-link').count(), 0);
    const refused = await jane.page.evaluate(async () => (await fetch('/admin/users')).status);
    assert.equal(refused, 403);
    const notAdmin = await harness.newPage();
    await notAdmin.context.addCookies(await jane.context.cookies());
    const page403 = await notAdmin.page.goto(`${server.url}/admin`);
    assert.equal(page403?.status(), 403);

    const root = await harness.loggedIn(ROOT.username, ROOT.password, { viewport: DESKTOP });
    assert.deepEqual(await scopesOf(root.context), ['chat:read', 'chat:write', 'admin']);
    assert.equal(await root.page.evaluate(async () => (await fetch('/admin/users')).status), 200);
    await root.page.click('#admin-link');
    await root.page.waitForURL(`${server.url}/admin`);
    const janeRow = root.page.locator('#users tr[data-user="janedoe"]');
    await janeRow.waitFor();
    assert.match((await root.page.locator('#users tr[data-user="carol"]').textContent()) ?? '', /Carol Ng @carol/);

    // Registration, closed for every node; /register says so.
    await root.page.locator('#registration-toggle:not([disabled])').waitFor();
    const toggle = root.page.locator('#registration-toggle');
    if ((await toggle.textContent()) === 'Open registration') await toggle.click();
    await root.page.locator('#registration-toggle', { hasText: 'Close registration' }).click();
    await root.page.locator('#registration-toggle', { hasText: 'Open registration' }).waitFor();
    assert.equal((await fetch(`${server.url}/register`)).status, 404);
    await root.page.locator('#registration-toggle', { hasText: 'Open registration' }).click();
    await root.page.locator('#registration-toggle', { hasText: 'Close registration' }).waitFor();
    assert.equal((await fetch(`${server.url}/register`)).status, 200);

    // Disabling Jane ends her open page: it lands on the login form.
    await janeRow.getByRole('button', { name: 'Disable janedoe' }).click();
    await janeRow.locator('.user-state', { hasText: 'Disabled' }).waitFor();
    await screenshot(root.page, 'desktop-light-admin');
    await jane.page.waitForURL((url) => url.pathname === '/login');
    assert.equal(await harness.submitLogin(jane.page, 'janedoe', 'secret2'), 401);
    // Enable is the undo.
    await janeRow.getByRole('button', { name: 'Enable janedoe' }).click();
    await janeRow.locator('.user-state', { hasText: 'Active' }).waitFor();
    assert.equal(await harness.submitLogin(jane.page, 'janedoe', 'secret2'), 303);
    assert.deepEqual(harness.pageErrors, []);
  });
});
