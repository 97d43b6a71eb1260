// Server-rendered pages: tiny templates with every interpolation escaped.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function layout(title: string, body: string, script?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Parley</title>
<link rel="stylesheet" href="/assets/parley.css">
${script ? `<script type="module" src="${script}"></script>` : ''}
</head>
<body>
${body}
</body>
</html>`;
}

export interface FormPageOptions {
  next: string;
  error?: string;
  username?: string;
  registrationOpen: boolean;
}

export function loginPage(o: FormPageOptions): string {
  return layout(
    'Log in',
    `<main class="card">
<h1>Parley</h1>
<h2>Log in</h2>
${o.error ? `<p class="error" role="alert">${escapeHtml(o.error)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="next" value="${escapeHtml(o.next)}">
<label>Username <input name="username" autocomplete="username" required value="${escapeHtml(o.username ?? '')}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button>
</form>
${o.registrationOpen ? `<p>New here? <a href="/register?next=${encodeURIComponent(o.next)}">Create an account</a></p>` : ''}
</main>`,
    '/assets/login.js',
  );
}

export function registerPage(o: FormPageOptions): string {
  return layout(
    'Create an account',
    `<main class="card">
<h1>Parley</h1>
<h2>Create an account</h2>
${o.error ? `<p class="error" role="alert">${escapeHtml(o.error)}</p>` : ''}
<form method="post" action="/register">
<input type="hidden" name="next" value="${escapeHtml(o.next)}">
<label>Username <input name="username" autocomplete="username" required pattern="[A-Za-z0-9_.\\-]{3,32}" value="${escapeHtml(o.username ?? '')}"></label>
<label>Password <input name="password" type="password" autocomplete="new-password" required minlength="8"></label>
<button type="submit">Create account</button>
</form>
<p>Have an account? <a href="/login?next=${encodeURIComponent(o.next)}">Log in</a></p>
</main>`,
  );
}

export function chatPage(username: string): string {
  return layout(
    'Chat',
    `<header>
<h1>Parley</h1>
<span class="who">Signed in as <strong id="me">${escapeHtml(username)}</strong></span>
<form method="post" action="/logout"><button type="submit">Log out</button></form>
</header>
<main class="chat" data-room="general">
<h2># general <span id="status" class="status">connecting…</span></h2>
<ol id="messages" aria-live="polite"></ol>
<form id="composer" autocomplete="off">
<input id="body" name="body" maxlength="4000" placeholder="Message #general" aria-label="Message" required>
<button type="submit">Send</button>
</form>
</main>`,
    '/assets/chat.js',
  );
}

export const STYLESHEET = `
:root { font-family: system-ui, sans-serif; color-scheme: light dark; }
body { margin: 0; }
.card { max-width: 22rem; margin: 4rem auto; padding: 1.5rem; border: 1px solid #8884; border-radius: .5rem; }
.card form, .card label { display: grid; gap: .5rem; }
.card form { gap: 1rem; }
.error { color: #c0392b; }
header { display: flex; align-items: center; gap: 1rem; padding: .5rem 1rem; border-bottom: 1px solid #8884; }
header h1 { font-size: 1.2rem; margin: 0; }
header .who { margin-left: auto; }
.chat { display: grid; grid-template-rows: auto 1fr auto; height: calc(100vh - 3.5rem); max-width: 50rem; margin: 0 auto; }
.chat h2 { font-size: 1rem; }
.status { font-weight: normal; color: #888; font-size: .8rem; }
#messages { list-style: none; margin: 0; padding: 0 1rem; overflow-y: auto; }
#messages li { padding: .2rem 0; }
#messages .user { font-weight: bold; margin-right: .5rem; }
#messages time { color: #888; font-size: .75rem; margin-left: .5rem; }
#composer { display: flex; gap: .5rem; padding: 1rem; }
#composer input { flex: 1; }
`;
