// Accounts: the one place users are created — by the registration page, the CLI, the demo seed, or an OpenID
// provider vouching for someone — and where passwords are checked.
import { ParleyError } from 'parley-chat-protocol';
import { type User, UsernameTakenError } from '../domain/accounts.js';
import { invalidToken } from './failures.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { AccountStore } from './ports.js';
import { DEFAULT_SCOPES } from './principal.js';

/** Local usernames are lowercase, so "JohnDoe" cannot pose as "johndoe". */
export const USERNAME = /^[a-z0-9_.-]{3,32}$/;
export const USERNAME_RULE = 'Usernames are 3 to 32 letters, digits, dots, dashes or underscores.';
export const MIN_PASSWORD = 8;
/** argon2 hashes any length, but nobody needs a megabyte password. */
export const MAX_PASSWORD = 1024;
export const PASSWORD_RULE = `Passwords need ${MIN_PASSWORD} to ${MAX_PASSWORD} characters.`;

/** The recipe's users and passwords, seeded by --demo. */
export const DEMO_USERS: readonly { username: string; password: string }[] = [
  { username: 'johndoe', password: 'secret' },
  { username: 'janedoe', password: 'secret2' },
];

export function normalizeUsername(input: string): string {
  return input.trim().toLowerCase();
}

export class AccountService {
  constructor(private readonly accounts: AccountStore) {}

  /** A local account: checks the rules, hashes the password (off the event loop), creates it. */
  async register(name: string, password: string, scopes: readonly string[] = DEFAULT_SCOPES): Promise<User> {
    const username = normalizeUsername(name);
    if (!USERNAME.test(username)) throw new ParleyError('invalid_request', USERNAME_RULE);
    if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) throw new ParleyError('invalid_request', PASSWORD_RULE);
    return this.create(username, password, scopes);
  }

  /** Whether anyone can log in yet (the login page says how to make the first account). */
  hasUsers(): Promise<boolean> {
    return this.accounts.any();
  }

  /** The user, or undefined for unknown user, wrong password and disabled account alike (no enumeration). */
  async checkPassword(name: string, password: string): Promise<User | undefined> {
    if (password.length > MAX_PASSWORD) return undefined;
    const user = await this.accounts.find(normalizeUsername(name));
    const matches = await verifyPassword(user?.passwordHash, password);
    return matches && user && !user.disabled ? user : undefined;
  }

  /**
   * The local user behind an external identity, created on first use. An external identity never takes over a
   * local account (one with a password) of the same name.
   */
  async external(username: string, issuer: string): Promise<User> {
    let user = await this.accounts.find(username);
    if (!user) {
      try {
        user = await this.accounts.create({ username, issuer, scopes: [...DEFAULT_SCOPES] });
      } catch (error) {
        if (!(error instanceof UsernameTakenError)) throw error;
        user = await this.accounts.find(username); // another node created it first
      }
    }
    if (!user || user.issuer === undefined) throw invalidToken('that username belongs to a local account');
    return user;
  }

  /** Creates the demo users that are missing (several nodes may race to do it). */
  async seedDemo(): Promise<void> {
    for (const { username, password } of DEMO_USERS) {
      if (await this.accounts.find(username)) continue;
      // The recipe's passwords are shorter than the rules allow: the demo is exempt, and says so loudly.
      await this.create(username, password, DEFAULT_SCOPES).catch((error: unknown) => {
        if ((error as ParleyError).code !== 'username_taken') throw error;
      });
    }
  }

  private async create(username: string, password: string, scopes: readonly string[]): Promise<User> {
    try {
      return await this.accounts.create({ username, passwordHash: await hashPassword(password), scopes: [...scopes] });
    } catch (error) {
      if (error instanceof UsernameTakenError) throw new ParleyError('username_taken', `The username ${username} is taken.`);
      throw error;
    }
  }
}
