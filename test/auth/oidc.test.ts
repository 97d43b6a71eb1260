// Third-party identity: a tiny OpenID issuer on loopback (its own key pair and JWKS route), whose access
// tokens Parley accepts at the gate and on the HTTP API — including across a key rotation.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { Client, expectRefusal, type RunningServer, startServer } from '../helpers.js';

const ISSUER = 'https://id.example.test/realms/parley';
const AUDIENCE = 'parley-api';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

describe('tokens from an external OpenID provider', () => {
  let keys: SigningKey[];
  let jwksFetches = 0;
  let issuer: http.Server;
  let server: RunningServer;

  async function issue(key: SigningKey, claims: Record<string, unknown> = {}, iss = ISSUER): Promise<string> {
    return new SignJWT({ preferred_username: 'alice', scope: 'openid profile', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer(iss)
      .setAudience(AUDIENCE)
      .setSubject('f3b1c2d4-sub')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);
  }

  before(async () => {
    keys = [await newKey('key-1')];
    issuer = http.createServer((request, response) => {
      if (request.url !== '/jwks') return void response.writeHead(404).end();
      jwksFetches++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    });
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
    const { port } = issuer.address() as AddressInfo;
    server = await startServer({
      PARLEY_OIDC_ISSUER: ISSUER,
      PARLEY_OIDC_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
      PARLEY_OIDC_AUDIENCE: AUDIENCE,
      PARLEY_OIDC_JWKS_COOLDOWN: '1s',
    });
  });
  after(async () => {
    await server.cleanup();
    issuer.close();
  });

  test('a provider token opens the recipe socket and the API; the user is created on first use', async () => {
    const token = await issue(keys[0]!);
    const client = await Client.open(`${server.wsUrl}/secured-ws`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(await client.next(), 'Welcome alice!');
    client.close();
    const me = await fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    const body = (await me.json()) as { username: string; scopes: string[] };
    assert.equal(body.username, 'alice');
    // "openid profile" carries no Parley scope: the defaults apply.
    assert.deepEqual(body.scopes, ['chat:read', 'chat:write']);
  });

  test('chat works with a provider token, scopes from the token are honoured', async () => {
    const reader = await Client.chat(server, await issue(keys[0]!, { scope: 'openid chat:read' }));
    reader.send({ type: 'join', room: 'general' });
    await reader.next((f) => f.type === 'joined');
    reader.send({ type: 'send', room: 'general', body: 'hi', clientId: 'x' });
    assert.equal((await reader.next((f) => f.type === 'error')).code, 'forbidden');
    reader.close();
  });

  test('the provider rotates its key: the new kid is fetched and accepted, the retired key is refused', async () => {
    const fetchesBefore = jwksFetches;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the JWKS cooldown
    const retired = keys[0]!;
    keys = [await newKey('key-2')];
    const fresh = await issue(keys[0]!);
    const client = await Client.open(`${server.wsUrl}/secured-ws`, { headers: { authorization: `Bearer ${fresh}` } });
    assert.equal(await client.next(), 'Welcome alice!');
    client.close();
    assert.equal(jwksFetches, fetchesBefore + 1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const old = await expectRefusal(`${server.wsUrl}/secured-ws`, { headers: { authorization: `Bearer ${await issue(retired)}` } });
    assert.equal(old.status, 401);
    assert.equal(old.headers['www-authenticate'], 'Bearer error="invalid_token"');
  });

  test('wrong audience, a forged key with the right kid, or a local account name → invalid_token', async () => {
    const forger = await newKey(keys[0]!.kid);
    const cases = [
      await issue(forger),
      await new SignJWT({ preferred_username: 'alice' })
        .setProtectedHeader({ alg: 'RS256', kid: keys[0]!.kid })
        .setIssuer(ISSUER)
        .setAudience('other-api')
        .setExpirationTime('5m')
        .sign(keys[0]!.privateKey),
      // johndoe is a local password account: an external identity must not take it over.
      await issue(keys[0]!, { preferred_username: 'johndoe' }),
    ];
    for (const token of cases) {
      const refusal = await expectRefusal(`${server.wsUrl}/secured-ws`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(refusal.status, 401);
      assert.equal(refusal.headers['www-authenticate'], 'Bearer error="invalid_token"');
    }
  });

  test('Parley’s own tokens still work beside the provider’s', async () => {
    const response = await fetch(`${server.url}/token`, { method: 'POST', body: new URLSearchParams({ username: 'johndoe', password: 'secret' }) });
    const { access_token } = (await response.json()) as { access_token: string };
    const client = await Client.open(`${server.wsUrl}/secured-ws`, { headers: { authorization: `Bearer ${access_token}` } });
    assert.equal(await client.next(), 'Welcome johndoe!');
    client.close();
  });
});
