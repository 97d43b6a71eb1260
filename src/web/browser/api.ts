// The room API from the page: JSON over fetch, authenticated by the same HttpOnly cookie as the socket (the
// server checks the Origin). A refusal throws with the catalogue's code, for sentences.ts to put into words.

export class HttpError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = answer as { error?: string; error_description?: string } | undefined;
    throw new HttpError(error?.error ?? 'unknown', error?.error_description ?? `HTTP ${response.status}`);
  }
  return answer as T;
}
