// The token's life with the SDK, on 3-second tokens: an in-band refresh keeps the socket open past the first
// token's exp; without getToken, 4001 is the end; with it, a failed refresh costs one reconnect, not the session.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connect, login } from 'parley-chat-client';
import WebSocket from 'ws';
import { getToken, serverSuite } from '../helpers.js';
import { closeClients, next, record, sleep, track, until } from './support.js';

describe('client SDK: token expiry', () => {
  const server = serverSuite({ PARLEY_ACCESS_TOKEN_TTL: '3s', PARLEY_EXPIRY_WARNING: '2s' }, closeClients);

  test('on `expiring` the client refreshes in-band with getToken: the socket stays open past the first exp', async () => {
    const session = await login(server.url, 'johndoe', 'secret');
    let asked = 0;
    const getFresh = () => {
      asked++;
      return session.getToken();
    };
    const john = track(connect({ url: server.url, token: session.accessToken, getToken: getFresh, WebSocket }));
    const statuses = record(john, 'status');
    // A 3 s token may be 2 s from its exp when issued (exp has whole seconds): the warning can come at once.
    const warnings = record(john, 'expiring');
    const refreshes = record(john, 'refreshed');
    await john.join('general');
    const open = statuses[1];
    assert.ok(open?.state === 'open');

    await until(() => refreshes.length > 0, 'the in-band refresh', 3000);
    assert.equal(warnings[0]?.at, open.expiresAt);
    assert.ok(refreshes[0]!.expiresAt > open.expiresAt);
    assert.ok(asked >= 1);

    await sleep(open.expiresAt - Date.now() + 500);
    assert.deepEqual(
      statuses.map((s) => s.state),
      ['connecting', 'open'],
      'never dropped',
    );
    const ack = await john.send('general', 'after the first token expired');
    assert.equal(john.lastSeq('general'), ack.seq);
    john.close();
  });

  test('without getToken the socket ends at exp with 4001 and the client stays closed', async () => {
    const john = track(connect({ url: server.url, token: await getToken(server.url), WebSocket, reconnect: { minMs: 50, maxMs: 200 } }));
    const statuses = record(john, 'status');
    const closed = await next(john, 'status', (s) => s.state === 'closed', 5000);
    assert.ok(closed.state === 'closed');
    assert.deepEqual([closed.code, closed.reason], [4001, 'token expired']);
    await sleep(300);
    assert.deepEqual(
      statuses.map((s) => s.state),
      ['connecting', 'open', 'closed'],
    );
  });

  test('a refresh that fails ends in 4001; the client fetches a fresh token first, reconnects and rejoins', async () => {
    const session = await login(server.url, 'johndoe', 'secret');
    let asked = 0;
    const flaky = async () => {
      if (++asked === 1) throw new Error('token service unavailable');
      return session.getToken();
    };
    const john = track(connect({ url: server.url, token: session.accessToken, getToken: flaky, WebSocket, reconnect: { minMs: 50, maxMs: 200 } }));
    await john.join('general');
    const rejoined = next(john, 'joined', () => true, 6000);
    const dropped = await next(john, 'status', (s) => s.state === 'reconnecting', 5000);
    assert.ok(dropped.state === 'reconnecting');
    assert.equal(dropped.code, 4001);
    await rejoined;
    assert.equal(asked, 2, 'one failed refresh, one fresh token for the new socket');
    assert.equal(john.status.state, 'open');
    await john.send('general', 'back after 4001');
    john.close();
  });
});
