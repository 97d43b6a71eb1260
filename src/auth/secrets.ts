// Opaque secrets (refresh tokens, socket tickets): 256 random bits for the client, only a hash for the store.
import { createHash, randomBytes } from 'node:crypto';

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A fast hash is right here: the secret has 256 bits of entropy, nothing to brute-force. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
