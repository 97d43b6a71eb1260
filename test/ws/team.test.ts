// Team-chat features against a real server, two users with several sockets each: the per-user event stream
// (rooms added and removed without joining anything), read positions on the server, mentions, rooms a user
// controls (join, leave, mute, title, topic, archive), group DMs, search, the directory and display names.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SearchMarks } from 'parley-chat-protocol';
import { openStore } from '../../src/store/open.js';
import { Client, type Frame, getToken, type RunningServer, startServer } from '../helpers.js';

// Answers are JSON the tests read freely (objects and arrays of them).
// biome-ignore lint/suspicious/noExplicitAny: test answers
type Json = any;

describe('team chat: user stream, read positions, mentions, room controls, search, people', () => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};

  before(async () => {
    server = await startServer({ PARLEY_WS_FRAME_RATE: '100000' });
    for (const [username, password] of [
      ['carol', 'carol-password'],
      ['dave', 'dave-password'],
    ]) {
      await fetch(`${server.url}/register`, {
        method: 'POST',
        body: new URLSearchParams({ username: username!, password: password! }),
        redirect: 'manual',
      });
      tokens[username!] = await getToken(server.url, username, password);
    }
    for (const user of ['johndoe', 'janedoe']) tokens[user] = await getToken(server.url, user);
  });
  after(() => server.cleanup());

  const api = async (user: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, json: response.status === 204 ? undefined : await response.json() };
  };
  const sockets = (user: string, count = 2) => Promise.all(Array.from({ length: count }, () => Client.chat(server, tokens[user]!)));
  const joined = async (client: Client, room: string) => {
    client.send({ type: 'join', room, ref: `j-${room}` });
    return client.next((f) => (f.type === 'joined' || f.type === 'error') && f.ref === `j-${room}`);
  };
  const say = async (client: Client, room: string, body: string) => {
    const clientId = `${room}-${Math.random()}`;
    client.send({ type: 'send', room, body, clientId });
    return client.next((f) => (f.type === 'ack' || f.type === 'error') && (f.clientId === clientId || f.ref === clientId));
  };
  /** Nothing matching arrived before a ping's answer (frames on one socket arrive in order). */
  const nothingBefore = async (client: Client, match: (frame: Frame) => boolean) => {
    const ref = `sync-${Math.random()}`;
    client.send({ type: 'ping', ref });
    const skipped: Frame[] = [];
    await client.next((f) => {
      if (f.type === 'pong' && f.ref === ref) return true;
      skipped.push(f);
      return false;
    });
    assert.deepEqual(skipped.filter(match), []);
  };
  const mine = async (user: string): Promise<Json> => (await api(user, 'GET', '/rooms')).json;
  const closeAll = (...clients: Client[]) => {
    for (const client of clients) client.close();
  };

  test('rooms reach every socket of a user without joining anything: created, invited, DM, joined, left, removed', async () => {
    const johns = await sockets('johndoe');
    const janes = await sockets('janedoe');
    assert.equal((await api('janedoe', 'POST', '/rooms', { name: 'plans', private: true, title: 'Plans', topic: 'what next' })).status, 201);
    for (const jane of janes)
      assert.deepEqual(await jane.next((f) => f.type === 'room_added'), { type: 'room_added', room: 'plans', kind: 'private', reason: 'created' });

    await api('janedoe', 'PUT', '/rooms/plans/members/johndoe');
    for (const john of johns) {
      assert.deepEqual(await john.next((f) => f.type === 'room_added'), {
        type: 'room_added',
        room: 'plans',
        kind: 'private',
        reason: 'invited',
        by: 'janedoe',
      });
    }
    assert.deepEqual(
      (await mine('johndoe')).find((r: Frame) => r.name === 'plans'),
      {
        name: 'plans',
        kind: 'private',
        owner: 'janedoe',
        last_seq: 0,
        role: 'member',
        title: 'Plans',
        topic: 'what next',
        member: true,
        muted: false,
        read_seq: 0,
        unread: 0,
        mentions: 0,
      },
    );

    const dm = await api('johndoe', 'POST', '/dms', { user: 'janedoe' });
    assert.deepEqual([dm.status, dm.json.kind, dm.json.members], [200, 'dm', ['janedoe', 'johndoe']]);
    for (const socket of [...johns, ...janes]) {
      const added = await socket.next((f) => f.type === 'room_added');
      assert.deepEqual([added.room, added.kind, added.reason], [dm.json.name, 'dm', 'dm']);
    }

    await api('johndoe', 'POST', '/rooms', { name: 'open-plaza' });
    assert.equal((await api('janedoe', 'POST', '/rooms/open-plaza/join')).status, 200);
    for (const jane of janes) assert.equal((await jane.next((f) => f.type === 'room_added')).reason, 'joined');
    assert.equal((await api('janedoe', 'POST', '/rooms/open-plaza/leave')).status, 204);
    for (const jane of janes)
      assert.deepEqual(await jane.next((f) => f.type === 'room_removed'), { type: 'room_removed', room: 'open-plaza', reason: 'left' });
    assert.ok(!(await mine('janedoe')).some((r: Frame) => r.name === 'open-plaza'));

    const inPlans = johns[0]!;
    await joined(inPlans, 'plans');
    await api('janedoe', 'DELETE', '/rooms/plans/members/johndoe');
    assert.equal((await inPlans.next((f) => f.type === 'left')).reason, 'removed', 'a socket in the private room leaves it');
    for (const john of johns)
      assert.deepEqual(await john.next((f) => f.type === 'room_removed'), { type: 'room_removed', room: 'plans', reason: 'removed', by: 'janedoe' });
    // Carol was never concerned: she got nothing.
    const [carol] = await sockets('carol', 1);
    await nothingBefore(carol!, (f) => f.type === 'room_added' || f.type === 'room_removed');
    closeAll(...johns, ...janes, carol!);
  });

  test('group DMs: up to 8 people, the same set finds the same room, everyone hears of a new one', async () => {
    const [carol] = await sockets('carol', 1);
    const group = await api('johndoe', 'POST', '/dms', { users: ['janedoe', 'carol'] });
    assert.deepEqual([group.status, group.json.kind, group.json.members], [200, 'dm', ['carol', 'janedoe', 'johndoe']]);
    assert.deepEqual(await carol!.next((f) => f.type === 'room_added'), {
      type: 'room_added',
      room: group.json.name,
      kind: 'dm',
      reason: 'dm',
      by: 'johndoe',
    });
    const again = await api('carol', 'POST', '/dms', { users: ['johndoe', 'janedoe', 'carol'] });
    assert.equal(again.json.name, group.json.name);
    assert.deepEqual((await mine('carol')).find((r: Frame) => r.name === group.json.name)?.members, ['carol', 'janedoe', 'johndoe']);
    const tooMany = await api('johndoe', 'POST', '/dms', { users: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'] });
    assert.equal(tooMany.status, 400);
    assert.equal((await api('johndoe', 'POST', '/dms', { users: ['janedoe', 'nobody'] })).status, 404);
    assert.equal((await api('johndoe', 'POST', '/dms', {})).status, 400);
    assert.equal((await api('johndoe', 'PUT', `/rooms/${group.json.name}/members/dave`)).status, 403, 'a DM’s people are fixed');
    // The two-person DM is unchanged by group DMs.
    assert.notEqual((await api('johndoe', 'POST', '/dms', { user: 'carol' })).json.name, group.json.name);
    carol!.close();
  });

  test('read positions: stored per user, never backwards, sent to the user’s other sockets, and counted in GET /rooms', async () => {
    await api('johndoe', 'POST', '/rooms', { name: 'reading' });
    await api('janedoe', 'POST', '/rooms/reading/join');
    const [a, b] = await sockets('janedoe');
    const [john] = await sockets('johndoe', 1);
    await joined(john!, 'reading');
    const acks = [];
    for (const body of ['one', 'two', 'three']) acks.push(await say(john!, 'reading', body));
    const entry = () => mine('janedoe').then((rooms) => rooms.find((r: Frame) => r.name === 'reading'));
    assert.deepEqual([(await entry()).unread, (await entry()).read_seq], [3, 0]);

    await joined(a!, 'reading');
    a!.send({ type: 'read', room: 'reading', seq: acks[1]!.seq });
    assert.deepEqual(await b!.next((f) => f.type === 'read'), { type: 'read', room: 'reading', seq: acks[1]!.seq }, 'another socket, not joined');
    await nothingBefore(a!, (f) => f.type === 'read');
    assert.deepEqual([(await entry()).unread, (await entry()).read_seq], [1, acks[1]!.seq]);

    a!.send({ type: 'read', room: 'reading', seq: 1 });
    b!.send({ type: 'read', room: 'reading', seq: 999 }); // not joined on b: access is checked; capped at the top
    assert.deepEqual(await a!.next((f) => f.type === 'read'), { type: 'read', room: 'reading', seq: acks[2]!.seq });
    assert.equal((await entry()).unread, 0);
    await nothingBefore(b!, (f) => f.type === 'read');

    // Her own messages never count; a private room she is not in refuses the frame.
    await say(a!, 'reading', 'mine');
    assert.equal((await entry()).unread, 0);
    await api('johndoe', 'POST', '/rooms', { name: 'not-hers', private: true });
    b!.send({ type: 'read', room: 'not-hers', seq: 1, ref: 'no' });
    assert.deepEqual(await b!.next((f) => f.type === 'error'), {
      type: 'error',
      code: 'forbidden',
      message: 'not-hers is private: ask its owner for an invitation',
      retryable: false,
      ref: 'no',
    });
    closeAll(a!, b!, john!);
  });

  test('mentions: recognised for existing readers only, carried by the message, sent to every socket of the mentioned user even unjoined', async () => {
    await api('janedoe', 'POST', '/rooms', { name: 'mentions' });
    await api('johndoe', 'POST', '/rooms/mentions/join');
    const johns = await sockets('johndoe');
    const [jane] = await sockets('janedoe', 1);
    await joined(jane!, 'mentions');
    const ack = await say(jane!, 'mentions', 'hey @JohnDoe, @nobody and mail@johndoe.example — see @carol.');
    const message = jane!.received.find((f) => (f as Frame).type === 'message' && (f as Frame).id === ack.id) as Frame; // before its ack
    assert.deepEqual(message.mentions, ['johndoe', 'carol']);
    for (const john of johns) {
      assert.deepEqual(await john.next((f) => f.type === 'mention'), {
        type: 'mention',
        room: 'mentions',
        id: ack.id,
        seq: ack.seq,
        user: 'janedoe',
      });
    }
    const room = (await mine('johndoe')).find((r: Frame) => r.name === 'mentions');
    assert.deepEqual([room.unread, room.mentions], [1, 1]);

    // In a private room only its members can be mentioned.
    await api('janedoe', 'POST', '/rooms', { name: 'quiet', private: true });
    await joined(jane!, 'quiet');
    const hidden = await say(jane!, 'quiet', 'psst @johndoe');
    assert.equal((jane!.received.find((f) => (f as Frame).id === hidden.id) as Frame).mentions, undefined);
    await nothingBefore(johns[0]!, (f) => f.type === 'mention' && f.room === 'quiet');

    // Muted: no badge for clients to show, but a direct mention still notifies (and counts).
    assert.deepEqual((await api('johndoe', 'PUT', '/rooms/mentions/settings', { muted: true })).json, { muted: true });
    assert.equal((await mine('johndoe')).find((r: Frame) => r.name === 'mentions').muted, true);
    const again = await say(jane!, 'mentions', '@johndoe once more');
    assert.equal((await johns[1]!.next((f) => f.type === 'mention')).id, again.id);
    assert.equal((await api('carol', 'PUT', '/rooms/mentions/settings', { muted: true })).status, 409, 'not a member');

    // An edit that adds a mention notifies the newly mentioned, pointing at the message.
    const [carol] = await sockets('carol', 1);
    const plain = await say(jane!, 'mentions', 'nobody here');
    jane!.send({ type: 'edit', room: 'mentions', id: plain.id, body: 'now @carol and @johndoe' });
    assert.deepEqual(await carol!.next((f) => f.type === 'mention'), {
      type: 'mention',
      room: 'mentions',
      id: plain.id,
      seq: plain.seq,
      user: 'janedoe',
    });
    assert.deepEqual((await jane!.next((f) => f.type === 'edited' && f.id === plain.id)).mentions, ['carol', 'johndoe']);
    closeAll(...johns, jane!, carol!);
  });

  test('room controls: the owner titles, sets the topic and archives; archived rooms are read-only and leave every list', async () => {
    await api('johndoe', 'POST', '/rooms', { name: 'project' });
    await api('janedoe', 'POST', '/rooms/project/join');
    await api('johndoe', 'PUT', '/rooms/project/members/carol', { role: 'moderator' });
    const [jane] = await sockets('janedoe', 1);
    const [watcher] = await sockets('dave', 1);
    await joined(watcher!, 'project');

    assert.equal((await api('janedoe', 'PATCH', '/rooms/project', { title: 'Mine now' })).status, 403);
    assert.equal((await api('carol', 'PATCH', '/rooms/project', { title: 'Moderated' })).status, 403, 'moderators set the topic only');
    const topic = await api('carol', 'PATCH', '/rooms/project', { topic: '  Ship it  ' });
    assert.deepEqual([topic.status, topic.json.topic], [200, 'Ship it']);
    const renamed = await api('johndoe', 'PATCH', '/rooms/project', { title: 'Project X' });
    assert.deepEqual([renamed.json.name, renamed.json.title, renamed.json.topic], ['project', 'Project X', 'Ship it'], 'the name stays');
    assert.deepEqual(await watcher!.next((f) => f.type === 'room_updated' && f.title === 'Project X'), {
      type: 'room_updated',
      room: 'project',
      title: 'Project X',
      topic: 'Ship it',
      archived: false,
    });

    assert.equal((await api('johndoe', 'PATCH', '/rooms/project', { archived: true })).json.archived, true);
    assert.deepEqual(await jane!.next((f) => f.type === 'room_removed'), {
      type: 'room_removed',
      room: 'project',
      reason: 'archived',
      by: 'johndoe',
    });
    assert.equal((await watcher!.next((f) => f.type === 'room_updated' && f.archived)).room, 'project');
    assert.ok(!(await mine('janedoe')).some((r: Frame) => r.name === 'project'));
    assert.ok(!(await api('dave', 'GET', '/rooms?scope=public')).json.some((r: Frame) => r.name === 'project'));
    const refused = await say(watcher!, 'project', 'anyone?');
    assert.deepEqual([refused.type, refused.code], ['error', 'room_archived']);
    assert.equal((await api('dave', 'POST', '/rooms/project/join')).status, 409);
    assert.equal((await api('dave', 'GET', '/rooms/project/messages')).status, 200, 'still readable');

    await api('johndoe', 'PATCH', '/rooms/project', { archived: false });
    assert.deepEqual(await jane!.next((f) => f.type === 'room_added'), {
      type: 'room_added',
      room: 'project',
      kind: 'public',
      reason: 'unarchived',
      by: 'johndoe',
    });
    assert.equal((await say(watcher!, 'project', 'back')).type, 'ack');
    assert.equal((await api('johndoe', 'PATCH', '/rooms/project', { title: '' })).json.title, undefined, 'an empty title clears it');
    const dm = await api('johndoe', 'POST', '/dms', { user: 'dave' });
    assert.equal((await api('johndoe', 'PATCH', `/rooms/${dm.json.name}`, { topic: 'x' })).status, 403);
    assert.equal((await api('johndoe', 'POST', `/rooms/${dm.json.name}/join`)).status, 403);
    assert.equal((await api('johndoe', 'POST', '/rooms/plans/join')).status, 403, 'a private room takes an invitation');
    closeAll(jane!, watcher!);
  });

  test('search: ranked hits in rooms one may read, with the seq to jump to; deleted messages never match, edited ones by their text', async () => {
    await api('johndoe', 'POST', '/rooms', { name: 'search-me' });
    await api('johndoe', 'POST', '/rooms', { name: 'search-hidden', private: true });
    const [john] = await sockets('johndoe', 1);
    await joined(john!, 'search-me');
    await joined(john!, 'search-hidden');
    const found = await say(john!, 'search-me', 'the quarterly connection report is ready');
    await say(john!, 'search-hidden', 'the connection secret');
    const gone = await say(john!, 'search-me', 'a connection to forget');
    john!.send({ type: 'delete', room: 'search-me', id: gone.id });
    const changed = await say(john!, 'search-me', 'first draft');
    john!.send({ type: 'edit', room: 'search-me', id: changed.id, body: 'final connected draft' });
    await john!.next((f) => f.type === 'edited' && f.id === changed.id);

    const jane = await api('janedoe', 'GET', '/search?q=connect');
    assert.equal(jane.status, 200);
    assert.deepEqual(jane.json.map((hit: Frame) => hit.id).sort(), [found.id, changed.id].sort());
    const hit = jane.json.find((h: Frame) => h.id === found.id);
    assert.deepEqual([hit.room, hit.seq, hit.user], ['search-me', found.seq, 'johndoe']);
    assert.ok(hit.snippet.includes(`${SearchMarks.open}connection${SearchMarks.close}`), hit.snippet);
    assert.equal((await api('johndoe', 'GET', '/search?q=connect')).json.length, 3, 'the owner reads the private room');
    assert.equal((await api('johndoe', 'GET', '/search?q=connect&room=search-hidden')).json.length, 1);
    assert.equal((await api('janedoe', 'GET', '/search?q=connect&room=search-hidden')).status, 403);
    assert.equal((await api('janedoe', 'GET', '/search?q=draft&limit=1')).json[0].id, changed.id);
    assert.equal((await api('janedoe', 'GET', '/search?q=first')).json.length, 0, 'the old text of an edit');
    const empty = await api('janedoe', 'GET', '/search?q=%20%20');
    assert.deepEqual([empty.status, empty.json.error], [400, 'invalid_request']);
    assert.equal((await api('janedoe', 'GET', '/search?q=x&limit=500')).status, 400);
    john!.close();
  });

  test('people: display names in /users/me and members; the directory by prefix never shows a disabled account', async () => {
    const set = await api('janedoe', 'PATCH', '/users/me', { display_name: '  Jane Doe ' });
    assert.deepEqual([set.status, set.json.username, set.json.display_name], [200, 'janedoe', 'Jane Doe']);
    assert.equal((await api('janedoe', 'GET', '/users/me')).json.display_name, 'Jane Doe');
    assert.equal((await api('janedoe', 'PATCH', '/users/me', { display_name: 'x'.repeat(65) })).status, 400);
    assert.equal((await api('janedoe', 'PATCH', '/users/me', { display_name: 'bad\u202eone' })).status, 400);
    const members = (await api('johndoe', 'GET', '/rooms/general/members')).json;
    assert.deepEqual(
      members.find((m: Frame) => m.username === 'janedoe'),
      { username: 'janedoe', role: 'member', display_name: 'Jane Doe' },
    );
    assert.deepEqual((await api('johndoe', 'GET', '/users?q=ja')).json, [{ username: 'janedoe', display_name: 'Jane Doe' }]);
    assert.deepEqual(
      (await api('johndoe', 'GET', '/users?q=jane%20d')).json.map((p: Frame) => p.username),
      ['janedoe'],
      'by display name',
    );
    assert.deepEqual(
      (await api('johndoe', 'GET', '/users?q=')).json.map((p: Frame) => p.username),
      ['carol', 'dave', 'janedoe', 'johndoe'],
    );
    // Disabled the way the CLI does it, through the same data dir.
    const store = await openStore(server.config);
    await store.accounts.setDisabled('dave', true);
    await store.close();
    assert.deepEqual(
      (await api('johndoe', 'GET', '/users?q=')).json.map((p: Frame) => p.username),
      ['carol', 'janedoe', 'johndoe'],
    );
    assert.deepEqual((await api('johndoe', 'GET', '/users?q=dav')).json, []);
    await api('janedoe', 'PATCH', '/users/me', { display_name: null });
    assert.equal((await api('janedoe', 'GET', '/users/me')).json.display_name, undefined);
  });

  test('/openapi.json documents the new routes with the protocol’s schemas', async () => {
    const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as Json;
    const routes: [string, string][] = [
      ['/rooms', 'get'],
      ['/rooms/{room}', 'patch'],
      ['/rooms/{room}/join', 'post'],
      ['/rooms/{room}/leave', 'post'],
      ['/rooms/{room}/settings', 'put'],
      ['/dms', 'post'],
      ['/search', 'get'],
      ['/users', 'get'],
      ['/users/me', 'patch'],
      ['/admin/users', 'get'],
      ['/admin/users/{username}', 'patch'],
      ['/admin/settings', 'patch'],
    ];
    for (const [route, method] of routes) assert.ok(spec.paths[route]?.[method], `${method.toUpperCase()} ${route}`);
    const room = spec.paths['/rooms'].get.responses['200'].content['application/json'].schema.items;
    assert.match(room.properties.unread.description, /exact/);
    assert.ok(spec.paths['/rooms'].get.parameters.some((p: Json) => p.name === 'scope'));
    const hit = spec.paths['/search'].get.responses['200'].content['application/json'].schema.items;
    assert.deepEqual(Object.keys(hit.properties).sort(), ['id', 'room', 'seq', 'snippet', 'ts', 'user']);
  });
});
