// OAuth2 as libraries expect it: RFC 8414 discovery, then the password grant, refresh and RFC 7009 revocation
// through oauth4webapi and openid-client 6 — their ordinary APIs, with http allowed for loopback the way each
// documents it — against a live server. And the public URL that is both the metadata's issuer and the tokens' `iss`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { getToken, serverSuite, startServer, tokenRequest } from '../helpers.js';

const METADATA = '/.well-known/oauth-authorization-server';

async function me(url: string, token: string): Promise<number> {
  return (await fetch(`${url}/users/me`, { headers: { authorization: `Bearer ${token}` } })).status;
}

describe('RFC 8414 discovery', () => {
  const server = serverSuite();

  test('the metadata names the issuer, both endpoints, the grants, public clients and the scopes', async () => {
    const response = await fetch(`${server.url}${METADATA}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), {
      issuer: server.url,
      token_endpoint: `${server.url}/token`,
      revocation_endpoint: `${server.url}/token/revoke`,
      grant_types_supported: ['password', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['chat:read', 'chat:write', 'admin'],
      response_types_supported: [],
      service_documentation: `${server.url}/docs`,
    });
  });

  test('there is no OpenID configuration: Parley issues no ID tokens', async () => {
    const response = await fetch(`${server.url}/.well-known/openid-configuration`);
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: string }).error, 'not_found');
  });

  test('the issuer is the `iss` of the tokens', async () => {
    const metadata = (await (await fetch(`${server.url}${METADATA}`)).json()) as { issuer: string };
    assert.equal(decodeJwt(await getToken(server.url)).iss, metadata.issuer);
  });

  test('oauth4webapi: discovery, password grant, refresh, revocation', async () => {
    const issuer = new URL(server.url);
    const http = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...http }));
    assert.equal(as.token_endpoint, `${server.url}/token`);
    const app: oauth.Client = { client_id: 'oauth4webapi-test' };
    const none = oauth.None();

    const granted = await oauth.processGenericTokenEndpointResponse(
      as,
      app,
      await oauth.genericTokenEndpointRequest(as, app, none, 'password', { username: 'johndoe', password: 'secret', scope: 'chat:read' }, http),
    );
    assert.equal(granted.token_type, 'bearer');
    assert.equal(granted.scope, 'chat:read');
    assert.equal(await me(server.url, granted.access_token), 200);

    const rotation = await oauth.refreshTokenGrantRequest(as, app, none, granted.refresh_token!, http);
    const refreshed = await oauth.processRefreshTokenResponse(as, app, rotation);
    assert.notEqual(refreshed.refresh_token, granted.refresh_token, 'rotated');
    assert.equal(await me(server.url, refreshed.access_token), 200);

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, app, none, refreshed.refresh_token!, http));
    await assert.rejects(
      async () => oauth.processRefreshTokenResponse(as, app, await oauth.refreshTokenGrantRequest(as, app, none, refreshed.refresh_token!, http)),
      (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant' && error.status === 400,
    );

    // A wrong password is the library's ordinary OAuth2 error, not a parse failure.
    await assert.rejects(
      async () =>
        oauth.processGenericTokenEndpointResponse(
          as,
          app,
          await oauth.genericTokenEndpointRequest(as, app, none, 'password', { username: 'johndoe', password: 'wrong' }, http),
        ),
      (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant',
    );
  });

  test('openid-client 6: discovery (oauth2), password grant, refresh, revocation', async () => {
    const config = await client.discovery(new URL(server.url), 'openid-client-test', undefined, client.None(), {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    });
    assert.equal(config.serverMetadata().issuer, server.url);
    assert.equal(config.serverMetadata().revocation_endpoint, `${server.url}/token/revoke`);

    const granted = await client.genericGrantRequest(config, 'password', { username: 'janedoe', password: 'secret2' });
    assert.equal(decodeJwt(granted.access_token).sub, 'janedoe');
    assert.ok((granted.expiresIn() ?? 0) > 0);
    assert.equal(await me(server.url, granted.access_token), 200);

    const refreshed = await client.refreshTokenGrant(config, granted.refresh_token!);
    assert.equal(await me(server.url, refreshed.access_token), 200);

    // Revoking the access token ends that token (RFC 7009); the login's refresh token still works.
    await client.tokenRevocation(config, refreshed.access_token, { token_type_hint: 'access_token' });
    assert.equal(await me(server.url, refreshed.access_token), 401);
    const again = await client.refreshTokenGrant(config, refreshed.refresh_token!);

    // Revoking the refresh token ends the whole login.
    await client.tokenRevocation(config, again.refresh_token!);
    await assert.rejects(client.refreshTokenGrant(config, again.refresh_token!), (error: unknown) => {
      return error instanceof client.ResponseBodyError && error.error === 'invalid_grant';
    });
  });

  test('every answer of the token endpoints says no-store: 200, 400, 415 and the revocation', async () => {
    const answers = [
      await tokenRequest(server.url, { username: 'johndoe', password: 'secret' }),
      await tokenRequest(server.url, { username: 'johndoe', password: 'wrong' }),
      await fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"johndoe"}' }),
      await fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<username>johndoe</username>' }),
      await fetch(`${server.url}/token/revoke`, { method: 'POST', body: new URLSearchParams({ token: 'nonsense' }) }),
      await fetch(`${server.url}/token/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"x"}' }),
    ];
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 400, 400, 415, 200, 400],
    );
    for (const answer of answers) assert.equal(answer.headers.get('cache-control'), 'no-store', `${answer.status} ${answer.url}`);
  });
});

describe('the public URL', () => {
  test('PARLEY_PUBLIC_URL is the issuer in the metadata and in tokens, and the base of the endpoints', async () => {
    const server = await startServer({ PARLEY_PUBLIC_URL: 'https://chat.example/' });
    try {
      const metadata = (await (await fetch(`${server.url}${METADATA}`)).json()) as Record<string, unknown>;
      assert.equal(metadata.issuer, 'https://chat.example');
      assert.equal(metadata.token_endpoint, 'https://chat.example/token');
      const token = await getToken(server.url);
      assert.equal(decodeJwt(token).iss, 'https://chat.example');
      assert.equal(await me(server.url, token), 200);
    } finally {
      await server.cleanup();
    }
  });

  test('PARLEY_ISSUER still overrides the `iss` (tokens of the old default `parley` keep working)', async () => {
    const server = await startServer({ PARLEY_ISSUER: 'parley' });
    try {
      const token = await getToken(server.url);
      assert.equal(decodeJwt(token).iss, 'parley');
      assert.equal(await me(server.url, token), 200);
      const metadata = (await (await fetch(`${server.url}${METADATA}`)).json()) as Record<string, unknown>;
      assert.equal(metadata.issuer, server.url, 'discovery needs the URL the client fetched it from');
    } finally {
      await server.cleanup();
    }
  });

  test('a token of another issuer is refused, even when signed with the right key', async () => {
    // Two servers that share the signing secret but not the URL: each only accepts its own issuer.
    const env = { PARLEY_JWT_SECRET: randomBytes(32).toString('base64url') };
    const first = await startServer(env);
    const second = await startServer(env);
    try {
      const token = await getToken(first.url);
      assert.equal(await me(first.url, token), 200);
      const refused = await fetch(`${second.url}/users/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
      assert.equal(await me(second.url, await getToken(second.url)), 200);
    } finally {
      await second.cleanup();
      await first.cleanup();
    }
  });
});
