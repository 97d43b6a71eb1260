// What survives a restart on the same data dir: the signing key (so tokens), users, and the message log with its seqs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { Message } from 'parley-chat-protocol';
import { Client, getToken, type RunningServer, startServer, tokenRequest } from './helpers.js';

async function history(server: RunningServer, token: string): Promise<Message[]> {
  const response = await fetch(`${server.url}/rooms/general/messages`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  return (await response.json()) as Message[];
}

/** Joins general and sends each body, waiting for its ack ("stored"); returns the acks in order. */
async function sendAll(client: Client, bodies: string[], prefix: string) {
  client.send({ type: 'join', room: 'general' });
  await client.next((f) => f.type === 'joined' && f.room === 'general');
  const acks = [];
  for (const [i, body] of bodies.entries()) {
    const clientId = `${prefix}-${i}`;
    client.send({ type: 'send', room: 'general', body, clientId });
    acks.push(await client.next((f) => f.type === 'ack' && f.clientId === clientId));
  }
  return acks;
}

describe('restart on the same data dir', () => {
  const servers: RunningServer[] = [];
  after(async () => {
    for (const server of servers.slice(0, -1)) await server.stop();
    await servers.at(-1)?.cleanup();
  });

  test('tokens, users and history survive; seqs continue', async () => {
    // The URL clients know the server by (the tokens' issuer) stays the same across the restart; the port does not.
    const env = { PARLEY_PUBLIC_URL: 'http://chat.test' };
    const first = await startServer(env);
    servers.push(first);
    const keyFile = path.join(first.dataDir, 'jwt-signing.key');
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600, 'the signing key is private to its owner');
    const key = fs.readFileSync(keyFile, 'utf8');
    for (const file of fs.readdirSync(first.dataDir).filter((name) => name.startsWith('parley.db'))) {
      assert.equal(fs.statSync(path.join(first.dataDir, file)).mode & 0o777, 0o600, `${file} holds password hashes: owner-only`);
    }

    const token = await getToken(first.url, 'johndoe');
    const client = await Client.chat(first, token);
    const bodies = ['first message', 'second, with "quotes" & <tags>', 'third: ünïcödé ✓'];
    const acks = await sendAll(client, bodies, 'before');
    assert.deepEqual(
      acks.map((ack) => ack.seq),
      [1, 2, 3],
    );

    const registered = await fetch(`${first.url}/register`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'newcomer', password: 'newcomer-password', next: '/' }),
      redirect: 'manual',
    });
    assert.equal(registered.status, 303);

    await first.stop();
    assert.equal((await client.closedWith()).code, 1001, 'sockets hear 1001 on shutdown');

    const second = await startServer(env, first.dataDir);
    servers.push(second);
    assert.equal(fs.readFileSync(keyFile, 'utf8'), key, 'the key is reused, not regenerated');
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);

    const me = await fetch(`${second.url}/users/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200, 'a token issued before the restart still verifies');
    assert.equal(((await me.json()) as { username: string }).username, 'johndoe');

    const newcomer = await tokenRequest(second.url, { username: 'newcomer', password: 'newcomer-password' });
    assert.equal(newcomer.status, 200, 'a user registered before the restart can sign in');
    const newcomerToken = ((await newcomer.json()) as { access_token: string }).access_token;

    const stored = await history(second, token);
    assert.deepEqual(
      stored.map((m) => [m.seq, m.user, m.body, m.room]),
      bodies.map((body, i) => [i + 1, 'johndoe', body, 'general']),
    );
    assert.deepEqual(
      stored.map((m) => m.id),
      acks.map((ack) => ack.id),
      'the ids acked before the restart',
    );

    const rooms = await fetch(`${second.url}/rooms`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await rooms.json(), [
      { name: 'general', kind: 'public', last_seq: 3, role: 'member', member: true, muted: false, read_seq: 0, unread: 0, mentions: 0 },
    ]);

    const again = await Client.chat(second, newcomerToken);
    const [ack] = await sendAll(again, ['after the restart'], 'after');
    assert.equal(ack!.seq, 4);
    again.close();

    const all = await history(second, token);
    assert.deepEqual(
      all.map((m) => m.seq),
      [1, 2, 3, 4],
    );
    assert.equal(all[3]!.user, 'newcomer');
    assert.equal(all[3]!.body, 'after the restart');
  });

  test('a resent clientId after the restart is not stored twice', async () => {
    const server = servers.at(-1)!;
    const token = await getToken(server.url, 'johndoe');
    const client = await Client.chat(server, token);
    client.send({ type: 'join', room: 'general' });
    await client.next((f) => f.type === 'joined');
    // "before-2" was acked as seq 3 by the first server: a client that never saw the ack resends it.
    client.send({ type: 'send', room: 'general', body: 'third: ünïcödé ✓', clientId: 'before-2' });
    const ack = await client.next((f) => f.type === 'ack' && f.clientId === 'before-2');
    assert.equal(ack.seq, 3);
    client.close();
    assert.deepEqual(
      (await history(server, token)).map((m) => m.seq),
      [1, 2, 3, 4],
    );
  });
});
