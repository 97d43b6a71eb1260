// The HS256 signing key: PARLEY_JWT_SECRET, or 256 random bits generated once into the data dir (mode 0600).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const KEY_FILE = 'jwt-signing.key';

export function loadSigningKey(dataDir: string, secret: string | undefined): Uint8Array {
  if (secret !== undefined) return new TextEncoder().encode(secret);
  const file = path.join(dataDir, KEY_FILE);
  try {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
    if (key.length < 32) throw new Error(`${file} holds fewer than 256 bits; delete it to generate a new key`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  // 'wx' fails if another process won the race; then its key is the one to use.
  try {
    fs.writeFileSync(file, key.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadSigningKey(dataDir, secret);
    throw error;
  }
  return key;
}
