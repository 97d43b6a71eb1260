// The chat page as a small team meets it (issue #11), in Chromium at 390×844 (a phone) and 1280×800, with two
// users: the layout, the composer and markdown, message states and the outbox, the offline banner,
// notifications, edits and deletions, dates, deep links, and axe-core in light and dark. Every test leaves
// screenshots in test-output/screenshots/ for a person to look at.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Limits } from 'parley-chat-protocol/catalogue';
import type { Page } from 'playwright-core';
import { getToken } from '../helpers.js';
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
  shown,
  skip,
  socketSwitch,
  timeout,
  type,
  waitForMessage,
} from './harness.js';

describe('the chat page', { skip, timeout: 20 * timeout }, () => {
  const { server, harness } = browserSuite();

  async function api(user: string, method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await getToken(server.url, user)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  const stateOf = (page: Page, selector: string) => page.locator(selector).getAttribute('aria-expanded');

  test('on a phone: one column, no sideways scrolling, drawers that give focus back, the composer in view', { timeout }, async () => {
    const jane = await poster(server, 'janedoe');
    await jane.say(`a link that never ends https://example.com/${'very-long-path/'.repeat(12)}?and=a&query=string`);
    await jane.say(`and a word that never ends ${'unbreakable'.repeat(12)}`);
    await jane.say('```\nconst a_line_of_code_that_is_far_too_long_for_a_phone = "and it still has to wrap somewhere";\n```');
    jane.close();
    const { page } = await harness.loggedIn('johndoe', undefined, { viewport: PHONE });
    await page.locator('#messages pre', { hasText: 'const a_line_of_code' }).waitFor();
    for (const width of [360, 390, 430]) {
      await page.setViewportSize({ width, height: 844 });
      assert.equal(await horizontalOverflow(page), 0, `the page scrolls sideways at ${width} px`);
    }
    await page.setViewportSize(PHONE);
    // The room list and the people list are drawers, closed.
    assert.equal(await page.locator('#sidebar').isVisible(), false);
    assert.equal(await page.locator('#people').isVisible(), false);
    const composer = await page.locator('#composer').boundingBox();
    assert.ok(
      composer && composer.y + composer.height <= PHONE.height && composer.x >= 0 && composer.x + composer.width <= PHONE.width,
      'the composer is on screen',
    );
    await screenshot(page, 'phone-light-chat');

    // The room list opens from its button (aria-expanded), takes focus, and gives it back on Escape.
    await page.focus('#open-rooms');
    await page.keyboard.press('Enter');
    await page.locator('#sidebar').waitFor({ state: 'visible' });
    assert.equal(await stateOf(page, '#open-rooms'), 'true');
    assert.ok(await page.evaluate(() => document.querySelector('#sidebar')!.contains(document.activeElement)), 'focus moved into the drawer');
    await screenshot(page, 'phone-light-rooms-drawer');
    await page.keyboard.press('Escape');
    await page.locator('#sidebar').waitFor({ state: 'hidden' });
    assert.equal(await stateOf(page, '#open-rooms'), 'false');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'open-rooms', 'focus is back on the button');

    // The people drawer, the same way; picking a room in the room drawer closes it.
    await page.click('#open-people');
    await page.locator('#people').waitFor({ state: 'visible' });
    assert.equal(await stateOf(page, '#open-people'), 'true');
    await screenshot(page, 'phone-light-people-drawer');
    await page.click('#people [data-close-drawer]');
    await page.locator('#people').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'open-people');
    await page.click('#open-rooms');
    await page.fill('#new-room input[name=name]', 'phone-room');
    await page.click('#new-room button');
    await page.locator('#room-title[data-room="phone-room"]').waitFor();
    await page.locator('#sidebar').waitFor({ state: 'hidden' });
    assert.equal(await horizontalOverflow(page), 0);

    // Dark, too.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.evaluate(() => (location.hash = 'general'));
    await page.locator('#room-title[data-room="general"]').waitFor();
    await screenshot(page, 'phone-dark-chat');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('on a desktop: three columns, no drawer buttons', { timeout }, async () => {
    const { page } = await harness.loggedIn('johndoe', undefined, { viewport: DESKTOP });
    for (const panel of ['#sidebar', '#people', '#composer']) assert.equal(await page.locator(panel).isVisible(), true, panel);
    for (const toggle of ['#open-rooms', '#open-people']) assert.equal(await page.locator(toggle).isVisible(), false, toggle);
    assert.equal(await horizontalOverflow(page), 0);
    await screenshot(page, 'desktop-light-chat');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'desktop-dark-chat');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('Shift+Enter is a new line, Enter sends: the other user sees two lines, the server stores a \\n', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe', undefined, { viewport: DESKTOP });
    const jane = await harness.loggedIn('janedoe', undefined, { viewport: PHONE });
    const tag = Date.now().toString(36);
    await john.page.click('#body');
    await john.page.keyboard.type(`line one ${tag}`);
    await john.page.keyboard.press('Shift+Enter');
    await john.page.keyboard.type('line two');
    assert.equal(await john.page.inputValue('#body'), `line one ${tag}\nline two`, 'Shift+Enter did not send');
    await john.page.keyboard.press('Enter');
    await john.page.waitForFunction(() => (document.querySelector('#body') as HTMLTextAreaElement).value === '');

    // Pasted lines stay lines.
    await john.page.keyboard.insertText(`pasted ${tag}\nsecond pasted line\nthird`);
    await john.page.keyboard.press('Enter');

    const rowOf = async (body: string) => {
      await waitForMessage(jane.page, 'johndoe', body);
      const seq = (await shown(jane.page)).find((m) => m.body === body)!.seq;
      return jane.page.locator(`#messages li[data-seq="${seq}"]`);
    };
    const row = await rowOf(`line one ${tag}\nline two`);
    assert.equal(await row.locator('.body br').count(), 1);
    assert.equal(await row.locator('.body').innerText(), `line one ${tag}\nline two`);
    const pasted = await rowOf(`pasted ${tag}\nsecond pasted line\nthird`);
    assert.equal(await pasted.locator('.body br').count(), 2);

    const history = (await (await api('janedoe', 'GET', '/rooms/general/messages?limit=5')).json()) as { body: string }[];
    assert.ok(
      history.some((m) => m.body === `line one ${tag}\nline two`),
      'the stored body keeps the newline',
    );
    assert.ok(history.some((m) => m.body === `pasted ${tag}\nsecond pasted line\nthird`));
    await screenshot(jane.page, 'phone-light-multiline');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('markdown: a safe subset, links are anchors that open apart, HTML stays text', { timeout }, async () => {
    const jane = await harness.loggedIn('janedoe', undefined, { viewport: DESKTOP });
    const tag = Date.now().toString(36);
    const body = [
      `see https://example.com/docs?q=${tag} and **bold** _soft_ \`code\``,
      '',
      '> quoted',
      '',
      '- one',
      '- two',
      '',
      '```',
      'let x = 1 < 2;',
      '```',
      '<img src=x onerror=alert(1)> [click](javascript:alert(1)) <script>alert(2)</script>',
    ].join('\n');
    const writer = await poster(server, 'johndoe');
    await writer.say(body);
    writer.close();
    const row = jane.page.locator(`#messages li[data-seq]:has(a[href="https://example.com/docs?q=${tag}"])`);
    await row.waitFor();
    const link = row.locator(`a[href="https://example.com/docs?q=${tag}"]`);
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.textContent(), `https://example.com/docs?q=${tag}`);
    assert.equal(await row.locator('.body strong').textContent(), 'bold');
    assert.equal(await row.locator('.body em').textContent(), 'soft');
    assert.equal(await row.locator('.body p code').textContent(), 'code');
    assert.equal(await row.locator('.body blockquote').textContent(), 'quoted');
    assert.deepEqual(await row.locator('.body ul li').allTextContents(), ['one', 'two']);
    assert.equal(await row.locator('.body pre code').textContent(), 'let x = 1 < 2;\n');
    // Typed HTML is text; a javascript: link is not a link.
    assert.equal(await row.locator('img, script').count(), 0);
    assert.equal(await row.locator('.body a').count(), 1);
    const text = await row.locator('.body').textContent();
    assert.ok(
      text?.includes('<img src=x onerror=alert(1)>') && text.includes('<script>alert(2)</script>') && text.includes('[click](javascript:alert(1))'),
      text ?? '',
    );
    await screenshot(jane.page, 'desktop-light-markdown');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('Up edits my last message; an edit in progress survives incoming messages', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe', undefined, { viewport: DESKTOP });
    const tag = Date.now().toString(36);
    await type(john.page, `first draft ${tag}`);
    await waitForMessage(john.page, 'johndoe', `first draft ${tag}`);
    await john.page.focus('#body');
    await john.page.keyboard.press('ArrowUp');
    const field = john.page.locator('#messages .edit-field');
    await field.waitFor();
    assert.equal(await field.inputValue(), `first draft ${tag}`);
    await john.page.keyboard.type(' — half-typed');

    const jane = await poster(server, 'janedoe');
    for (let i = 0; i < 3; i++) await jane.say(`interruption ${i} ${tag}`);
    jane.close();
    await waitForMessage(john.page, 'janedoe', `interruption 2 ${tag}`);
    assert.equal(await field.inputValue(), `first draft ${tag} — half-typed`, 'the edit was not thrown away');
    assert.equal(await john.page.evaluate(() => document.activeElement?.classList.contains('edit-field')), true, 'it kept the focus');
    await screenshot(john.page, 'desktop-light-editing');
    await john.page.keyboard.press('Enter');
    await waitForMessage(john.page, 'johndoe', `first draft ${tag} — half-typed`);
    assert.equal(await messageRow(john.page, `first draft ${tag} — half-typed`).locator('.edited').textContent(), '(edited)');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('Delete asks for nothing but offers Undo for 5 s; undone, nobody ever sees it go', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe', undefined, { viewport: DESKTOP });
    const jane = await harness.loggedIn('janedoe', undefined, { viewport: DESKTOP });
    const tag = Date.now().toString(36);
    await type(john.page, `keep me ${tag}`);
    await waitForMessage(jane.page, 'johndoe', `keep me ${tag}`);
    await messageRow(john.page, `keep me ${tag}`).locator('button.delete').click();
    const toastShown = john.page.locator('#toasts .toast', { hasText: 'Message deleted.' });
    await toastShown.waitFor();
    assert.equal(await messageRow(john.page, `keep me ${tag}`).count(), 0, 'hidden at once');
    await screenshot(john.page, 'desktop-light-undo-toast');
    await toastShown.getByRole('button', { name: 'Undo' }).click();
    await messageRow(john.page, `keep me ${tag}`).waitFor();
    await john.page.waitForTimeout(5500); // past the toast's life: nothing was sent
    assert.equal(await messageRow(jane.page, `keep me ${tag}`).count(), 1);
    assert.equal(await messageRow(john.page, `keep me ${tag}`).count(), 1);
    assert.deepEqual(harness.pageErrors, []);
  });

  test('a message sent offline shows "Sending…", the banner comes within 5 s, it survives a reload and arrives once', {
    timeout: 2 * timeout,
  }, async () => {
    const john = await harness.newPage({ viewport: PHONE });
    const network = await socketSwitch(john.context);
    await john.page.goto(`${server.url}/`);
    assert.equal(await harness.submitLogin(john.page, 'johndoe', 'secret'), 303);
    await joined(john.page);
    const jane = await harness.loggedIn('janedoe', undefined, { viewport: DESKTOP });
    const tag = Date.now().toString(36);
    const body = `written offline ${tag}`;

    network.cut = true;
    await john.context.setOffline(true);
    await john.page.locator('#banner').waitFor({ state: 'visible', timeout: 6000 });
    assert.equal(await john.page.locator('#banner').textContent(), 'You are offline. Messages you send will go out when the connection is back.');
    await type(john.page, body); // the composer keeps working
    const pending = john.page.locator('#messages li[data-state="sending"]');
    await pending.waitFor();
    assert.equal(await pending.locator('.body').textContent(), body);
    assert.equal(await pending.locator('.state').textContent(), 'Sending…');
    await screenshot(john.page, 'phone-light-offline-sending');
    // The heartbeat gives up on the dead socket and the page tries a new one (refused).
    while (network.refused === 0) await john.page.waitForTimeout(100);

    // The network is back for pages, not yet for sockets: after the reload, only the outbox knows the message.
    await john.context.setOffline(false);
    await john.page.reload();
    await john.page.locator('#messages li[data-state="sending"]').waitFor();
    assert.equal(await john.page.locator('#messages li[data-state="sending"] .body').textContent(), body, 'the outbox survived the reload');
    assert.equal(await messageRow(jane.page, body).count(), 0);

    network.cut = false;
    await waitForMessage(jane.page, 'johndoe', body);
    await waitForMessage(john.page, 'johndoe', body);
    await john.page.locator('#messages li[data-state]').waitFor({ state: 'detached' });
    await john.page.locator('#banner').waitFor({ state: 'hidden' });
    // Once: a message sent after it arrives after it, and it is still there only once.
    const marker = `after ${tag}`;
    await type(john.page, marker);
    await waitForMessage(jane.page, 'johndoe', marker);
    for (const page of [john.page, jane.page]) {
      assert.equal((await shown(page)).filter((m) => m.body === body).length, 1);
    }
    assert.equal(
      await john.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('parley:outbox:')).length),
      0,
      'the outbox is empty',
    );
    await screenshot(john.page, 'phone-light-offline-delivered');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('a message that cannot be delivered says why, with Retry and Discard', { timeout }, async () => {
    assert.equal((await api('janedoe', 'POST', '/rooms', { name: 'backroom', private: true })).status, 201);
    assert.equal((await api('janedoe', 'PUT', '/rooms/backroom/members/johndoe')).status, 200);
    const john = await harness.newPage({ viewport: DESKTOP });
    const network = await socketSwitch(john.context);
    await john.page.goto(`${server.url}/login?next=/%23backroom`);
    assert.equal(await harness.submitLogin(john.page, 'johndoe', 'secret'), 303);
    await joined(john.page);
    // While John is cut off, he writes; meanwhile the owner removes him. When he is back, the room refuses him.
    network.cut = true;
    await type(john.page, 'too late');
    await john.page.locator('#messages li[data-state="sending"]').waitFor();
    assert.equal((await api('janedoe', 'DELETE', '/rooms/backroom/members/johndoe')).status, 204);
    while (network.refused === 0) await john.page.waitForTimeout(100); // the page has given up on the dead socket
    network.cut = false;
    const failed = john.page.locator('#messages li[data-state="failed"]');
    await failed.waitFor();
    assert.equal(await failed.locator('.state span').textContent(), 'Not sent. You cannot post in #backroom.');
    await screenshot(john.page, 'desktop-light-failed');
    // It stays (a reload keeps it) until it is retried or discarded.
    await john.page.reload();
    await failed.waitFor();
    await failed.getByRole('button', { name: 'Discard' }).click();
    await failed.waitFor({ state: 'detached' });
    assert.equal(await john.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('parley:outbox:')).length), 0);
    assert.deepEqual(harness.pageErrors, []);
  });

  test('a silent cut (no offline event, nothing closes): the heartbeat shows the banner within ~5 s', { timeout }, async () => {
    const { context, page } = await harness.newPage({ viewport: PHONE });
    // Every socket goes through this relay; `silent` makes it swallow frames both ways, like a dead route.
    let silent = false;
    await context.routeWebSocket(/\/ws$/, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((message) => {
        if (!silent) upstream.send(message);
      });
      upstream.onMessage((message) => {
        if (!silent) ws.send(message);
      });
    });
    await page.goto(`${server.url}/`);
    assert.equal(await harness.submitLogin(page, 'johndoe', 'secret'), 303);
    await joined(page);
    silent = true;
    // The page pings a quiet line every 2 s and gives up on it after a second quiet interval: about 4 s.
    await page.locator('#banner').waitFor({ state: 'visible', timeout: 6000 });
    assert.equal(await page.evaluate(() => navigator.onLine), true, 'the browser never said it was offline');
    assert.match((await page.locator('#banner').textContent()) ?? '', /^Connection lost/);
    await screenshot(page, 'phone-light-connection-lost');
    silent = false;
    await page.locator('#banner').waitFor({ state: 'hidden' });
    await type(page, 'back again');
    await waitForMessage(page, 'johndoe', 'back again');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('a DM raises a desktop notification (asked for with a button) and the tab title counts unread', { timeout }, async () => {
    assert.equal((await api('janedoe', 'POST', '/dms', { user: 'johndoe' })).status, 200);
    const context = { viewport: DESKTOP, permissions: ['notifications'] };
    const { page } = await harness.newPage(context);
    // Observe what the page asks of the Notification API (the real one still runs underneath).
    await page.addInitScript(() => {
      const Real = window.Notification;
      const seen = ((window as unknown as { seen: unknown }).seen = { asked: 0, shown: [] as { title: string; body?: string }[] });
      class Spy extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          seen.shown.push({ title, body: options?.body });
        }
        static override requestPermission(): Promise<NotificationPermission> {
          seen.asked++;
          return Real.requestPermission();
        }
        static override get permission(): NotificationPermission {
          return Real.permission;
        }
      }
      window.Notification = Spy;
    });
    await page.goto(`${server.url}/`);
    assert.equal(await harness.submitLogin(page, 'johndoe', 'secret'), 303);
    await joined(page);
    const seen = () => page.evaluate(() => (window as unknown as { seen: { asked: number; shown: { title: string; body?: string }[] } }).seen);
    assert.equal((await seen()).asked, 0, 'nothing is asked on page load');
    await page.click('#notify-toggle');
    await page.waitForFunction(() => document.querySelector('#notify-toggle')?.getAttribute('aria-pressed') === 'true');
    assert.equal((await seen()).asked, 1);

    const tag = Date.now().toString(36);
    const dm = (await (await api('janedoe', 'POST', '/dms', { user: 'johndoe' })).json()) as { name: string };
    const jane = await poster(server, 'janedoe', dm.name);
    await jane.say(`psst ${tag}`);
    await page.waitForFunction(
      (t) => (window as unknown as { seen: { shown: { body?: string }[] } }).seen.shown.some((n) => n.body === `psst ${t}`),
      tag,
    );
    assert.deepEqual((await seen()).shown.at(-1), { title: 'janedoe (direct message)', body: `psst ${tag}` });
    await page.waitForFunction(() => document.title === '(1) #general · Parley');
    await page.locator(`#rooms button[data-room="${dm.name}"] .unread`).waitFor();
    await screenshot(page, 'desktop-light-dm-unread');

    // Nothing for the room in plain sight: open the DM, and the next one is only shown.
    await page.click(`#rooms button[data-room="${dm.name}"]`);
    await page.waitForFunction(() => document.title === 'janedoe · Parley');
    const before = (await seen()).shown.length;
    await jane.say(`in sight ${tag}`);
    await waitForMessage(page, 'janedoe', `in sight ${tag}`);
    assert.equal((await seen()).shown.length, before);
    // A screen reader hears the new message, and only it.
    assert.equal(await page.locator('#announce').textContent(), `janedoe: in sight ${tag}`);
    jane.close();
    assert.deepEqual(harness.pageErrors, []);
  });

  test('dates: a separator per day and the full date on hover', { timeout }, async () => {
    const writer = await poster(server, 'janedoe');
    const tag = Date.now().toString(36);
    await writer.say(`dated ${tag}`);
    writer.close();
    const { page } = await harness.loggedIn('johndoe', undefined, { viewport: DESKTOP });
    await waitForMessage(page, 'janedoe', `dated ${tag}`);
    assert.equal(await page.locator('#messages li.day h3').last().textContent(), 'Today');
    const time = messageRow(page, `dated ${tag}`).locator('time').first();
    const iso = await time.getAttribute('datetime');
    assert.ok(iso && !Number.isNaN(Date.parse(iso)), `datetime=${iso}`);
    assert.match((await time.getAttribute('title')) ?? '', /\d{4}/, 'the title has the full date');
    // The same messages seen from later days.
    for (const [days, label] of [
      [1, /^Yesterday$/],
      [3, /^\w+day, \w+ \d{1,2}$/],
    ] as const) {
      await page.clock.setFixedTime(Date.now() + days * 86_400_000);
      await page.reload();
      await waitForMessage(page, 'janedoe', `dated ${tag}`);
      assert.match((await page.locator('#messages li.day h3').last().textContent()) ?? '', label);
    }
    await screenshot(page, 'desktop-light-dates');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('a deep link to a message survives a login (even a failed attempt) and Back/Forward', { timeout }, async () => {
    assert.equal((await api('janedoe', 'POST', '/rooms', { name: 'random' })).status, 201);
    const writer = await poster(server, 'janedoe', 'random');
    const seqs: number[] = [];
    for (let i = 0; i < 120; i++) seqs.push(await writer.say(`random ${i}`));
    writer.close();
    const wanted = seqs[10]!; // older than the 50 a join replays: the page must load back to it

    const { page } = await harness.newPage({ viewport: DESKTOP });
    await page.goto(`${server.url}/#random/${wanted}`);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await harness.submitLogin(page, 'johndoe', 'wrong'), 401);
    assert.equal(await harness.submitLogin(page, 'johndoe', 'secret'), 303);
    assert.equal(page.url(), `${server.url}/#random/${wanted}`);
    await page.locator('#room-title[data-room="random"]').waitFor();
    const target = page.locator(`#messages li[data-seq="${wanted}"]`);
    await target.waitFor();
    await page.waitForFunction((seq) => document.activeElement === document.querySelector(`#messages li[data-seq="${seq}"]`), wanted);
    assert.match((await target.getAttribute('class')) ?? '', /\btarget\b/);
    assert.equal(await target.locator('.body').textContent(), 'random 10');
    await screenshot(page, 'desktop-light-deep-link');

    await page.click('#rooms button[data-room="general"]');
    await page.locator('#room-title[data-room="general"]').waitFor();
    assert.equal(new URL(page.url()).hash, '#general');
    await page.goBack();
    await page.locator('#room-title[data-room="random"]').waitFor();
    await page.goForward();
    await page.locator('#room-title[data-room="general"]').waitFor();
    assert.deepEqual(harness.pageErrors, []);
  });

  test('a message over the limit is never cut: a counter near the composer, no send, the text kept', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe', undefined, { viewport: PHONE });
    const counter = john.page.locator('#body-count');
    const send = john.page.getByRole('button', { name: 'Send' });
    // A paste 612 characters over the limit: all of it stays in the composer (no maxlength cuts it).
    const tag = `long-${Date.now().toString(36)}`;
    const over = `${tag} ${'x'.repeat(Limits.bodyLength + 611 - tag.length)}`;
    await john.page.click('#body');
    await john.page.keyboard.insertText(over);
    assert.equal((await john.page.inputValue('#body')).length, Limits.bodyLength + 612, 'the paste was cut');
    await counter.waitFor();
    const limit = Limits.bodyLength.toLocaleString('en-US');
    assert.equal(await counter.textContent(), `${(Limits.bodyLength + 612).toLocaleString('en-US')} / ${limit} — shorten the message to send it`);
    assert.ok(await send.isDisabled(), 'Send is disabled while over the limit');
    assert.equal(await john.page.locator('#body').getAttribute('aria-invalid'), 'true');
    await screenshot(john.page, 'phone-light-composer-too-long');
    // Enter does nothing: the text stays, nothing goes out.
    await john.page.press('#body', 'Enter');
    await john.page.waitForTimeout(300);
    assert.equal(await john.page.inputValue('#body'), over);
    assert.equal(await john.page.locator('#messages li[data-client-id]').count(), 0, 'nothing was queued');
    assert.ok(!(await shown(john.page)).some((m) => m.body.startsWith(tag)), 'nothing was sent');

    // Within the last tenth: the count alone, and it sends. Well under: no counter at all.
    const near = `${tag} ${'y'.repeat(Limits.bodyLength - 10 - tag.length - 1)}`;
    await john.page.fill('#body', near);
    assert.equal(await counter.textContent(), `${(Limits.bodyLength - 10).toLocaleString('en-US')} / ${limit}`);
    assert.ok(await send.isEnabled());
    await screenshot(john.page, 'phone-light-composer-near-limit');
    await john.page.fill('#body', 'short');
    await counter.waitFor({ state: 'hidden' });
    await john.page.fill('#body', near);
    await john.page.press('#body', 'Enter');
    await john.page.waitForFunction(() => (document.querySelector('#body') as HTMLTextAreaElement).value === '');
    await waitForMessage(john.page, 'johndoe', near);
    await counter.waitFor({ state: 'hidden' });
    assert.deepEqual(harness.pageErrors, []);
  });

  test('the @mention list closes when the message is sent, and when the composer is emptied (phone)', { timeout }, async () => {
    const jane = await harness.loggedIn('janedoe', undefined, { viewport: PHONE });
    const list = jane.page.locator('#mention-list');
    const tag = Date.now().toString(36);
    // Filled and sent at once: the suggestions were still on their way when Enter sent the message.
    await jane.page.fill('#body', `quick ${tag} @jo`);
    await jane.page.press('#body', 'Enter');
    await waitForMessage(jane.page, 'janedoe', `quick ${tag} @jo`);
    await jane.page.waitForTimeout(600); // past the picker's debounce and its directory lookup
    assert.ok(await list.isHidden(), 'the suggestions stayed open after the message was sent');
    assert.equal(await jane.page.locator('#body').getAttribute('aria-activedescendant'), null);
    await screenshot(jane.page, 'phone-light-mention-after-send');
    // Typed slowly, the list is open when the composer is emptied: it closes.
    await jane.page.locator('#body').pressSequentially('hi @jo');
    await list.locator('[role=option]').first().waitFor();
    await jane.page.fill('#body', '');
    await list.waitFor({ state: 'hidden' });
    assert.deepEqual(harness.pageErrors, []);
  });

  test('an empty room says so, calmly and outside the list; the first message replaces it', { timeout }, async () => {
    const name = `design-${Date.now().toString(36)}`;
    const created = await api('johndoe', 'POST', '/rooms', { name, topic: 'Mockups and reviews' });
    assert.equal(created.status, 201);
    const john = await harness.loggedIn('johndoe', undefined, { viewport: PHONE });
    await john.page.evaluate((room) => (location.hash = room), name);
    const empty = john.page.locator('#room-empty');
    await empty.waitFor();
    assert.equal(await empty.locator('.empty-title').textContent(), `This is the start of #${name}.`);
    assert.equal(await empty.locator('.empty-topic').textContent(), 'Mockups and reviews');
    // Not a row of the list (row counts and screen readers' "list, 0 items" stay right), nor a live region.
    assert.equal(await john.page.locator('#messages li').count(), 0);
    assert.deepEqual(await shown(john.page), []);
    assert.equal(await empty.evaluate((node) => node.closest('[aria-live], [role=status], [role=alert], #messages')), null);
    await screenshot(john.page, 'phone-light-empty-room');

    assert.equal((await api('janedoe', 'POST', `/rooms/${name}/join`)).status, 200);
    const jane = await poster(server, 'janedoe', name);
    await jane.say('first!');
    await waitForMessage(john.page, 'janedoe', 'first!');
    assert.ok(await empty.isHidden(), 'the empty state went with the first message');
    await screenshot(john.page, 'phone-light-empty-room-first-message');
    jane.close();
    assert.deepEqual(harness.pageErrors, []);
  });

  test('Log out lands on the login page saying "You are signed out." (a fixed sentence, never an echo)', { timeout }, async () => {
    const john = await harness.loggedIn('johndoe', undefined, { viewport: PHONE });
    await john.page.click('#open-rooms'); // on a phone, Log out is in the rooms drawer
    await Promise.all([john.page.waitForURL(`${server.url}/login?signed_out=1`), john.page.getByRole('button', { name: 'Log out' }).click()]);
    const notice = john.page.locator('#signed-out');
    assert.equal(await notice.textContent(), 'You are signed out.');
    assert.equal(await notice.getAttribute('role'), 'status');
    await screenshot(john.page, 'phone-light-signed-out');
    // Nothing else in the address is shown, and a wrong password afterwards says only that.
    await john.page.goto(`${server.url}/login?signed_out=%3Cb%3Ehi%3C/b%3E`);
    assert.equal(await notice.count(), 0);
    assert.equal(await john.page.getByText('hi', { exact: true }).count(), 0);
    await john.page.goto(`${server.url}/login?signed_out=1`);
    assert.equal(await harness.submitLogin(john.page, 'johndoe', 'wrong-password'), 401);
    assert.equal(await notice.count(), 0);
    assert.deepEqual(harness.pageErrors, []);
  });

  test('axe-core: no serious or critical violation, light and dark, phone and desktop', { timeout: 2 * timeout }, async () => {
    // Something of everything on screen: markdown, a private room, a DM, an unread badge, a failed-free list.
    assert.equal((await api('johndoe', 'POST', '/rooms', { name: 'axe-private', private: true })).status, 201);
    assert.equal((await api('johndoe', 'POST', '/dms', { user: 'janedoe' })).status, 200);
    const writer = await poster(server, 'janedoe');
    await writer.say('**Bold**, _soft_, `code`, a link https://example.com and\n> a quote\n- a list');
    writer.close();
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [name, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        const { page } = await harness.loggedIn('johndoe', undefined, { viewport, colorScheme });
        await page.locator('#messages li[data-seq]').first().waitFor();
        await type(page, `me, in ${colorScheme} on a ${name}`);
        await waitForMessage(page, 'johndoe', `me, in ${colorScheme} on a ${name}`);
        assert.deepEqual(await axeViolations(page), [], `chat, ${colorScheme}, ${name}`);
        if (name === 'phone') {
          await page.click('#open-rooms');
          await page.locator('#sidebar').waitFor({ state: 'visible' });
          assert.deepEqual(await axeViolations(page), [], `room drawer, ${colorScheme}`);
        }
        const form = await harness.newPage({ viewport, colorScheme });
        for (const path of ['/login', '/register', '/nowhere']) {
          await form.page.goto(`${server.url}${path}`);
          assert.deepEqual(await axeViolations(form.page), [], `${path}, ${colorScheme}, ${name}`);
        }
        await screenshot(form.page, `${name}-${colorScheme}-404`);
        await form.page.goto(`${server.url}/register`);
        await screenshot(form.page, `${name}-${colorScheme}-register`);
      }
    }
    assert.deepEqual(harness.pageErrors, []);
  });
});
