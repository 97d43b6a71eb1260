// The HS256 verifier on node:crypto against tokens jose signs: what jose would accept it accepts, and it refuses
// every forgery and stale token jose would refuse.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { JwtError, verifyHs256 } from '../../src/auth/hs256.js';

const key = randomBytes(32);
const rules = { issuer: 'parley', audience: 'parley', required: ['sub', 'exp', 'jti', 'iat'], now: Date.now() };
const now = Math.floor(Date.now() / 1000);

function sign(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, secret: Uint8Array = key) {
  return new SignJWT({ scope: 'chat:read', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header } as { alg: string })
    .setSubject('ann')
    .setJti('j1')
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .setIssuer('parley')
    .setAudience('parley')
    .sign(secret);
}

const refused = (token: string, expired = false) =>
  assert.throws(
    () => verifyHs256(token, key, rules),
    (error: unknown) => error instanceof JwtError && error.expired === expired,
  );

test('a token jose signed is accepted with its claims; an audience list that names us is too', async () => {
  assert.equal(verifyHs256(await sign(), key, rules).sub, 'ann');
  const claims = { sub: 'ann', exp: now + 60, iat: now, jti: 'j', iss: 'parley', aud: ['other', 'parley'] };
  assert.equal(verifyHs256(handMade({ alg: 'HS256', typ: 'JWT' }, claims), key, rules).sub, 'ann');
});

test('forgeries and mismatches are refused', async () => {
  const good = await sign();
  const [h, p, s] = good.split('.') as [string, string, string];
  refused(`${h}.${p}.${s.slice(0, -2)}AA`); // tampered signature
  refused(`${h}.${Buffer.from(JSON.stringify({ sub: 'root' })).toString('base64url')}.${s}`); // tampered payload
  refused(await sign({}, {}, randomBytes(32))); // another key
  refused(new UnsecuredJWT({ sub: 'ann' }).encode()); // alg none
  refused(
    handMade({ alg: 'HS256', crit: ['x-ext'], 'x-ext': true }, { sub: 'ann', exp: now + 60, iat: now, jti: 'j', iss: 'parley', aud: 'parley' }),
  ); // an extension we do not understand
  const claims = { sub: 'ann', exp: now + 60, iat: now, jti: 'j', iss: 'parley', aud: 'parley' };
  refused(handMade({ alg: 'HS256' }, { ...claims, iss: 'someone-else' }));
  refused(handMade({ alg: 'HS256' }, { ...claims, aud: 'someone-else' }));
  refused(handMade({ alg: 'HS256' }, { ...claims, aud: ['a', 'b'] }));
  refused(handMade({ alg: 'HS256' }, { ...claims, nbf: now + 3600 }));
  refused(handMade({ alg: 'hs256' }, claims)); // the algorithm is pinned exactly
  refused(`${h}.${p}`);
  refused(`${h}.${p}.${s}.extra`);
  refused(`${h}.not base64!.${s}`);
  const hs512 = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).sign(randomBytes(64));
  refused(hs512);
});

test('an expired token is refused as expired; a missing required claim as invalid', async () => {
  const claims = { sub: 'ann', exp: now + 60, iat: now, jti: 'j', iss: 'parley', aud: 'parley' };
  assert.equal(verifyHs256(handMade({ alg: 'HS256' }, claims), key, rules).sub, 'ann', 'the hand-made token itself is good');
  refused(handMade({ alg: 'HS256' }, { ...claims, exp: now - 1 }), true);
  const { jti: _jti, ...withoutJti } = claims;
  refused(handMade({ alg: 'HS256' }, withoutJti));
  refused(handMade({ alg: 'HS256' }, { ...claims, exp: 'tomorrow' }));
});

/** A token signed with our key whatever its header says (jose would not sign some of these). */
function handMade(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}
