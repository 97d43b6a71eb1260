// The page's side of the token's life. The socket is authenticated by the HttpOnly cookie; before the token
// expires the SDK asks getToken, which rotates the session through the refresh cookie (renewing both cookies)
// and hands back the new access token for the in-band refresh. Never more than one rotation per token: a token
// received less than half its life ago is handed out again, so nothing (a server that warns as early as the
// token's whole life, a flapping connection) can turn into a refresh storm.
import { AuthError } from 'parley-chat-client';

let last: { token: string; receivedAt: number; lifeMs: number } | undefined;

export function refreshSession(): Promise<string> {
  if (last && Date.now() - last.receivedAt < last.lifeMs / 2) return Promise.resolve(last.token);
  // Tabs share the cookie and are warned at the same moment: a Web Lock makes them take turns, so the second
  // tab presents the refresh cookie the first one just received instead of the one it just spent.
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? locks.request('parley-refresh', rotateSession) : rotateSession();
}

async function rotateSession(): Promise<string> {
  const response = await fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  if (response.status === 401) throw new AuthError('invalid_grant', 'the session ended');
  if (!response.ok) throw new Error(`refresh answered ${response.status}`);
  const grant = (await response.json()) as { access_token: string; expires_in: number };
  last = { token: grant.access_token, receivedAt: Date.now(), lifeMs: grant.expires_in * 1000 };
  return grant.access_token;
}
