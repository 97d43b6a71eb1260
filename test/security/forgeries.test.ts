// Forged and mis-issued JWTs, replayed from the attack report (all held; they must keep holding): each is refused
// with 401 invalid_token on an HTTP route, on /secured-ws and on /ws before any socket opens — while a token
// signed right is accepted on the same three, and a bystander keeps chatting.
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { Client, expectRefusal, type RunningServer, startServer } from '../helpers.js';
import { assertError, Bystander } from './support.js';

const SECRET = randomBytes(32).toString('base64url');
const PROVIDER = 'https://id.example.test/realms/parley';
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A token assembled by hand: any header, any payload, a signature over them with HMAC-SHA256 and `key` (or none). */
function handmade(header: object, payload: object, key?: string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${key === undefined ? '' : createHmac('sha256', key).update(input).digest('base64url')}`;
}

describe('forged tokens are refused everywhere (replay of the cases that held)', () => {
  let server: RunningServer;
  let bystander: Bystander;
  let provider: http.Server;
  let attacker: http.Server;
  let attackerFetches = 0;
  let providerKey: { privateKey: CryptoKey; jwk: JWK; pem: string };
  let evilKey: { privateKey: CryptoKey; jwk: JWK };
  let attackerUrl: string;

  const claims = (extra: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    // The server's issuer is its public URL, here the address it listens on.
    return { sub: 'johndoe', iss: server.url, aud: 'parley', jti: randomUUID(), iat: now, exp: now + 300, scope: 'chat:read chat:write', ...extra };
  };
  const ours = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header }).sign(new TextEncoder().encode(SECRET));

  before(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    providerKey = {
      privateKey: pair.privateKey,
      jwk: { ...(await exportJWK(pair.publicKey)), kid: 'p1', alg: 'RS256' },
      pem: await exportSPKI(pair.publicKey),
    };
    const evil = await generateKeyPair('RS256', { extractable: true });
    evilKey = { privateKey: evil.privateKey, jwk: { ...(await exportJWK(evil.publicKey)), kid: 'evil', alg: 'RS256' } };
    provider = http.createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [providerKey.jwk] })),
    );
    // Where jku/x5u point: Parley must never fetch it.
    attacker = http.createServer((_request, response) => {
      attackerFetches++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [evilKey.jwk] }));
    });
    for (const listener of [provider, attacker]) await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/jwks`;
    server = await startServer({
      PARLEY_JWT_SECRET: SECRET,
      PARLEY_OIDC_ISSUER: PROVIDER,
      PARLEY_OIDC_JWKS_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/jwks`,
    });
    bystander = await Bystander.join(server);
  });
  after(async () => {
    bystander.close();
    await server.cleanup();
    provider.close();
    attacker.close();
  });

  async function forgeries(): Promise<[string, string][]> {
    const now = Math.floor(Date.now() / 1000);
    const evilSigned = (header: Record<string, unknown>, payload: Record<string, unknown>) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'RS256', ...header }).sign(evilKey.privateKey);
    return [
      ['alg none', handmade({ alg: 'none', typ: 'JWT' }, claims())],
      ['alg NoNe', handmade({ alg: 'NoNe', typ: 'JWT' }, claims())],
      ['RS256 header over an HMAC with our secret', handmade({ alg: 'RS256', typ: 'JWT' }, claims(), SECRET)],
      [
        "HS256 with the provider's public key (PEM) as the HMAC secret",
        handmade({ alg: 'HS256', kid: 'p1' }, claims({ iss: PROVIDER, preferred_username: 'johndoe' }), providerKey.pem),
      ],
      [
        "HS256 with the provider's JWK as the HMAC secret",
        handmade({ alg: 'HS256', kid: 'p1' }, claims({ iss: PROVIDER }), JSON.stringify(providerKey.jwk)),
      ],
      ['our own secret on a token claiming the provider', handmade({ alg: 'HS256' }, claims({ iss: PROVIDER }), SECRET)],
      ['embedded jwk (ours)', await evilSigned({ jwk: evilKey.jwk }, claims())],
      ['embedded jwk (provider)', await evilSigned({ jwk: evilKey.jwk, kid: 'p1' }, claims({ iss: PROVIDER }))],
      ['jku to an attacker JWKS', await evilSigned({ jku: attackerUrl, kid: 'evil' }, claims({ iss: PROVIDER }))],
      ['x5u to an attacker URL', await evilSigned({ x5u: attackerUrl, kid: 'evil' }, claims({ iss: PROVIDER }))],
      ['kid path traversal with an empty-ish key', handmade({ alg: 'HS256', kid: '../../../../../dev/null' }, claims(), Buffer.alloc(32))],
      ['kid SQL injection', handmade({ alg: 'HS256', kid: "x' UNION SELECT 'key' --" }, claims(), 'key')],
      ['kid of the provider on a token signed by another key', await evilSigned({ kid: 'p1' }, claims({ iss: PROVIDER }))],
      [
        'crit header naming an unknown extension (signed right)',
        handmade({ alg: 'HS256', crit: ['x-parley-unknown'], 'x-parley-unknown': true }, claims(), SECRET),
      ],
      ['wrong key', handmade({ alg: 'HS256', typ: 'JWT' }, claims(), randomBytes(32))],
      ['expired (signed right)', await ours(claims({ iat: now - 600, exp: now - 60 }))],
      ['nbf in the future (signed right)', await ours(claims({ nbf: now + 3600 }))],
      ['wrong audience (signed right)', await ours(claims({ aud: 'another-service' }))],
      ['wrong issuer (signed right)', await ours(claims({ iss: 'https://evil.example' }))],
      ['no jti (signed right)', await ours({ ...claims(), jti: undefined })],
      ['truncated signature', (await ours(claims())).slice(0, -4)],
    ];
  }

  test('a token signed right is accepted on all three (the refusals below can fail)', async () => {
    const token = await ours(claims());
    assert.equal((await fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    // The hand-made ones are signed right too: the crit case below is refused for its header, not its signature.
    const byHand = handmade({ alg: 'HS256', typ: 'JWT' }, claims(), SECRET);
    assert.equal((await fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${byHand}` } })).status, 200);
    for (const path of ['/secured-ws', '/ws']) {
      const client = await Client.open(`${server.wsUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      client.close();
    }
  });

  test('every forgery: 401 invalid_token on GET /users/me, /secured-ws and /ws', async () => {
    for (const [name, token] of await forgeries()) {
      const me = await fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.headers.get('www-authenticate'), 'Bearer error="invalid_token"', name);
      await assertError(me, 401, 'invalid_token');
      for (const path of ['/secured-ws', '/ws']) {
        const refusal = await expectRefusal(`${server.wsUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(refusal.status, 401, `${name} on ${path}`);
        assert.equal(refusal.headers['www-authenticate'], 'Bearer error="invalid_token"', `${name} on ${path}`);
        assert.equal((JSON.parse(refusal.body) as { error: string }).error, 'invalid_token', `${name} on ${path}`);
      }
    }
    assert.equal(attackerFetches, 0, 'jku and x5u are never followed');
    await bystander.assertServed();
  });
});
