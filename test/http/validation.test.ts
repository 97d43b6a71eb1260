// A request that does not fit its schema is refused with a sentence a person understands: the first problem, named
// by its field (Ajv's wording, `body/name must match pattern "^[a-z0-9]…"`, was what a new user saw).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Limits, ROOM_NAME_RULE } from 'parley-chat-protocol';
import { getToken, serverSuite } from '../helpers.js';

describe('schema refusals in words', () => {
  const server = serverSuite();

  async function refusal(method: string, path: string, body?: unknown): Promise<unknown> {
    const token = await getToken(server.url, 'johndoe');
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.equal(response.status, 400, path);
    return response.json();
  }

  test('the first problem, by field: a room name’s rule, a missing field, a length, a number, an empty query', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/rooms', { name: 'Has Spaces!' }, `name: ${ROOM_NAME_RULE}`],
      ['POST', '/rooms', {}, 'name is required'],
      ['PATCH', '/users/me', { display_name: 'x'.repeat(500) }, `display_name has at most ${Limits.displayNameLength} characters`],
      ['GET', '/rooms/general/messages?limit=abc', undefined, 'query parameter limit must be a whole number'],
      ['GET', '/search?q=', undefined, 'query parameter q cannot be empty'],
    ];
    for (const [method, path, body, sentence] of cases) {
      assert.deepEqual(await refusal(method, path, body), { error: 'invalid_request', error_description: sentence }, `${method} ${path}`);
    }
  });
});
