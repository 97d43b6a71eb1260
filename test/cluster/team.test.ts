// Two Parley nodes on one PostgreSQL and one Redis: a user's own stream (rooms added and removed), read
// positions and mentions reach every socket of the user whichever node it is on, and the unread counts and
// run-time settings every node answers with agree.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import { Client, type Frame, getToken, type RunningServer, startServer } from '../helpers.js';
import { freshSchema, needs, REDIS_URL } from '../support/services.js';

describe('two nodes: user stream, read positions, mentions', () => {
  const services = needs('postgres', 'redis');
  const test = services.test;
  let a: RunningServer;
  let b: RunningServer;
  let dropSchema: () => Promise<void>;
  const tokens: Record<string, string> = {};

  before(async () => {
    if (services.missing) return;
    const schema = await freshSchema();
    dropSchema = schema.drop;
    const env = {
      PARLEY_DATABASE_URL: schema.url,
      PARLEY_REDIS_URL: REDIS_URL,
      PARLEY_REDIS_PREFIX: `parley-test-${randomBytes(6).toString('hex')}:`,
      PARLEY_JWT_SECRET: randomBytes(32).toString('base64url'),
      PARLEY_PUBLIC_URL: 'http://parley-team.test', // one issuer for both nodes
      PARLEY_WS_FRAME_RATE: '100000',
    };
    a = await startServer(env);
    b = await startServer(env);
    for (const user of ['johndoe', 'janedoe']) tokens[user] = await getToken(a.url, user);
  });
  after(async () => {
    if (services.missing) return;
    await a?.cleanup();
    await b?.cleanup();
    await dropSchema?.();
  });

  const api = async (server: RunningServer, user: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return (response.status === 204 ? undefined : await response.json()) as Frame & Frame[];
  };
  /** A socket of `user` on each node (after its welcome, the user's events from every node reach it). */
  async function everywhere(user: string): Promise<Client[]> {
    return [await Client.chat(a, tokens[user]!), await Client.chat(b, tokens[user]!)];
  }
  const joined = async (client: Client, room: string) => {
    client.send({ type: 'join', room, ref: `j-${room}` });
    await client.next((f) => f.type === 'joined' && f.ref === `j-${room}`);
  };

  test('a DM, an invitation, a removal and an archive made on one node reach the user’s sockets on both', async () => {
    const johns = await everywhere('johndoe');
    const dm = await api(b, 'janedoe', 'POST', '/dms', { user: 'johndoe' });
    for (const john of johns) {
      const added = await john.next((f) => f.type === 'room_added', 5000);
      assert.deepEqual([added.room, added.reason, added.by], [dm.name, 'dm', 'janedoe']);
    }
    await api(a, 'janedoe', 'POST', '/rooms', { name: 'cross', private: true });
    await api(a, 'janedoe', 'PUT', '/rooms/cross/members/johndoe');
    for (const john of johns) assert.equal((await john.next((f) => f.type === 'room_added', 5000)).room, 'cross');
    await api(b, 'janedoe', 'DELETE', '/rooms/cross/members/johndoe');
    for (const john of johns)
      assert.deepEqual(await john.next((f) => f.type === 'room_removed', 5000), {
        type: 'room_removed',
        room: 'cross',
        reason: 'removed',
        by: 'janedoe',
      });
    await api(a, 'janedoe', 'POST', '/rooms', { name: 'shelf' });
    await api(b, 'johndoe', 'POST', '/rooms/shelf/join');
    await api(a, 'janedoe', 'PATCH', '/rooms/shelf', { archived: true });
    for (const john of johns) {
      await john.next((f) => f.type === 'room_added' && f.room === 'shelf', 5000);
      assert.equal((await john.next((f) => f.type === 'room_removed', 5000)).reason, 'archived');
    }
    for (const john of johns) john.close();
  });

  test('a read on one node reaches the user’s socket on the other; both nodes count unread from it', async () => {
    const [onA, onB] = await everywhere('janedoe');
    const [writer] = await everywhere('johndoe');
    await joined(writer!, 'general');
    const acks: Frame[] = [];
    for (let i = 0; i < 4; i++) {
      writer!.send({ type: 'send', room: 'general', body: `count ${i}`, clientId: `count-${i}` });
      acks.push(await writer!.next((f) => f.type === 'ack'));
    }
    const unread = async (server: RunningServer) => (await api(server, 'janedoe', 'GET', '/rooms')).find((r) => r.name === 'general')!.unread;
    const before = await unread(a);
    assert.equal(await unread(b), before);
    await joined(onA!, 'general');
    onA!.send({ type: 'read', room: 'general', seq: acks[1]!.seq });
    assert.deepEqual(await onB!.next((f) => f.type === 'read', 5000), { type: 'read', room: 'general', seq: acks[1]!.seq });
    assert.equal(await unread(b), 2);
    assert.equal(await unread(a), 2);
    for (const socket of [onA!, onB!, writer!]) socket.close();
  });

  test('a mention sent on one node reaches the mentioned user’s sockets on both, joined to the room or not', async () => {
    const johns = await everywhere('johndoe');
    const [jane] = await everywhere('janedoe');
    await joined(jane!, 'general');
    jane!.send({ type: 'send', room: 'general', body: 'the release is yours @johndoe', clientId: 'mention-1' });
    const ack = await jane!.next((f) => f.type === 'ack');
    for (const john of johns) {
      assert.deepEqual(await john.next((f) => f.type === 'mention', 5000), {
        type: 'mention',
        room: 'general',
        id: ack.id,
        seq: ack.seq,
        user: 'janedoe',
      });
    }
    const counted = (await api(b, 'johndoe', 'GET', '/rooms')).find((r) => r.name === 'general')!;
    assert.equal(counted.mentions, 1);
    const hits = await api(b, 'johndoe', 'GET', '/search?q=release');
    assert.deepEqual(
      hits.map((hit) => hit.id),
      [ack.id],
      'the other node searches the same store',
    );
    for (const socket of [...johns, jane!]) socket.close();
  });
});
