// The OAuth2 token endpoint from a client: the password grant to log in, the refresh_token grant to rotate.
// Plain fetch, so it runs in browsers and Node alike.
import { AuthError } from './errors.js';

/** What `POST /token` answers (RFC 6749 §5.1). */
export interface TokenGrant {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/**
 * Asks `POST {url}/token` for a grant. An OAuth2 refusal (`400 {error}`: wrong password, spent or revoked refresh
 * token) throws AuthError; anything else that goes wrong (network, 429, 5xx) throws a plain Error.
 */
export async function requestToken(url: string, fields: Record<string, string>): Promise<TokenGrant> {
  const response = await fetch(new URL('/token', url), { method: 'POST', body: new URLSearchParams(fields) });
  const body = (await response.json().catch(() => undefined)) as Partial<TokenGrant> & { error?: string; error_description?: string };
  if (response.status === 400 && typeof body?.error === 'string') {
    throw new AuthError(body.error, body.error_description ?? body.error);
  }
  if (!response.ok || typeof body?.access_token !== 'string') {
    throw new Error(`POST /token answered ${response.status}`);
  }
  return body as TokenGrant;
}

/**
 * One login: the current grant, and `getToken`, which rotates it with the refresh_token grant. Rotations never
 * overlap — presenting a refresh token twice counts as theft and revokes the whole login.
 */
export class TokenSession {
  private rotation: Promise<string> | undefined;

  constructor(
    private readonly url: string,
    private grant: TokenGrant,
  ) {}

  get accessToken(): string {
    return this.grant.access_token;
  }

  /** A fresh access token; pass it to `connect` as `getToken`. */
  readonly getToken = (): Promise<string> => {
    this.rotation ??= requestToken(this.url, { grant_type: 'refresh_token', refresh_token: this.grant.refresh_token })
      .then((grant) => {
        this.grant = grant;
        return grant.access_token;
      })
      .finally(() => (this.rotation = undefined));
    return this.rotation;
  };

  /** Ends the login on the server (RFC 7009): its refresh token and every rotation of it. */
  async revoke(): Promise<void> {
    await fetch(new URL('/token/revoke', this.url), { method: 'POST', body: new URLSearchParams({ token: this.grant.refresh_token }) });
  }
}

/** The password grant: logs in and returns the session that keeps the tokens fresh. */
export async function login(url: string, username: string, password: string, scope?: string): Promise<TokenSession> {
  const grant = await requestToken(url, { grant_type: 'password', username, password, ...(scope ? { scope } : {}) });
  return new TokenSession(url, grant);
}
