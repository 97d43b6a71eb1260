// Parley end to end on PostgreSQL (PARLEY_DATABASE_URL): chat, a restart that keeps everything, and a
// revocation made through another connection reaching a live socket.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres.js';
import { Client, getToken, type RunningServer, startServer, tempDir } from '../helpers.js';
import { freshSchema, needs } from '../support/services.js';

describe('Parley on PostgreSQL', () => {
  const services = needs('postgres');
  const test = services.test;
  let server: RunningServer;
  let url: string;
  let dropSchema: () => Promise<void>;
  // The signing key still lives in the data dir; the data dir holds nothing else on PostgreSQL.
  const dataDir = tempDir();
  // The URL clients know the server by (the tokens' issuer) stays the same across the restart; the port does not.
  const env = { PARLEY_PUBLIC_URL: 'http://chat.test' };

  before(async () => {
    if (services.missing) return;
    ({ url, drop: dropSchema } = await freshSchema());
    server = await startServer({ ...env, PARLEY_DATABASE_URL: url }, dataDir);
  });
  after(async () => {
    if (services.missing) return;
    await server.cleanup();
    await dropSchema();
  });

  test('messages are stored and acked, survive a restart, and seqs continue', async () => {
    const token = await getToken(server.url);
    const client = await Client.chat(server, token);
    client.send({ type: 'join', room: 'general' });
    await client.next((f) => f.type === 'joined');
    for (let i = 1; i <= 3; i++) {
      client.send({ type: 'send', room: 'general', body: `pg ${i}`, clientId: `pg-${i}` });
      assert.equal((await client.next((f) => f.type === 'ack')).seq, i);
    }
    client.close();
    await server.stop();

    server = await startServer({ ...env, PARLEY_DATABASE_URL: url }, dataDir);
    const again = await Client.chat(server, token); // the same token: same key, same users
    again.send({ type: 'join', room: 'general', since: 1 });
    await again.next((f) => f.type === 'joined');
    assert.deepEqual([(await again.next((f) => f.type === 'message')).body, (await again.next((f) => f.type === 'message')).body], ['pg 2', 'pg 3']);
    again.send({ type: 'send', room: 'general', body: 'pg 4', clientId: 'pg-4' });
    assert.equal((await again.next((f) => f.type === 'ack')).seq, 4);
    again.close();
  });

  test('disabling a user through another connection drops their live socket (the revocation feed)', async () => {
    const socket = await Client.chat(server, await getToken(server.url, 'janedoe'));
    const other = openPostgresStore(url, { timeoutMs: 5000, onError: () => {} });
    try {
      await other.accounts.setDisabled('janedoe', true);
      assert.equal((await socket.closedWith(1500)).code, 4403);
    } finally {
      await other.accounts.setDisabled('janedoe', false);
      await other.close();
    }
  });
});
