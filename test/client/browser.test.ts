// The SDK as the browser loads it: the compiled modules, unbundled, imported by a page in a real Chromium and
// run on the browser's own WebSocket — with a bearer subprotocol, and with nothing but the login cookie.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { browserSuite, skip, timeout } from '../browser/harness.js';
import { getToken, type RunningServer } from '../helpers.js';
import { closeClients, loggedIn, next } from './support.js';

// This file runs as dist/test/client/browser.test.js; the SDK it serves is the packages' built dist/.
const PACKAGES = fileURLToPath(new URL('../../../packages/', import.meta.url));
const DIRS: Record<string, string> = { '/sdk/': `${PACKAGES}client/dist/`, '/sdk/protocol/': `${PACKAGES}protocol/dist/` };

/**
 * Serves the compiled SDK at /sdk/ (and the protocol package at /sdk/protocol/) on the server's origin, as the chat
 * page will load it. The page itself must come from the server: Chromium refuses a loopback socket to a document
 * that was not loaded from loopback. The page's CSP forbids an inline import map, so the route resolves the
 * protocol package's bare specifier the way an import map or a bundler would.
 */
async function serveSdk(page: Page, server: RunningServer): Promise<void> {
  await page.route(`${server.url}/sdk/**`, (route) => {
    const pathname = new URL(route.request().url()).pathname;
    const [, dir, file] = /^(\/sdk\/(?:protocol\/)?)([a-z-]+\.js)$/.exec(pathname) ?? [];
    const source = dir && file ? `${DIRS[dir]}${file}` : undefined;
    if (!source || !fs.existsSync(source)) return route.fulfill({ status: 404 });
    const body = fs.readFileSync(source, 'utf8').replace(/from 'parley-chat-protocol\/([a-z]+)'/g, "from '/sdk/protocol/$1.js'");
    return route.fulfill({ contentType: 'text/javascript', body });
  });
}

describe('client SDK in the browser', { skip, timeout: 10 * timeout }, () => {
  const { server, harness } = browserSuite();
  after(() => closeClients());

  test('imported as ES modules, it connects with a bearer subprotocol on the browser’s WebSocket and chats', { timeout }, async () => {
    const { page } = await harness.newPage();
    await serveSdk(page, server);
    await page.goto(`${server.url}/login`); // any page of the server's will do: nobody is logged in here
    const jane = await loggedIn(server, 'janedoe');
    await jane.join('general');
    const fromBrowser = next(jane, 'message', (m) => m.body === 'from the browser SDK');

    const token = await getToken(server.url, 'johndoe');
    const seq = await page.evaluate(async (token) => {
      const sdk = '/sdk/index.js';
      const { connect } = await import(sdk);
      const client = connect({ token });
      const heard: string[] = ((window as unknown as { heard: string[] }).heard = []);
      client.on('message', (m: { user: string; body: string }) => heard.push(`${m.user}: ${m.body}`));
      await client.join('general');
      return (await client.send('general', 'from the browser SDK')).seq as number;
    }, token);
    const message = await fromBrowser;
    assert.deepEqual([message.user, message.seq], ['johndoe', seq]);

    await jane.send('general', 'hello browser');
    await page.waitForFunction(() => (window as unknown as { heard: string[] }).heard.includes('janedoe: hello browser'));
    assert.deepEqual(harness.pageErrors, []);
  });

  test('on the logged-in chat page it connects with no token at all: the HttpOnly cookie authenticates it', { timeout }, async () => {
    const { page } = await harness.newPage();
    await serveSdk(page, server);
    await page.goto(`${server.url}/login`);
    assert.equal(await harness.submitLogin(page, 'johndoe', 'secret'), 303);
    assert.equal(page.url(), `${server.url}/`, 'on the chat page, with the HttpOnly cookie');
    const welcome = await page.evaluate(async () => {
      const sdk = '/sdk/index.js';
      const { connect } = await import(sdk);
      const client = connect();
      const opened = new Promise((resolve) => client.on('status', (s: { state: string }) => s.state === 'open' && resolve(s)));
      const { members } = await client.join('general');
      const status = (await opened) as { user: string };
      client.close();
      return { user: status.user, members };
    });
    assert.equal(welcome.user, 'johndoe');
    assert.ok(welcome.members.includes('johndoe'));
    assert.deepEqual(harness.pageErrors, []);
  });
});
