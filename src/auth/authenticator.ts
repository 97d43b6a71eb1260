// Turns a credential into a Principal: token signature and claims, then the user as stored now
// (a deleted or disabled user's unexpired token stops working at once).
import type { Store } from '../store/store.js';
import type { Credential } from './credentials.js';
import { type AuthFailure, AuthFailures, invalidToken } from './failures.js';
import type { Principal } from './principal.js';
import { InvalidTokenError, type TokenService } from './tokens.js';

export type AuthResult = { ok: true; principal: Principal } | { ok: false; failure: AuthFailure };

export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly store: Store,
  ) {}

  async authenticate(credential: Credential): Promise<AuthResult> {
    switch (credential.kind) {
      case 'none':
        return { ok: false, failure: AuthFailures.missing };
      case 'malformed':
        return { ok: false, failure: AuthFailures.malformed };
      case 'wrong-scheme':
        return { ok: false, failure: AuthFailures.wrongScheme };
      case 'token':
        return this.verify(credential.token);
    }
  }

  async verify(token: string): Promise<AuthResult> {
    let principal: Principal;
    try {
      principal = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) return { ok: false, failure: invalidToken(error.message) };
      throw error;
    }
    const user = await this.store.findUser(principal.username);
    if (!user || user.disabled) return { ok: false, failure: invalidToken('the account is disabled or gone') };
    return { ok: true, principal };
  }
}
