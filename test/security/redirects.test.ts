// No open redirect: `next` is judged after the URL parser has resolved it (dot segments turn `/.//evil` into
// `//evil`, another host), on the server — GET and POST of /login and /register — and again in the login page's
// script, whose silent refresh must never leave the server's origin, not even for a page rendered with a bad
// target. A bystander keeps chatting.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { safeNext } from '../../src/web/pages.js';
import { browserSuite, skip, timeout } from '../browser/harness.js';
import { DEMO_PASSWORDS, serverSuite } from '../helpers.js';
import { Bystander } from './support.js';

const EVIL = 'evil.example';
/** Every one of these must end up at `/`. */
const NASTY = [
  `/.//${EVIL}`,
  `/%2e//${EVIL}`,
  `/%2E//${EVIL}`,
  `/%2e%2e//${EVIL}`,
  `/.%2e//${EVIL}`,
  `/..//${EVIL}`,
  `/././/${EVIL}`,
  `/a/..//${EVIL}`,
  `/a/%2e%2e//${EVIL}`,
  `//${EVIL}`,
  `///${EVIL}`,
  `/\\${EVIL}`,
  `/\\/${EVIL}`,
  `\\\\${EVIL}`,
  `/\t/${EVIL}`,
  `/\t${EVIL}`,
  `/\n/${EVIL}`,
  `https:${EVIL}`,
  `https://${EVIL}/x`,
  `http:/${EVIL}`,
  `javascript:alert(1)`,
  `JaVaScRiPt:alert(1)`,
  `data:text/html,<script>alert(1)</script>`,
  ` /x`,
  EVIL,
  '',
];
/** Local targets are kept, as resolved. */
const LOCAL: [string, string][] = [
  ['/', '/'],
  ['/rooms?x=1', '/rooms?x=1'],
  ['/#general', '/#general'],
  ['/a/../b', '/b'],
  ['/%2f%2fnot-a-host', '/%2f%2fnot-a-host'],
];

describe('redirect targets, judged after resolution', () => {
  const server = serverSuite({ PARLEY_LOGIN_RATE_LIMIT: '1000' });
  let bystander: Bystander;
  before(async () => {
    bystander = await Bystander.join(server);
  });
  after(() => bystander.close());

  const post = (path: string, fields: Record<string, string>) =>
    fetch(`${server.url}${path}`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual', headers: { origin: server.url } });
  const rendered = async (path: string) => /name="next" value="([^"]*)"/.exec(await (await fetch(`${server.url}${path}`)).text())?.[1];

  test('safeNext: every nasty variant becomes /, local paths are kept as resolved', () => {
    for (const next of NASTY) assert.equal(safeNext(next), '/', JSON.stringify(next));
    for (const [next, kept] of LOCAL) assert.equal(safeNext(next), kept, next);
  });

  test('GET /login and GET /register render / for every nasty variant', async () => {
    for (const next of NASTY) {
      assert.equal(await rendered(`/login?next=${encodeURIComponent(next)}`), '/', JSON.stringify(next));
      assert.equal(await rendered(`/register?next=${encodeURIComponent(next)}`), '/', JSON.stringify(next));
    }
    assert.equal(await rendered(`/login?next=${encodeURIComponent('/rooms?x=1')}`), '/rooms?x=1');
  });

  test('POST /login and POST /register redirect to / for every nasty variant', async () => {
    let n = 0;
    for (const next of NASTY) {
      const login = await post('/login', { username: 'johndoe', password: DEMO_PASSWORDS.johndoe!, next });
      assert.equal(login.status, 303, JSON.stringify(next));
      assert.equal(login.headers.get('location'), '/', JSON.stringify(next));
      const register = await post('/register', { username: `redirect-${++n}`, password: 'long enough', next });
      assert.equal(register.status, 303, JSON.stringify(next));
      assert.equal(register.headers.get('location'), '/', JSON.stringify(next));
    }
    for (const [next, kept] of LOCAL) {
      assert.equal((await post('/login', { username: 'johndoe', password: DEMO_PASSWORDS.johndoe!, next })).headers.get('location'), kept);
    }
    await bystander.assertServed();
  });
});

describe('the silent refresh in Chromium stays on the server’s origin', { skip, timeout: 5 * timeout }, () => {
  const { server, harness } = browserSuite();
  let evil: http.Server;
  let evilHits = 0;
  let evilHost: string;
  before(async () => {
    // Another origin on loopback: a navigation there would be seen.
    evil = http.createServer((_request, response) => {
      evilHits++;
      response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>evil</h1>');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilHost = `127.0.0.1:${(evil.address() as AddressInfo).port}`;
  });
  after(() => evil.close());

  test('a logged-in user visiting /login?next=/%2e//host/ is refreshed silently and lands on /', { timeout }, async () => {
    const bystander = await Bystander.join(server);
    const { page } = await harness.loggedIn('johndoe');
    for (const next of [`/%2e//${evilHost}/`, `/.//${evilHost}/`, `/..//${evilHost}/`, `//${evilHost}/`]) {
      await page.goto(`${server.url}/`); // away from the target first, so the wait below sees a new navigation
      await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
      await page.waitForURL(`${server.url}/`);
      await page.waitForSelector('#me');
    }
    assert.equal(evilHits, 0);
    assert.deepEqual(harness.pageErrors, []);
    await bystander.assertServed();
    bystander.close();
  });

  test('the page script re-checks: a login page rendered with a bad target still goes to /', { timeout }, async () => {
    const { page } = await harness.loggedIn('johndoe');
    // As if a page had been rendered with a target the server would no longer render (an older server, a proxy
    // rewriting the page): the script must not follow it.
    for (const bad of [`/.//${evilHost}/`, `//${evilHost}/`, `http://${evilHost}/`, `/%2e//${evilHost}/`]) {
      await page.route(`${server.url}/login?probe`, async (route) => {
        const original = await route.fetch({ url: `${server.url}/login` });
        const body = (await original.text()).replace('name="next" value="/"', `name="next" value="${bad}"`);
        assert.ok(body.includes(bad));
        await route.fulfill({ response: original, body });
      });
      await page.goto(`${server.url}/`);
      await page.goto(`${server.url}/login?probe`);
      await page.waitForURL(`${server.url}/`);
      await page.unroute(`${server.url}/login?probe`);
    }
    assert.equal(evilHits, 0);
  });
});
