// The login and register pages' script. Two jobs:
// 1. Keep a deep link through the login. A browser sends no fragment to the server, so `/#random/42` reaches
//    this page as `/login?next=/` with the fragment still in the address bar; it is added to `next` here (and
//    kept in sessionStorage for the form re-rendered after a wrong password, whose address has lost it).
// 2. The silent refresh: when the access cookie has expired but the refresh cookie (HttpOnly, sent only to
//    /auth) is still good, trade it for fresh cookies and go on without the form. Where to go is only ever what
//    the server rendered into the form (plus the fragment), checked again here after the URL parser has resolved
//    it: a target that is not on this origin, or that resolves to `//host`, becomes `/`.
const HASH_KEY = 'parley:next-hash';

const form = document.querySelector<HTMLFormElement>('form[action="/login"], form[action="/register"]');
const nextField = form?.querySelector<HTMLInputElement>('input[name="next"]');

if (location.hash.length > 1) sessionStorage.setItem(HASH_KEY, location.hash);
const hash = location.hash.length > 1 ? location.hash : (sessionStorage.getItem(HASH_KEY) ?? '');
if (nextField && hash && !nextField.value.includes('#')) {
  nextField.value += hash;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[href^="/register?next="], a[href^="/login?next="]')) {
    const url = new URL(link.href);
    url.searchParams.set('next', nextField.value);
    link.href = url.pathname + url.search;
  }
}

function sameOrigin(next: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  if (!next.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  try {
    const url = new URL(next, location.origin);
    const path = url.pathname + url.search + url.hash;
    return url.origin === location.origin && !path.startsWith('//') ? url.href : '/';
  } catch {
    return '/';
  }
}

if (form?.getAttribute('action') === '/login' && !document.querySelector('.error')) {
  const response = await fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  if (response.ok) location.replace(sameOrigin(nextField?.value ?? '/'));
}

export {};
