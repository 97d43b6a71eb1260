// The login and register pages' script. Two jobs:
// 1. Keep a deep link through the login. A browser sends no fragment to the server, so `/#random/42` reaches
//    this page as `/login?next=/` with the fragment still in the address bar; it is added to `next` here (and
//    kept in sessionStorage for the form re-rendered after a wrong password, whose address has lost it).
// 2. The silent refresh: when the access cookie has expired but the refresh cookie (HttpOnly, sent only to
//    /auth/refresh) is still good, trade it for fresh cookies and go on without the form.
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
const next = nextField?.value ?? '/';

if (form?.getAttribute('action') === '/login' && !document.querySelector('.error')) {
  const response = await fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  if (response.ok) location.replace(next);
}

export {};
