// GET /metrics: Prometheus text with the numbers an operator watches (for the bearer of PARLEY_METRICS_TOKEN).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Client, expectRefusal, getToken, serverSuite } from './helpers.js';

describe('metrics', () => {
  const token = 'metrics-scraper-token-1234';
  const server = serverSuite({ PARLEY_METRICS_TOKEN: token });

  const metrics = async () => {
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    return response.text();
  };

  test('open sockets, refused handshakes by status, closes by code, and the process', async () => {
    const token = await getToken(server.url);
    const a = await Client.chat(server, token);
    const b = await Client.chat(server, token);
    await expectRefusal(`${server.wsUrl}/secured-ws`);
    await expectRefusal(`${server.wsUrl}/secured-ws`, { headers: { authorization: 'Basic eA==' } });
    let text = await metrics();
    assert.match(text, /^parley_sockets_open 2$/m);
    assert.match(text, /^parley_http_responses_total\{route="\/secured-ws",status="401"\} 1$/m);
    assert.match(text, /^parley_http_responses_total\{route="\/secured-ws",status="403"\} 1$/m);
    assert.match(text, /^parley_http_responses_total\{route="\/token",status="200"\} 1$/m);
    assert.match(text, /^parley_process_resident_memory_bytes \d+/m);

    b.send('not json'); // closed 1008
    await b.closedWith();
    a.close();
    await a.closedWith();
    await new Promise((resolve) => setTimeout(resolve, 50));
    text = await metrics();
    assert.match(text, /^parley_sockets_open 0$/m);
    assert.match(text, /^parley_socket_closes_total\{code="1008"\} 1$/m);
    assert.match(text, /^parley_socket_closes_total\{code="1005"\} 1$/m);
  });
});
