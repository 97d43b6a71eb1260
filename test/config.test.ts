import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, parseDuration } from '../src/config.js';

test('defaults run on one machine', () => {
  const config = loadConfig({});
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8000);
  assert.equal(config.dataDir, path.resolve('data'));
  assert.equal(config.accessTokenTtlSeconds, 900);
  assert.equal(config.refreshTokenTtlSeconds, 30 * 86400);
  assert.equal(config.registration, 'open');
  assert.equal(config.demo, false);
});

test('flags win over the environment', () => {
  const config = loadConfig({ PARLEY_PORT: '9000', PARLEY_DATA_DIR: '/tmp/env' }, { port: '8123', demo: true });
  assert.equal(config.port, 8123);
  assert.equal(config.dataDir, '/tmp/env');
  assert.equal(config.demo, true);
});

test('PARLEY_DEMO takes the usual spellings of a switch and refuses anything else', () => {
  for (const on of ['1', 'true', 'TRUE', 'yes', 'on']) assert.equal(loadConfig({ PARLEY_DEMO: on }).demo, true, on);
  for (const off of ['', '0', 'false', 'no', 'Off']) assert.equal(loadConfig({ PARLEY_DEMO: off }).demo, false, off);
  assert.throws(
    () => loadConfig({ PARLEY_DEMO: 'maybe' }),
    /^ConfigError: PARLEY_DEMO \(--demo\) must be 1, true, yes or on \(or 0, false, no, off\), got "maybe"$/,
  );
});

test('durations read as seconds, minutes, hours, days', () => {
  assert.deepEqual(
    ['900', '90s', '15m', '12h', '30d'].map((d) => parseDuration(d, 'X')),
    [900, 90, 900, 43200, 2592000],
  );
});

test('a bad setting fails fast naming the variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PARLEY_PORT: 'abc' }, /PARLEY_PORT \(--port\)/],
    [{ PARLEY_ACCESS_TOKEN_TTL: '15 minutes' }, /PARLEY_ACCESS_TOKEN_TTL/],
    [{ PARLEY_REGISTRATION: 'maybe' }, /PARLEY_REGISTRATION/],
    [{ PARLEY_ALLOWED_ORIGINS: 'not a url' }, /PARLEY_ALLOWED_ORIGINS/],
    [{ PARLEY_JWT_SECRET: 'short' }, /PARLEY_JWT_SECRET.*256 bits/],
    [{ PARLEY_DATABASE_URL: 'mysql://x' }, /PARLEY_DATABASE_URL/],
    [{ PARLEY_PUBLIC_URL: 'https://chat.example/parley' }, /PARLEY_PUBLIC_URL.*without a path/],
    [{ PARLEY_PUBLIC_URL: 'ftp://chat.example' }, /PARLEY_PUBLIC_URL/],
    [{ PARLEY_PUBLIC_URL: 'chat.example' }, /PARLEY_PUBLIC_URL/],
  ];
  for (const [env, message] of cases)
    assert.throws(
      () => loadConfig(env),
      (e: Error) => e instanceof ConfigError && message.test(e.message),
    );
});

test('allowed origins are normalised to origins', () => {
  assert.deepEqual(loadConfig({ PARLEY_ALLOWED_ORIGINS: 'https://a.example/, http://b.example:8080' }).allowedOrigins, [
    'https://a.example',
    'http://b.example:8080',
  ]);
});

test('the public URL is normalised to an origin; unset, issuer and public URL come from the listen address', () => {
  assert.equal(loadConfig({ PARLEY_PUBLIC_URL: 'HTTPS://Chat.Example:443/' }).publicUrl, 'https://chat.example');
  const config = loadConfig({});
  assert.equal(config.publicUrl, undefined);
  assert.equal(config.issuer, undefined);
});
