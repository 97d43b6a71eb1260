// Reconnect and resume with the SDK: sockets that die mid-conversation, answers lost in flight, and the one
// close after which the client must not come back (4403, revoked).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Ack, connect, login } from 'parley-chat-client';
import WebSocket from 'ws';
import { serverSuite } from '../helpers.js';
import { closeClients, LossySocket, loggedIn, next, record, sleep, track, until } from './support.js';

const count = <T>(items: T[], match: (item: T) => boolean) => items.filter(match).length;

describe('client SDK: reconnect and resume', () => {
  const server = serverSuite({}, closeClients);

  test('the server drops the socket mid-burst: the client resumes with no gap, no duplicate; a send made while away arrives once', async () => {
    const john = await loggedIn(server, 'johndoe');
    await john.join('general');
    const sockets = server.app.websocketServer.clients;
    assert.equal(sockets.size, 1);
    const [johnsSocket] = [...sockets];
    const jane = await loggedIn(server, 'janedoe');
    await jane.join('general');

    const johnSees = record(john, 'message');
    const janeSees = record(jane, 'message');
    const statuses = record(john, 'status');
    let whileAway: Promise<Ack> | undefined;
    john.on('status', (status) => {
      if (status.state === 'reconnecting') whileAway ??= john.send('general', 'sent while away');
    });

    const sent: Ack[] = [];
    for (let i = 0; i < 40; i++) {
      if (i === 10) johnsSocket!.terminate();
      sent.push(await jane.send('general', `burst ${i}`));
      await sleep(5);
    }
    await until(() => whileAway !== undefined, 'the drop');
    const away = await whileAway!;
    await until(() => johnSees.some((m) => m.seq === sent.at(-1)!.seq) && johnSees.some((m) => m.seq === away.seq), 'the resume');
    await sleep(200); // a duplicate would arrive now

    assert.deepEqual(
      statuses.map((s) => s.state),
      ['reconnecting', 'open'],
    );
    assert.deepEqual(
      johnSees.filter((m) => m.body.startsWith('burst ')).map((m) => [m.seq, m.body]),
      sent.map((ack, i) => [ack.seq, `burst ${i}`]),
      'every message of the burst, in order',
    );
    const seqs = johnSees.map((m) => m.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => seqs[0]! + i),
      'gap-free, each seq once',
    );
    assert.equal(
      count(johnSees, (m) => m.body === 'sent while away'),
      1,
    );
    assert.equal(
      count(janeSees, (m) => m.body === 'sent while away'),
      1,
    );
    assert.equal(janeSees.find((m) => m.body === 'sent while away')?.seq, away.seq);
    john.close();
    jane.close();
  });

  test('a message stored whose ack was lost with the socket is re-sent by clientId and stored once, with its first id', async () => {
    const john = await loggedIn(server, 'johndoe', { WebSocket: LossySocket });
    await john.join('general');
    const jane = await loggedIn(server, 'janedoe');
    await jane.join('general');
    const johnSees = record(john, 'message');
    const janeSees = record(jane, 'message');

    const first = LossySocket.last!;
    first.deaf = true;
    const ack = john.send('general', 'stored, ack lost');
    const stored = await next(jane, 'message', (m) => m.body === 'stored, ack lost');
    await sleep(100); // the ack reaches john's socket meanwhile, and is lost
    first.ws.terminate();

    const { id, seq } = await ack;
    assert.notEqual(LossySocket.last, first, 'a new socket');
    assert.deepEqual([id, seq], [stored.id, stored.seq], 'acked with the stored message');
    await until(() => johnSees.some((m) => m.id === id), 'the replay');
    await sleep(200);
    assert.equal(
      count(johnSees, (m) => m.body === 'stored, ack lost'),
      1,
    );
    assert.equal(
      count(janeSees, (m) => m.body === 'stored, ack lost'),
      1,
    );
    const history = await jane.history('general', { limit: 100 });
    assert.equal(
      count(history, (m) => m.body === 'stored, ack lost'),
      1,
      'stored once',
    );
    john.close();
    jane.close();
  });

  test('a revoked token closes the socket with 4403 and the client does not come back, getToken or not', async () => {
    const session = await login(server.url, 'johndoe', 'secret');
    const john = track(
      connect({ url: server.url, token: session.accessToken, getToken: session.getToken, WebSocket, reconnect: { minMs: 50, maxMs: 200 } }),
    );
    const statuses = record(john, 'status');
    await john.join('general');
    const revoked = await fetch(`${server.url}/token/revoke`, { method: 'POST', body: new URLSearchParams({ token: session.accessToken }) });
    assert.equal(revoked.status, 200);

    const closed = await next(john, 'status', (s) => s.state === 'closed', 3000);
    assert.ok(closed.state === 'closed');
    assert.deepEqual([closed.code, closed.reason], [4403, 'token revoked']);
    await sleep(500);
    assert.deepEqual(
      statuses.map((s) => s.state),
      ['connecting', 'open', 'closed'],
    );
    await assert.rejects(john.send('general', 'too late'), { name: 'ParleyError', code: 'closed' });
  });
});
