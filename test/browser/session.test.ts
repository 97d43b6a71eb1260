// The life of a browser session in Chromium, with 4-second access tokens: the page refreshes its socket
// in-band through the refresh cookie, a page load with an expired access cookie refreshes silently, and a
// logout in one tab drops the other tab's socket.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Client, getToken } from '../helpers.js';
import { browserSuite, joined, skip, timeout, type, waitForMessage } from './harness.js';

describe('browser session life', { skip, timeout: 10 * timeout }, () => {
  const { server, harness } = browserSuite({ PARLEY_ACCESS_TOKEN_TTL: '4s', PARLEY_EXPIRY_WARNING: '3s' });

  test('the chat socket outlives its 4-second token: refreshed in-band, one socket, cookies rotated', { timeout }, async () => {
    const { context, page } = await harness.loggedIn('johndoe');
    let sockets = 0;
    page.on('websocket', () => sockets++);
    const firstCookie = (await context.cookies()).find((c) => c.name === 'parley_token')!.value;
    const refresh = (await context.cookies()).find((c) => c.name === 'parley_refresh')!;
    assert.equal(refresh.httpOnly, true);
    assert.equal(refresh.sameSite, 'Strict');
    assert.equal(refresh.path, '/auth');

    await page.waitForTimeout(6500); // past the first token's exp
    const tag = Date.now().toString(36);
    const jane = await Client.chat(server, await getToken(server.url, 'janedoe'));
    jane.send({ type: 'join', room: 'general' });
    await jane.next((f) => f.type === 'joined');
    jane.send({ type: 'send', room: 'general', body: `still there? ${tag}`, clientId: tag });
    await waitForMessage(page, 'janedoe', `still there? ${tag}`);
    await type(page, `yes ${tag}`);
    assert.equal((await jane.next((f) => f.type === 'message' && f.body === `yes ${tag}`)).user, 'johndoe');
    jane.close();

    assert.equal(sockets, 0, 'no new socket was opened: the first one was refreshed in place');
    assert.equal(await page.locator('#banner').isHidden(), true);
    const nowCookie = (await context.cookies()).find((c) => c.name === 'parley_token')?.value;
    assert.ok(nowCookie && nowCookie !== firstCookie, 'the access cookie was renewed');
    assert.deepEqual(harness.pageErrors, []);
  });

  test('an expired access cookie: the login page refreshes silently and goes back', { timeout }, async () => {
    const { context, page } = await harness.loggedIn('johndoe');
    await page.close();
    await new Promise((resolve) => setTimeout(resolve, 4500)); // the access cookie (Max-Age=4) is gone
    assert.equal(
      (await context.cookies()).find((c) => c.name === 'parley_token'),
      undefined,
    );
    const again = await context.newPage();
    await again.goto(`${server.url}/`);
    await again.waitForURL(`${server.url}/`);
    assert.equal(await again.locator('.who').textContent(), 'Signed in as johndoe');
    await joined(again);
    assert.ok((await context.cookies()).some((c) => c.name === 'parley_token'));
  });

  test('two tabs refresh together past expiry; logging out in one drops the other', { timeout }, async () => {
    const { context, page } = await harness.loggedIn('johndoe');
    const other = await context.newPage();
    await other.goto(`${server.url}/`);
    await joined(other);
    // Both tabs share the refresh cookie and are warned at the same moment: they must take turns, not
    // present one refresh token twice (which would look like theft).
    await page.waitForTimeout(6500);
    for (const tab of [page, other]) {
      assert.equal(tab.url(), `${server.url}/#general`);
      assert.equal(await tab.locator('#banner').isHidden(), true);
    }
    await Promise.all([page.waitForURL(`${server.url}/login?signed_out=1`), page.getByRole('button', { name: 'Log out' }).click()]);
    await other.waitForURL(/\/login/);
    // Its refresh cookie was revoked with the logout: no silent way back.
    await other.waitForSelector('form[action="/login"]');
    await other.waitForTimeout(500);
    assert.match(other.url(), /\/login/);
  });
});
