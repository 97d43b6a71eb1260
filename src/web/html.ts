// Server-rendered pages: tiny templates with every interpolation escaped.
import { Limits, ROOM_NAME_PATTERN } from 'parley-chat-protocol/catalogue';
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
<form method="post" action="/auth/logout"><button type="submit">Log out</button></form>
</header>
<div id="banner" class="banner" role="status" hidden></div>
<div class="layout">
<nav aria-label="Rooms">
<h2>Rooms</h2>
<ul id="rooms"></ul>
<form id="new-room" autocomplete="off">
<input name="name" placeholder="new-room" aria-label="New room name" required pattern="${ROOM_NAME_PATTERN.slice(1, -1)}">
<label><input type="checkbox" name="private"> private</label>
<button type="submit">Create</button>
</form>
<form id="new-dm" autocomplete="off">
<input name="user" placeholder="username" aria-label="Message a user" required>
<button type="submit">Message</button>
</form>
</nav>
<main class="chat">
<h2 id="room-title"># general</h2>
<p id="notice" class="notice" role="alert"></p>
<ol id="messages" aria-live="polite"></ol>
<p id="typing" class="typing"></p>
<form id="composer" autocomplete="off">
<input id="body" name="body" maxlength="${Limits.bodyLength}" placeholder="Message" aria-label="Message" required>
<button type="submit">Send</button>
</form>
</main>
<aside aria-label="Online">
<h2>Online</h2>
<ul id="online"></ul>
<section id="membership" hidden>
<h2>Members</h2>
<ul id="members"></ul>
<form id="invite" autocomplete="off">
<input name="user" placeholder="username" aria-label="Invite a user" required>
<button type="submit">Invite</button>
</form>
</section>
</aside>
</div>`,
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
.banner { background: #f39c12; color: #000; padding: .3rem 1rem; }
.layout { display: grid; grid-template-columns: 14rem 1fr 12rem; height: calc(100vh - 3.5rem); }
nav, aside { padding: 0 1rem; overflow-y: auto; border-right: 1px solid #8884; }
aside { border-right: 0; border-left: 1px solid #8884; }
nav h2, aside h2 { font-size: .9rem; text-transform: uppercase; color: #888; }
nav ul, aside ul { list-style: none; margin: 0 0 1rem; padding: 0; }
nav li, #members li { display: flex; align-items: center; gap: .3rem; }
.room { flex: 1; text-align: left; background: none; border: 0; padding: .2rem; cursor: pointer; color: inherit; font: inherit; }
.room.current { font-weight: bold; }
.unread { background: #2980b9; color: #fff; border-radius: 1rem; padding: 0 .45rem; font-size: .75rem; }
nav form { display: grid; gap: .3rem; margin-bottom: 1rem; }
.chat { display: grid; grid-template-rows: auto auto 1fr auto auto; min-height: 0; }
.chat h2 { font-size: 1rem; padding: 0 1rem; }
.notice { color: #c0392b; padding: 0 1rem; margin: 0; }
.typing { color: #888; font-size: .8rem; padding: 0 1rem; margin: 0; min-height: 1em; }
#messages { list-style: none; margin: 0; padding: 0 1rem; overflow-y: auto; }
#messages li { padding: .2rem 0; }
#messages .user { font-weight: bold; margin-right: .5rem; }
#messages .deleted, #messages .edited { color: #888; font-style: italic; }
#messages time { color: #888; font-size: .75rem; margin-left: .5rem; }
.action { font-size: .7rem; margin-left: .4rem; background: none; border: 0; color: #2980b9; cursor: pointer; }
#composer { display: flex; gap: .5rem; padding: 1rem; }
#composer input { flex: 1; }
`;
