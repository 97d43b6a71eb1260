// What the security suites share: a bystander who must keep being served while an attack is refused, raw HTTP
// (for what fetch will not send: repeated headers), and the refusal shapes every suite asserts.
import assert from 'node:assert/strict';
import net from 'node:net';
import { Client, type Frame, getToken, type RunningServer } from '../helpers.js';

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

/** Sends `request` byte for byte (fetch and ws merge or refuse repeated headers) and reads one answer. */
export function rawHttp(server: RunningServer, request: string): Promise<RawAnswer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request));
    let data = Buffer.alloc(0);
    const answer = (): RawAnswer | undefined => {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const head = data.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      const body = data.subarray(end + 4);
      if (!(body.length >= length)) return undefined;
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: body.subarray(0, length).toString('utf8') };
    };
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const done = answer();
      if (done) {
        socket.destroy();
        resolve(done);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed without a whole answer: ${data.toString('latin1')}`)));
  });
}

/** A JSON error answer: status, catalogue code, and (when given) the sentence it must contain. */
export async function assertError(
  response: Response,
  status: number,
  code: string,
  sentence?: RegExp,
): Promise<{ error: string; error_description: string }> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const body = JSON.parse(text) as { error: string; error_description: string };
  assert.equal(body.error, code, text);
  assert.ok(body.error_description.length > 10, 'a sentence a person understands');
  if (sentence) assert.match(body.error_description, sentence);
  return body;
}
