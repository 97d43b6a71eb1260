// Local accounts: the rules for names and passwords, shared by the registration page and the CLI.
import type { Store, User } from '../store/store.js';
import { hashPassword } from './passwords.js';

/** Local usernames are lowercase, so "JohnDoe" cannot pose as "johndoe". */
export const USERNAME = /^[a-z0-9_.-]{3,32}$/;
export const USERNAME_RULE = 'usernames are 3 to 32 letters, digits, dots, dashes or underscores';
export const MIN_PASSWORD = 8;
/** argon2 hashes any length, but nobody needs a megabyte password. */
export const MAX_PASSWORD = 1024;

export function normalizeUsername(input: string): string {
  return input.trim().toLowerCase();
}

export type AccountProblem = { ok: false; problem: 'username' | 'password' };

/** Checks the rules and creates the user; throws UsernameTakenError when the name is in use. */
export async function createAccount(store: Store, username: string, password: string, scopes: string[]): Promise<{ ok: true; user: User } | AccountProblem> {
  if (!USERNAME.test(username)) return { ok: false, problem: 'username' };
  if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) return { ok: false, problem: 'password' };
  return { ok: true, user: await store.createUser({ username, passwordHash: await hashPassword(password), scopes }) };
}
