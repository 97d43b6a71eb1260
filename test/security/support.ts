// What the security suites share: a bystander who must keep being served while an attack is refused, raw HTTP
// (for what fetch will not send: repeated headers), and the refusal shapes every suite asserts.
import assert from 'node:assert/strict';
import net from 'node:net';
import { Client, type Frame, type RunningServer, getToken } from '../helpers.js';

/**
 * Another user, connected before the attack and chatting in #general: after it, their socket is still open and
 * a message they send is stored and acknowledged, and the server still answers HTTP.
 */
export class Bystander {
  private sent = 0;

  private constructor(
    private readonly server: RunningServer,
    readonly client: Client,
  ) {}

  static async join(server: RunningServer, username = 'janedoe'): Promise<Bystander> {
    const client = await Client.chat(server, await getToken(server.url, username));
    client.send({ type: 'join', room: 'general' });
    await client.next((f) => f.type === 'joined');
    return new Bystander(server, client);
  }

  async assertServed(): Promise<void> {
    assert.equal(this.client.closed, undefined, `the bystander's socket was closed: ${JSON.stringify(this.client.closed)}`);
    const clientId = `bystander-${++this.sent}-${Date.now()}`;
    this.client.send({ type: 'send', room: 'general', body: `still here ${this.sent}`, clientId });
    const ack = await this.client.next((f: Frame) => f.type === 'ack' && f.clientId === clientId);
    assert.ok(ack.seq > 0);
    assert.equal((await fetch(`${this.server.url}/healthz`)).status, 200);
  }

  close(): void {
    this.client.close();
  }
}

export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/** Sends `request` byte for byte (fetch and ws merge or refuse repeated headers) and reads the answer. */
export function rawHttp(server: RunningServer, request: string): Promise<RawAnswer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      let body = rest.join('\r\n\r\n');
      // Chunked bodies: the one chunk our small answers come in.
      if (/\r\ntransfer-encoding: chunked/i.test(head)) body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '');
      resolve({ status, head, body });
    });
  });
}

/** A JSON error answer: status, catalogue code, and (when given) the sentence it must contain. */
export async function assertError(response: Response, status: number, code: string, sentence?: RegExp): Promise<{ error: string; error_description: string }> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const body = JSON.parse(text) as { error: string; error_description: string };
  assert.equal(body.error, code, text);
  assert.ok(body.error_description.length > 10, 'a sentence a person understands');
  if (sentence) assert.match(body.error_description, sentence);
  return body;
}
