// Accounts: the one place users are created — by the registration page, the CLI, the demo seed, or an OpenID
// provider vouching for someone — and where passwords are checked. The first account a server gets (not a demo
// user) is its admin; every new account starts as a member of the default room.
import { DEFAULT_ROOM, Limits, ParleyError } from 'parley-chat-protocol';
import { type User, UsernameTakenError } from '../domain/accounts.js';
import { invalidToken } from './failures.js';
import { PasswordHasher } from './passwords.js';
import type { AccountStore } from './ports.js';
import { DEFAULT_SCOPES, type Scope } from './principal.js';

/** What the first account of a server gets besides what it asked for. */
const FIRST_USER_SCOPES: Scope[] = ['admin'];
/** Where a new account starts: the default room is in its list. */
const STARTING_ROOMS = [DEFAULT_ROOM];

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

function checkPasswordRule(password: string): void {
  if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) throw new ParleyError('invalid_request', PASSWORD_RULE);
}

export function normalizeUsername(input: string): string {
  return input.trim().toLowerCase();
}

export class AccountService {
  constructor(
    private readonly accounts: AccountStore,
    /** The server's bounded hasher; the CLI's default one hashes without a queue bound. */
    private readonly passwords = new PasswordHasher(),
  ) {}

  /** A local account: checks the rules, hashes the password (off the event loop), creates it. */
  async register(name: string, password: string, scopes: readonly string[] = DEFAULT_SCOPES): Promise<User> {
    const username = normalizeUsername(name);
    if (!USERNAME.test(username)) throw new ParleyError('invalid_request', USERNAME_RULE);
    checkPasswordRule(password);
    return this.create(username, password, scopes);
  }

  /**
   * A user changes their own password: the current one must match (wrong_password otherwise). Returns the cutoff
   * before which every token of the user is dead; the caller ends the other logins and renews its own.
   */
  async changePassword(username: string, current: string, password: string): Promise<number> {
    const user = await this.accounts.find(username);
    if (!user || user.disabled) throw invalidToken('the account is disabled or gone');
    if (user.passwordHash === undefined)
      throw new ParleyError('invalid_request', 'this account signs in through its identity provider and has no password here');
    if (current.length > MAX_PASSWORD || !(await this.passwords.verify(user.passwordHash, current))) {
      throw new ParleyError('wrong_password', 'the current password is not correct; the password was not changed');
    }
    return this.replacePassword(username, password, false);
  }

  /** An operator sets a password (`parley user passwd`): every login of the user ends, live sockets too. */
  async resetPassword(name: string, password: string): Promise<void> {
    const username = normalizeUsername(name);
    const user = await this.accounts.find(username);
    if (!user) throw new ParleyError('no_such_user', `there is no user named ${username}`);
    if (user.passwordHash === undefined)
      throw new ParleyError('invalid_request', `${username} signs in through an identity provider and has no password here`);
    await this.replacePassword(username, password, true);
  }

  private async replacePassword(username: string, password: string, dropSockets: boolean): Promise<number> {
    checkPasswordRule(password);
    const cutoff = await this.accounts.setPassword(username, await this.passwords.hash(password), dropSockets);
    if (cutoff === undefined) throw new ParleyError('no_such_user', `there is no user named ${username}`);
    return cutoff;
  }

  /** Whether anyone can log in yet (the login page says how to make the first account). */
  hasUsers(): Promise<boolean> {
    return this.accounts.any();
  }

  /** The user, or undefined for unknown user, wrong password and disabled account alike (no enumeration). */
  async checkPassword(name: string, password: string): Promise<User | undefined> {
    if (password.length > MAX_PASSWORD) return undefined;
    const user = await this.accounts.find(normalizeUsername(name));
    const matches = await this.passwords.verify(user?.passwordHash, password);
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
        const scopes = [...DEFAULT_SCOPES];
        user = await this.accounts.create({ username, issuer, scopes, joins: STARTING_ROOMS, firstUserScopes: FIRST_USER_SCOPES });
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
      await this.create(username, password, DEFAULT_SCOPES, true).catch((error: unknown) => {
        if ((error as ParleyError).code !== 'username_taken') throw error;
      });
    }
  }

  /** The user's record (for their display name), or undefined. */
  profile(username: string): Promise<User | undefined> {
    return this.accounts.find(username);
  }

  /** Sets the display name (trimmed; empty or null clears it); the user must exist. */
  async setDisplayName(username: string, displayName: string | null): Promise<User> {
    const name = displayName?.trim() || null;
    if (name !== null && name.length > Limits.displayNameLength) {
      throw new ParleyError('invalid_request', `a display name has at most ${Limits.displayNameLength} characters`);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
    if (name !== null && /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(name)) {
      throw new ParleyError('invalid_request', 'a display name cannot hold control or text-direction characters');
    }
    if (!(await this.accounts.setDisplayName(username, name))) throw new ParleyError('no_such_user', `no user named ${username}`);
    return (await this.accounts.find(username))!;
  }

  /** Every account, disabled ones included (for admins). */
  list(): Promise<User[]> {
    return this.accounts.list();
  }

  /** Blocks or unblocks a user; blocking revokes every login and socket of theirs (the revocation feed). */
  async setDisabled(username: string, disabled: boolean): Promise<User> {
    if (!(await this.accounts.setDisabled(username, disabled))) throw new ParleyError('no_such_user', `no user named ${username}`);
    return (await this.accounts.find(username))!;
  }

  private async create(username: string, password: string, scopes: readonly string[], demo = false): Promise<User> {
    try {
      return await this.accounts.create({
        username,
        passwordHash: await this.passwords.hash(password),
        scopes: [...scopes],
        joins: STARTING_ROOMS,
        ...(demo ? { demo } : { firstUserScopes: FIRST_USER_SCOPES }),
      });
    } catch (error) {
      if (error instanceof UsernameTakenError) throw new ParleyError('username_taken', `The username ${username} is taken.`);
      throw error;
    }
  }
}
