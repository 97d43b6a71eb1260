// The login page's silent refresh: when the access cookie has expired but the refresh cookie (HttpOnly,
// sent only to /auth/refresh) is still good, trade it for fresh cookies and go on without the form.
const form = document.querySelector<HTMLFormElement>('form[action="/login"]');
const next = form?.querySelector<HTMLInputElement>('input[name="next"]')?.value ?? '/';

if (form && !document.querySelector('.error')) {
  const response = await fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  if (response.ok) location.replace(next);
}

export {};
