// /docs as FastAPI users use it: every protected operation takes the OAuth2 password scheme or a bearer token, so
// Swagger UI's "Authorize" with a username and password, then "Try it out", is answered 200 — in a real Chromium.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serverSuite } from '../helpers.js';
import { browserSuite, skip, timeout } from './harness.js';

// This file runs as dist/test/browser/docs.test.js; screenshots go to the repository's git-ignored test-output/.
const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url));

interface Operation {
  security?: Record<string, string[]>[];
  responses?: Record<string, unknown>;
}

describe('the OpenAPI document', () => {
  const server = serverSuite();

  test('every operation that can answer 401 accepts the oauth2 password scheme or a bearer token', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components: { securitySchemes: Record<string, { type: string; flows?: { password?: { tokenUrl: string } } }> };
    };
    assert.equal(document.components.securitySchemes.oauth2?.flows?.password?.tokenUrl, '/token');
    const isProtected = Object.entries(document.paths).flatMap(([route, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.responses?.['401'])
        .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${route}`, security: operation.security })),
    );
    assert.ok(isProtected.length >= 8, `${isProtected.length} protected operations`);
    for (const { name, security } of isProtected) {
      assert.deepEqual(
        security?.map((requirement) => Object.keys(requirement)),
        [['oauth2'], ['bearer']],
        name,
      );
    }
    assert.ok(isProtected.some((operation) => operation.name === 'GET /users/me'));
  });
});

describe('/docs in Chromium', { skip, timeout: 10 * timeout }, () => {
  const { server, harness } = browserSuite();

  test('Authorize with username and password, then Try it out on GET /users/me answers 200', { timeout }, async () => {
    const { page } = await harness.newPage();
    await page.goto(`${server.url}/docs`);
    await page.click('button.btn.authorize');
    await page.fill('#oauth_username', 'janedoe');
    await page.fill('#oauth_password', 'secret2');
    const [granted] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/token'),
      page.click('button[aria-label="Apply given OAuth2 credentials"]'),
    ]);
    assert.equal(granted.status(), 200);
    await page.locator('.modal-ux').getByText('Authorized', { exact: true }).waitFor(); // what the dialog shows once it holds a token
    await page.locator('.modal-ux button.btn-done').first().click();

    const operation = page.locator('#operations-users-get_users_me');
    await operation.locator('.opblock-summary-control').click();
    await operation.locator('button.try-out__btn').click();
    const [answered] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/users/me'),
      operation.locator('button.execute').click(),
    ]);
    assert.equal(answered.status(), 200);
    assert.match(answered.request().headers().authorization ?? '', /^Bearer ey/);

    // What the reader sees in the response panel.
    const panel = operation.locator('.live-responses-table tr.response');
    await panel.waitFor();
    assert.equal((await panel.locator('.response-col_status').innerText()).trim(), '200');
    const shown = await panel.locator('.response-col_description pre.microlight').first().innerText();
    const body = JSON.parse(shown) as { username: string; scopes: string[] };
    assert.equal(body.username, 'janedoe');
    assert.deepEqual(body.scopes, ['chat:read', 'chat:write']);

    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await operation.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'docs-try-it-out.png'), fullPage: true });
    assert.deepEqual(harness.pageErrors, []);
  });
});
