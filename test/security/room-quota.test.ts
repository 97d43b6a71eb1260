// A public room lands on every user's page, so creating rooms is budgeted per user (PARLEY_ROOMS_PER_HOUR,
// default 20): the 21st attempt within the hour is refused with 429 `too_many_requests` and Retry-After, while
// other users create rooms as before.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getToken, serverSuite } from '../helpers.js';
import { budgetRefusals, METRICS_ENV } from '../support/metrics.js';

describe('rooms created per user per hour', () => {
  const server = serverSuite(METRICS_ENV); // the default budget

  const create = (token: string, name: string) =>
    fetch(`${server.url}/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });

  test('the 21st POST /rooms of a user within the hour is refused with 429 and Retry-After', async () => {
    const john = await getToken(server.url);
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => create(john, `spam-${i}`).then((r) => r.status)));
    assert.deepEqual(statuses, Array(20).fill(201));

    const refused = await create(john, 'spam-20');
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 3600, `Retry-After: ${retryAfter}`);
    assert.equal(refused.headers.get('cache-control'), 'no-store');
    const body = (await refused.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'too_many_requests');
    assert.match(body.error_description, /^you may create 20 rooms an hour; try again in \d+ minutes?$/);

    // Nothing was created past the budget, and another user is not affected.
    const jane = await getToken(server.url, 'janedoe');
    const rooms = (await (await fetch(`${server.url}/rooms?scope=public`, { headers: { authorization: `Bearer ${jane}` } })).json()) as {
      name: string;
    }[];
    assert.equal(rooms.filter((room) => room.name.startsWith('spam-')).length, 20);
    assert.equal((await create(jane, 'janes-room')).status, 201);

    assert.equal(await budgetRefusals(server.url, 'room_quota'), 1);
  });
});
