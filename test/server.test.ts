// buildServer takes its parts: here a clock, which tokens are issued and checked by (the other parts — store,
// bus, presence, logger, node id — are exercised by the in-process cluster and failover suites).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { decodeJwt } from 'jose';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/server.js';
import { tempDir } from './helpers.js';

const HOUR = 3600_000;
const app = await buildServer(loadConfig({ PARLEY_LOG_LEVEL: 'silent' }, { port: '0', data: tempDir(), demo: true }), {
  clock: () => Date.now() + HOUR,
});
await app.listen({ host: '127.0.0.1', port: 0 });
const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
after(() => app.close());

test('a clock part: tokens are issued by it and checked by it', async () => {
  const response = await fetch(`${url}/token`, { method: 'POST', body: new URLSearchParams({ username: 'johndoe', password: 'secret' }) });
  const { access_token } = (await response.json()) as { access_token: string };
  const iat = decodeJwt(access_token).iat! * 1000;
  assert.ok(Math.abs(iat - (Date.now() + HOUR)) < 60_000, 'issued an hour ahead, by the clock given');
  assert.equal((await fetch(`${url}/users/me`, { headers: { authorization: `Bearer ${access_token}` } })).status, 200);
});
