// Deleting a message erases its text — from the message and from every edit that carried it — and not only
// from what queries return: SQLite's files on disk (the database, its WAL and shared memory) hold neither text
// afterwards, and in PostgreSQL no row does (dead tuples are VACUUM's to reclaim; see the README).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { Client, getToken, type RunningServer, startServer } from '../helpers.js';
import { freshSchema, needs, POSTGRES_URL } from '../support/services.js';
import { Bystander } from './support.js';

/**
 * Sends a message, edits it, and (when `andDelete`) deletes it; returns the two texts it used. The bodies are
 * long: the space a deletion frees is then larger than what later rows reuse of it, so only zeroing erases it.
 */
async function sendEditDelete(
  server: RunningServer,
  andDelete: boolean,
  client?: Client,
): Promise<{ original: string; edited: string; client: Client; id: string }> {
  const original = `ORIGINAL-${randomBytes(8).toString('hex')}`;
  const edited = `EDITED-${randomBytes(8).toString('hex')}`;
  const john = client ?? (await Client.chat(server, await getToken(server.url, 'johndoe')));
  if (!client) {
    john.send({ type: 'join', room: 'general' });
    await john.next((f) => f.type === 'joined');
  }
  // The clientId is stored for good (it dedups resends): it must not carry the text.
  const clientId = `c-${randomBytes(8).toString('hex')}`;
  const padding = ' .'.repeat(800);
  john.send({ type: 'send', room: 'general', body: `secret: ${original}${padding}`, clientId });
  const { id } = await john.next((f) => f.type === 'ack' && f.clientId === clientId);
  john.send({ type: 'edit', room: 'general', id, body: `secret: ${edited}${padding}` });
  await john.next((f) => f.type === 'edited' && f.id === id);
  if (andDelete) {
    john.send({ type: 'delete', room: 'general', id });
    await john.next((f) => f.type === 'deleted' && f.id === id);
  }
  return { original, edited, client: john, id };
}

describe('erasure in SQLite: the deleted texts are nowhere in the data directory', () => {
  let server: RunningServer;
  let bystander: Bystander;
  before(async () => {
    server = await startServer();
    bystander = await Bystander.join(server);
  });
  after(async () => {
    bystander.close();
    await server.cleanup();
  });

  const files = () =>
    ['parley.db', 'parley.db-wal', 'parley.db-shm'].map((name) => path.join(server.dataDir, name)).filter((file) => fs.existsSync(file));
  const holding = (text: string) => files().filter((file) => fs.readFileSync(file).includes(text));

  test('before the deletion the texts are on disk (so the test below can fail)', async () => {
    const { original, edited, client } = await sendEditDelete(server, false);
    assert.ok(holding(original).length > 0 && holding(edited).length > 0);
    client.close();
  });

  test('after it, neither the original nor the edited text is in parley.db, -wal or -shm; replay shows none', async () => {
    const { original, edited, client, id } = await sendEditDelete(server, true);
    assert.ok(files().includes(path.join(server.dataDir, 'parley.db')));
    assert.deepEqual(holding(original), []);
    assert.deepEqual(holding(edited), []);
    client.close();
    const reader = await Client.chat(server, await getToken(server.url, 'janedoe'));
    reader.send({ type: 'join', room: 'general', since: 0 });
    // The replay runs to the deletion, the newest entry, past the message and its edit.
    const texts: string[] = [];
    await reader.next((frame) => {
      if (typeof frame.body === 'string') texts.push(frame.body);
      return frame.type === 'deleted' && frame.id === id;
    });
    assert.ok(texts.length >= 4, 'the replay went through the stream');
    assert.ok(!texts.some((body) => body.includes(original) || body.includes(edited)));
    reader.close();
    await bystander.assertServed();
  });

  test('the texts stay gone after more traffic and a restart', async () => {
    const { original, edited, client, id } = await sendEditDelete(server, true);
    for (let i = 0; i < 20; i++) client.send({ type: 'send', room: 'general', body: `filler ${i}`, clientId: `filler-${id}-${i}` });
    await client.next((f) => f.type === 'ack' && f.clientId === `filler-${id}-19`);
    client.close();
    await server.stop();
    server = await startServer({}, server.dataDir);
    assert.deepEqual(holding(original), []);
    assert.deepEqual(holding(edited), []);
    bystander.close();
    bystander = await Bystander.join(server);
    await bystander.assertServed();
  });
});

describe('erasure in PostgreSQL: no row holds the deleted texts', () => {
  const services = needs('postgres');
  let server: RunningServer;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let bystander: Bystander;
  before(async () => {
    if (services.missing) return;
    schema = await freshSchema();
    server = await startServer({ PARLEY_DATABASE_URL: schema.url });
    bystander = await Bystander.join(server);
  });
  after(async () => {
    if (services.missing) return;
    bystander.close();
    await server.cleanup();
    await schema.drop();
  });

  async function rowsHolding(text: string): Promise<number> {
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('select count(*) as n from messages where body like $1', [`%${text}%`]);
      return Number(rows[0]!.n);
    } finally {
      await client.end();
    }
  }

  services.test('edits hold the text until the delete; after it, no row of messages does', async () => {
    assert.ok(POSTGRES_URL);
    const kept = await sendEditDelete(server, false);
    assert.equal(await rowsHolding(kept.original), 0, 'the edit replaced the original in place');
    assert.equal(await rowsHolding(kept.edited), 2, 'the message and its edit entry');
    const { original, edited } = await sendEditDelete(server, true, kept.client);
    assert.equal(await rowsHolding(original), 0);
    assert.equal(await rowsHolding(edited), 0);
    kept.client.close();
    await bystander.assertServed();
  });
});
