// Rooms and permissions, edits and deletions, presence and typing — over the real API and real sockets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, type Frame, getToken, type RunningServer, startServer } from '../helpers.js';

describe('rooms, permissions, edits, presence, typing', () => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};

  before(async () => {
    server = await startServer();
    // A third user, and an admin: created the way users are, through the registration form and the CLI's store.
    await fetch(`${server.url}/register`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'carol', password: 'carol-password' }),
      redirect: 'manual',
    });
    for (const user of ['johndoe', 'janedoe']) tokens[user] = await getToken(server.url, user);
    tokens.carol = await getToken(server.url, 'carol', 'carol-password');
  });
  after(() => server.cleanup());

  const api = (user: string, method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  async function joined(user: string, room: string): Promise<Client> {
    const client = await Client.chat(server, tokens[user]!);
    client.send({ type: 'join', room });
    await client.next((f) => f.type === 'joined' || f.type === 'error');
    return client;
  }

  async function say(client: Client, room: string, body: string): Promise<Frame> {
    client.send({ type: 'send', room, body, clientId: `${room}-${body}` });
    return client.next((f) => f.type === 'ack');
  }

  test('creating a room: 201, the creator owns it, everyone can browse a public one and join it; a taken name is 409', async () => {
    const created = await api('johndoe', 'POST', '/rooms', { name: 'lobby' });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), {
      name: 'lobby',
      kind: 'public',
      owner: 'johndoe',
      last_seq: 0,
      role: 'owner',
      member: true,
      muted: false,
      read_seq: 0,
      unread: 0,
      mentions: 0,
    });
    const browsed = (await (await api('janedoe', 'GET', '/rooms?scope=public')).json()) as Frame[];
    assert.deepEqual(
      browsed.map((r) => [r.name, r.member, r.member_count]),
      [
        ['general', true, 3],
        ['lobby', false, 1],
      ],
    );
    const mine = (await (await api('janedoe', 'GET', '/rooms')).json()) as Frame[];
    assert.deepEqual(
      mine.map((r) => r.name),
      ['general'],
      'a public room is hers once she joins it',
    );
    assert.equal((await api('janedoe', 'POST', '/rooms/lobby/join')).status, 200);
    const seen = (await (await api('janedoe', 'GET', '/rooms')).json()) as Frame[];
    assert.deepEqual(
      seen.map((r) => r.name),
      ['general', 'lobby'],
    );
    assert.equal((await api('janedoe', 'POST', '/rooms', { name: 'lobby' })).status, 409);
    assert.equal((await api('janedoe', 'POST', '/rooms', { name: 'Bad Name!' })).status, 400);
  });

  test('a private room refuses non-members at join and in history; an invitation lets them in', async () => {
    assert.equal((await api('johndoe', 'POST', '/rooms', { name: 'staff', private: true })).status, 201);
    const outsider = await joined('janedoe', 'staff');
    const refusal = outsider.received.at(-1) as Frame;
    assert.deepEqual([refusal.type, refusal.code], ['error', 'forbidden']);
    assert.equal((await api('janedoe', 'GET', '/rooms/staff/messages')).status, 403);
    assert.ok(!((await (await api('janedoe', 'GET', '/rooms')).json()) as Frame[]).some((r) => r.name === 'staff'));
    // The socket stays usable after the refusal.
    outsider.send({ type: 'ping', ref: 'p' });
    await outsider.next((f) => f.type === 'pong');

    assert.equal((await api('carol', 'PUT', '/rooms/staff/members/janedoe')).status, 403, 'a stranger cannot invite');
    const invited = await api('johndoe', 'PUT', '/rooms/staff/members/janedoe');
    assert.deepEqual([invited.status, await invited.json()], [200, { username: 'janedoe', role: 'member' }]);
    outsider.send({ type: 'join', room: 'staff' });
    assert.equal((await outsider.next((f) => f.type === 'joined' || f.type === 'error')).type, 'joined');
    outsider.close();
  });

  test('removing a member drops their live sockets from the room at once', async () => {
    await api('johndoe', 'POST', '/rooms', { name: 'ops', private: true });
    await api('johndoe', 'PUT', '/rooms/ops/members/janedoe');
    const jane = await joined('janedoe', 'ops');
    const john = await joined('johndoe', 'ops');
    assert.equal((await api('johndoe', 'DELETE', '/rooms/ops/members/janedoe')).status, 204);
    const left = await jane.next((f) => f.type === 'left');
    assert.deepEqual([left.room, left.reason], ['ops', 'removed']);
    await say(john, 'ops', 'after she left');
    jane.send({ type: 'send', room: 'ops', body: 'still here?', clientId: 'x' });
    assert.equal((await jane.next((f) => f.type === 'error')).code, 'not_joined');
    assert.ok(!jane.received.some((f) => (f as Frame).body === 'after she left'));
    assert.equal((await api('johndoe', 'DELETE', '/rooms/ops/members/johndoe')).status, 403, 'the owner cannot be removed');
    jane.close();
    john.close();
  });

  test('a DM is a two-member private room; opening it twice finds the same room', async () => {
    const first = await api('johndoe', 'POST', '/dms', { user: 'janedoe' });
    assert.equal(first.status, 200);
    const dm = (await first.json()) as Frame;
    assert.equal(dm.kind, 'dm');
    const again = (await (await api('janedoe', 'POST', '/dms', { user: 'johndoe' })).json()) as Frame;
    assert.equal(again.name, dm.name);
    const members = (await (await api('janedoe', 'GET', `/rooms/${dm.name}/members`)).json()) as Frame[];
    assert.deepEqual(
      members.map((m) => m.username),
      ['janedoe', 'johndoe'],
    );
    const carol = await joined('carol', dm.name);
    assert.equal((carol.received.at(-1) as Frame).code, 'forbidden');
    carol.close();
    assert.equal((await api('johndoe', 'POST', '/dms', { user: 'nobody' })).status, 404);
  });

  test('authors edit and delete their own messages; edits reach everyone live and in history', async () => {
    const john = await joined('johndoe', 'general');
    const jane = await joined('janedoe', 'general');
    const ack = await say(john, 'general', 'helo');
    john.send({ type: 'edit', room: 'general', id: ack.id, body: 'hello' });
    const edited = await jane.next((f) => f.type === 'edited');
    assert.deepEqual([edited.id, edited.body, edited.user, edited.seq], [ack.id, 'hello', 'johndoe', ack.seq + 1]);
    jane.send({ type: 'edit', room: 'general', id: ack.id, body: 'hijacked', ref: 'e1' });
    const refused = await jane.next((f) => f.type === 'error');
    assert.deepEqual([refused.code, refused.ref], ['forbidden', 'e1']);
    jane.send({ type: 'delete', room: 'general', id: ack.id, ref: 'd1' });
    assert.equal((await jane.next((f) => f.type === 'error')).code, 'forbidden');
    const history = (await (await api('janedoe', 'GET', '/rooms/general/messages?limit=1')).json()) as Frame[];
    assert.deepEqual([history[0]!.id, history[0]!.body, typeof history[0]!.editedAt], [ack.id, 'hello', 'number']);

    john.send({ type: 'delete', room: 'general', id: ack.id });
    const deleted = await jane.next((f) => f.type === 'deleted');
    assert.deepEqual([deleted.id, deleted.seq], [ack.id, ack.seq + 2]);
    const after = (await (await api('janedoe', 'GET', '/rooms/general/messages?limit=1')).json()) as Frame[];
    assert.deepEqual([after[0]!.body, after[0]!.deleted], ['', true]);
    john.send({ type: 'edit', room: 'general', id: ack.id, body: 'zombie', ref: 'z' });
    assert.equal((await john.next((f) => f.type === 'error')).code, 'not_found');
    john.close();
    jane.close();
  });

  test('a client resuming after an edit and a delete receives both, in seq order', async () => {
    const john = await joined('johndoe', 'general');
    const ack = await say(john, 'general', 'resume-me');
    john.send({ type: 'edit', room: 'general', id: ack.id, body: 'resumed' });
    await john.next((f) => f.type === 'edited');
    john.send({ type: 'delete', room: 'general', id: ack.id });
    await john.next((f) => f.type === 'deleted');
    const late = await Client.chat(server, tokens.janedoe!);
    late.send({ type: 'join', room: 'general', since: ack.seq - 1 });
    const frames = [
      await late.next((f) => f.seq === ack.seq),
      await late.next((f) => f.seq === ack.seq + 1),
      await late.next((f) => f.seq === ack.seq + 2),
    ];
    assert.deepEqual(
      frames.map((f) => f.type),
      ['message', 'edited', 'deleted'],
    );
    john.close();
    late.close();
  });

  test('room owners and moderators delete others’ messages; an admin anywhere', async () => {
    await api('janedoe', 'POST', '/rooms', { name: 'janes' });
    await api('janedoe', 'PUT', '/rooms/janes/members/carol', { role: 'moderator' });
    const john = await joined('johndoe', 'janes');
    const carol = await joined('carol', 'janes');
    const first = await say(john, 'janes', 'spam 1');
    carol.send({ type: 'delete', room: 'janes', id: first.id });
    assert.equal((await john.next((f) => f.type === 'deleted')).id, first.id);
    assert.equal(
      (await api('carol', 'PUT', '/rooms/janes/members/johndoe', { role: 'moderator' })).status,
      403,
      'only the owner appoints moderators',
    );
    john.close();
    carol.close();
  });

  test('presence: online on the first tab, offline when the last goes; typing is relayed to others, throttled', async () => {
    await api('johndoe', 'POST', '/rooms', { name: 'presence' });
    const watcher = await joined('janedoe', 'presence');
    const tab1 = await joined('johndoe', 'presence');
    const online = await watcher.next((f) => f.type === 'presence');
    assert.deepEqual([online.user, online.state], ['johndoe', 'online']);
    const tab2 = await joined('johndoe', 'presence');
    tab1.send({ type: 'typing', room: 'presence' });
    tab1.send({ type: 'typing', room: 'presence' });
    const typing = await watcher.next((f) => f.type === 'typing' || f.type === 'presence');
    assert.deepEqual([typing.type, typing.user], ['typing', 'johndoe'], 'a second tab is not a second arrival');
    tab1.close();
    tab2.send({ type: 'ping', ref: 'sync' });
    await tab2.next((f) => f.type === 'pong');
    tab2.close();
    const offline = await watcher.next((f) => f.type === 'presence' || f.type === 'typing');
    assert.deepEqual(
      [offline.type, offline.user, offline.state],
      ['presence', 'johndoe', 'offline'],
      'the throttled typing was dropped, not delayed',
    );
    assert.equal(watcher.received.filter((f) => (f as Frame).type === 'typing').length, 1);
    watcher.close();
  });

  test('a read-only token cannot create rooms', async () => {
    const readOnly = await getToken(server.url, 'janedoe', 'secret2', 'chat:read');
    const response = await fetch(`${server.url}/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readOnly}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nope' }),
    });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer error="insufficient_scope"');
  });
});
