// Origin checks (replay of cases that held): a browser sends the cookie whoever opens the socket or posts the
// form, so only the server's own origin (and PARLEY_ALLOWED_ORIGINS) may. Look-alike origins are refused with
// 403 before any socket opens or any form is handled; a bystander keeps chatting.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Client, DEMO_PASSWORDS, expectRefusal, getToken, serverSuite } from '../helpers.js';
import { assertError, Bystander } from './support.js';

const ALLOWED = 'https://partner.example';

describe('Origin variants on the socket and on the forms', () => {
  const server = serverSuite({ PARLEY_ALLOWED_ORIGINS: ALLOWED });
  let own: string;
  let cookie: string;
  let bystander: Bystander;
  before(async () => {
    own = server.url;
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'johndoe', password: DEMO_PASSWORDS.johndoe!, next: '/' }),
      redirect: 'manual',
    });
    cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .filter((c) => !c.endsWith('='))
      .join('; ');
    bystander = await Bystander.join(server);
  });

  const foreign = () => {
    const { host, port } = new URL(own);
    return [
      'http://evil.example',
      `http://${host}.evil.example`,
      `http://evil.example/${host}`,
      `http://127.0.0.1:${Number(port) + 1}`,
      `HTTP://${host}`,
      `${own}/`,
      `${own}, http://evil.example`,
      `http://evil.example, ${own}`,
      'null',
      `${ALLOWED}.evil.example`,
      'http://localhost',
      '',
    ];
  };

  test('the own origin and an allowed one open the cookie socket; look-alikes are refused 403 forbidden_origin', async () => {
    for (const origin of [own, ALLOWED]) (await Client.open(`${server.wsUrl}/ws`, { headers: { cookie }, origin })).close();
    for (const origin of foreign()) {
      const refusal = await expectRefusal(`${server.wsUrl}/ws`, { headers: { cookie, origin } });
      assert.equal(refusal.status, 403, JSON.stringify(origin));
      assert.equal((JSON.parse(refusal.body) as { error: string }).error, 'forbidden_origin', JSON.stringify(origin));
    }
    await bystander.assertServed();
  });

  test('a bearer socket is Origin-checked too (a browser page holding a token)', async () => {
    const token = await getToken(server.url, 'johndoe');
    const refusal = await expectRefusal(`${server.wsUrl}/secured-ws`, {
      headers: { authorization: `Bearer ${token}`, origin: 'http://evil.example' },
    });
    assert.equal(refusal.status, 403);
    (await Client.open(`${server.wsUrl}/secured-ws`, { headers: { authorization: `Bearer ${token}`, origin: own } })).close();
  });

  test('form posts and the cookie API from a look-alike origin are refused 403, and change nothing', async () => {
    const post = (path: string, origin: string, body: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, { method: 'POST', body: new URLSearchParams(body), redirect: 'manual', headers: { cookie, origin } });
    for (const origin of foreign().filter((o) => o !== '')) {
      for (const path of ['/login', '/register', '/auth/refresh', '/auth/logout', '/logout']) {
        const response = await post(path, origin, { username: 'mallory', password: 'long enough password', next: '/' });
        assert.equal(response.status, 403, `${path} from ${origin}`);
        assert.deepEqual(response.headers.getSetCookie(), [], `${path} from ${origin}`);
        assert.match(await response.text(), /This form was sent from another site, so it was refused\./);
      }
      const patch = await fetch(`${server.url}/users/me`, {
        method: 'PATCH',
        headers: { cookie, origin, 'content-type': 'application/json' },
        body: JSON.stringify({ current_password: DEMO_PASSWORDS.johndoe, password: 'taken over!' }),
      });
      await assertError(patch, 403, 'forbidden_origin');
    }
    // Nothing happened: mallory does not exist, johndoe's session and password are intact.
    const still = await fetch(`${server.url}/`, { headers: { cookie } });
    assert.equal(still.status, 200);
    await getToken(server.url, 'johndoe');
    const mallory = await fetch(`${server.url}/token`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'mallory', password: 'long enough password' }),
    });
    assert.equal(mallory.status, 400);
    await bystander.assertServed();
  });
});
