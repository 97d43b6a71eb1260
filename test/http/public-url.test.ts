// The public URL when none is configured: the port the server really got, and a reachable host for wildcards.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { PublicUrl } from '../../src/http/public-url.js';

const bound = (address: string, port: number) => () => ({ address, port, family: address.includes(':') ? 'IPv6' : 'IPv4' }) satisfies AddressInfo;

test('port 0 becomes the port the server listens on; a wildcard host becomes loopback', () => {
  assert.equal(new PublicUrl(undefined, { host: '127.0.0.1', port: 0 }, bound('127.0.0.1', 41234)).value, 'http://127.0.0.1:41234');
  assert.equal(new PublicUrl(undefined, { host: '0.0.0.0', port: 8000 }, bound('0.0.0.0', 8000)).value, 'http://127.0.0.1:8000');
  assert.equal(new PublicUrl(undefined, { host: '::', port: 0 }, bound('::', 41235)).value, 'http://[::1]:41235');
  assert.equal(new PublicUrl(undefined, { host: 'localhost', port: 8000 }, bound('127.0.0.1', 8000)).value, 'http://localhost:8000');
  assert.equal(new PublicUrl(undefined, { host: '::1', port: 80 }, bound('::1', 80)).value, 'http://[::1]', 'the default port is left out');
});

test('before the server listens the configured port stands in; PARLEY_PUBLIC_URL always wins', () => {
  assert.equal(new PublicUrl(undefined, { host: '127.0.0.1', port: 8000 }, () => null).value, 'http://127.0.0.1:8000');
  const configured = new PublicUrl('https://chat.example', { host: '0.0.0.0', port: 0 }, bound('0.0.0.0', 41236));
  assert.equal(configured.value, 'https://chat.example');
  assert.equal(configured.derived, false);
});
