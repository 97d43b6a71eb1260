// The login page's silent refresh: when the access cookie has expired but the refresh cookie (HttpOnly,
// sent only to /auth) is still good, trade it for fresh cookies and go on without the form. Where to go is only
// ever what the server rendered into the form, and it is checked again here after the URL parser has resolved
// it: a target that is not on this origin, or that resolves to `//host`, becomes `/`.
const form = document.querySelector<HTMLFormElement>('form[action="/login"]');
const rendered = form?.querySelector<HTMLInputElement>('input[name="next"]')?.value ?? '/';

function sameOrigin(next: string): string {
  if (!next.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  try {
    const url = new URL(next, location.origin);
    const path = url.pathname + url.search + url.hash;
    return url.origin === location.origin && !path.startsWith('//') ? url.href : '/';
  } catch {
    return '/';
  }
}

if (form && !document.querySelector('.error')) {
  const response = await fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  if (response.ok) location.replace(sameOrigin(rendered));
}

export {};
