// argon2id through @node-rs/argon2: the hashing runs on libuv's thread pool, never on the event loop.
import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline (19 MiB, t=2, p=1).
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** A real hash of a password nobody has, verified when the user is unknown so both paths cost the same. */
let decoy: Promise<string> | undefined;

/** Verifies `password` against `passwordHash`, or burns the same time against a decoy when there is no user. */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash === undefined) {
    decoy ??= hashPassword(`decoy-${Math.random()}`);
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
