// The HS256 signing key: PARLEY_JWT_SECRET, or 256 random bits generated once into the data dir (mode 0600).
// Anything wrong with the key file stops start-up with a sentence naming it — never a retry loop.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';

const KEY_FILE = 'jwt-signing.key';

export function loadSigningKey(dataDir: string, secret: string | undefined): Uint8Array {
  if (secret !== undefined) return new TextEncoder().encode(secret);
  const file = path.join(dataDir, KEY_FILE);
  const existing = readKey(file);
  if (existing) return existing;
  const key = randomBytes(32);
  try {
    // 'wx' fails if the name exists: another process won the race (its key is the one to use), or the name is
    // taken by something that is not a key file (a dangling symbolic link, say), which the second read names.
    fs.writeFileSync(file, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw keyError(file, error);
  }
  const winner = readKey(file);
  if (winner) return winner;
  throw keyError(file, Object.assign(new Error('it exists but cannot be read'), { code: 'ENOENT' }));
}

/** The key in `file`; undefined when there is none yet. */
function readKey(file: string): Uint8Array | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !isLink(file)) return undefined;
    throw keyError(file, error);
  }
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length < 32)
    throw new ConfigError(`the signing key ${file} holds fewer than 256 bits; delete it to generate a new key, or set PARLEY_JWT_SECRET`);
  return key;
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function keyError(file: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' && isLink(file)
      ? `it is a symbolic link to ${fs.readlinkSync(file)}, which does not exist`
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (error as Error).message;
  return new ConfigError(`cannot use the signing key ${file}: ${why}. Fix or remove it (a new key is generated), or set PARLEY_JWT_SECRET`);
}
