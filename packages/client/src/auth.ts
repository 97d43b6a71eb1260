// The OAuth2 token endpoint from a client: the password grant to log in, the refresh_token grant to rotate.
// Plain fetch, so it runs in browsers and Node alike.

import type { TokenResponse } from 'parley-chat-protocol';
import { AuthError } from './errors.js';

/** What `POST /token` answers (RFC 6749 §5.1). */
export type TokenGrant = TokenResponse;

/** One server, or the servers of one cluster (tried in turn). */
export type Servers = string | readonly string[];

const list = (servers: Servers): readonly string[] => (typeof servers === 'string' ? [servers] : servers);

/**
 * Asks `POST {server}/token` for a grant, trying the servers in turn while one cannot answer (the network, a 5xx:
 * a node down or draining). An OAuth2 refusal (`400 {error}`: wrong password, spent or revoked refresh token)
 * throws AuthError at once; anything else (every server unreachable, 429) throws a plain Error, whose `cause` is
 * fetch's error when the last server could not be reached at all.
 */
export async function requestToken(servers: Servers, fields: Record<string, string>): Promise<TokenGrant> {
  let failure: Error = new Error('no server to ask');
  for (const url of list(servers)) {
    let response: Response;
    try {
      response = await fetch(new URL('/token', url), { method: 'POST', body: new URLSearchParams(fields) });
    } catch (error) {
      // fetch says only "fetch failed": the cause keeps why (ECONNREFUSED, ENOTFOUND, …) for whoever reports it.
      failure = new Error(`POST ${url}/token failed: ${(error as Error).message}`, { cause: error });
      continue;
    }
    const body = (await response.json().catch(() => undefined)) as Partial<TokenGrant> & { error?: string; error_description?: string };
    if (response.status === 400 && typeof body?.error === 'string') throw new AuthError(body.error, body.error_description ?? body.error);
    if (response.ok && typeof body?.access_token === 'string') return body as TokenGrant;
    failure = new Error(`POST ${url}/token answered ${response.status}`);
    // A 5xx is this server's trouble: another may answer. Anything else would be answered the same elsewhere.
    if (response.status < 500) break;
  }
  throw failure;
}

/**
 * One login: the current grant, and `getToken`, which rotates it with the refresh_token grant. Rotations never
 * overlap — presenting a refresh token twice counts as theft and revokes the whole login.
 */
export class TokenSession {
  private rotation: Promise<string> | undefined;

  constructor(
    private readonly servers: Servers,
    private grant: TokenGrant,
  ) {}

  get accessToken(): string {
    return this.grant.access_token;
  }

  /** A fresh access token; pass it to `connect` as `getToken`. */
  readonly getToken = (): Promise<string> => {
    this.rotation ??= requestToken(this.servers, { grant_type: 'refresh_token', refresh_token: this.grant.refresh_token })
      .then((grant) => {
        this.grant = grant;
        return grant.access_token;
      })
      .finally(() => (this.rotation = undefined));
    return this.rotation;
  };

  /** Ends the login on the server (RFC 7009): its refresh token and every rotation of it. */
  async revoke(): Promise<void> {
    for (const url of list(this.servers)) {
      const body = new URLSearchParams({ token: this.grant.refresh_token });
      const answered = await fetch(new URL('/token/revoke', url), { method: 'POST', body }).then(
        (r) => r.ok,
        () => false,
      );
      if (answered) return;
    }
  }
}

/** The password grant: logs in and returns the session that keeps the tokens fresh. */
export async function login(servers: Servers, username: string, password: string, scope?: string): Promise<TokenSession> {
  const grant = await requestToken(servers, { grant_type: 'password', username, password, ...(scope ? { scope } : {}) });
  return new TokenSession(servers, grant);
}
