// Server-rendered pages: tiny templates with every interpolation escaped. The look is dist/assets/parley.css
// (src/web/browser/parley.css); the behaviour, the bundled scripts. No inline script or style anywhere: the
// Content-Security-Policy forbids both.
import { Limits, ROOM_NAME_PATTERN, ROOM_NAME_RULE } from 'parley-chat-protocol/catalogue';
import { PASSWORD_RULE, USERNAME_RULE } from '../auth/accounts.js';
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function layout(title: string, body: string, o: { script?: string; bodyClass?: string } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, interactive-widget=resizes-content">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} · Parley</title>
<link rel="stylesheet" href="/assets/parley.css">
${o.script ? `<script type="module" src="${o.script}"></script>` : ''}
</head>
<body${o.bodyClass ? ` class="${o.bodyClass}"` : ''}>
${body}
</body>
</html>`;
}

export interface FormPageOptions {
  next: string;
  error?: string;
  username?: string;
  registrationOpen: boolean;
  /** No account exists yet: say how to make the first one. */
  firstRun?: boolean;
}

const brand = '<p class="brand-mark"><span class="logo" aria-hidden="true"></span>Parley</p>';

function firstRunHint(o: FormPageOptions): string {
  if (!o.firstRun) return '';
  const register = o.registrationOpen ? `<a href="/register?next=${encodeURIComponent(o.next)}">create the first account here</a>, or ` : '';
  return `<div class="first-run" role="note"><h2>Welcome to a new Parley</h2>
<p>No one has an account yet. To begin, ${register}run <code>npx parley user add NAME --admin</code> on the server.</p></div>`;
}

export function loginPage(o: FormPageOptions): string {
  return layout(
    'Log in',
    `<main class="card">
${brand}
${firstRunHint(o)}
<h1>Log in</h1>
${o.error ? `<p class="error" role="alert">${escapeHtml(o.error)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="next" value="${escapeHtml(o.next)}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(o.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="primary">Log in</button>
</form>
${o.registrationOpen ? `<p class="alt">New here? <a id="register-link" href="/register?next=${encodeURIComponent(o.next)}">Create an account</a></p>` : ''}
</main>`,
    { script: '/assets/login.js', bodyClass: 'form-page' },
  );
}

export function registerPage(o: FormPageOptions): string {
  return layout(
    'Create an account',
    `<main class="card">
${brand}
<h1>Create an account</h1>
${o.error ? `<p class="error" role="alert">${escapeHtml(o.error)}</p>` : ''}
<form method="post" action="/register">
<input type="hidden" name="next" value="${escapeHtml(o.next)}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required minlength="3" maxlength="32"
 pattern="[A-Za-z0-9_.\\-]{3,32}" aria-describedby="username-rule" value="${escapeHtml(o.username ?? '')}">
<p class="hint" id="username-rule">${escapeHtml(USERNAME_RULE)}</p>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-rule">
<p class="hint" id="password-rule">${escapeHtml(PASSWORD_RULE)}</p>
<button type="submit" class="primary">Create account</button>
</form>
<p class="alt">Have an account? <a href="/login?next=${encodeURIComponent(o.next)}">Log in</a></p>
</main>`,
    { script: '/assets/login.js', bodyClass: 'form-page' },
  );
}

/** An error a browser navigated into (404, 429 …): a page with a sentence and a way back, not a JSON body. */
export function errorPage(o: { title: string; text: string }): string {
  return layout(
    o.title,
    `<main class="card">
${brand}
<h1>${escapeHtml(o.title)}</h1>
<p>${escapeHtml(o.text)}</p>
<p class="alt"><a href="/">Back to the chat</a></p>
</main>`,
    { bodyClass: 'form-page' },
  );
}

export function chatPage(username: string): string {
  const me = escapeHtml(username);
  return layout(
    'Chat',
    `<div class="app">
<nav id="sidebar" class="sidebar" aria-label="Rooms">
<div class="sidebar-top">
<p class="brand-mark"><span class="logo" aria-hidden="true"></span>Parley</p>
<button type="button" class="icon-button close-drawer" data-close-drawer aria-label="Close the room list"><span class="icon icon-close" aria-hidden="true"></span></button>
</div>
<div id="rooms" class="room-lists">
<h2 class="section-title" id="rooms-heading">Rooms</h2>
<ul id="room-list" aria-labelledby="rooms-heading"></ul>
<h2 class="section-title" id="dms-heading">Direct messages</h2>
<ul id="dm-list" aria-labelledby="dms-heading"></ul>
</div>
<details class="sidebar-forms" open>
<summary>New room or message</summary>
<form id="new-room" autocomplete="off" class="stack">
<label for="new-room-name">New room</label>
<div class="row">
<input id="new-room-name" name="name" placeholder="room-name" required pattern="${ROOM_NAME_PATTERN.slice(1, -1)}" title="${escapeHtml(ROOM_NAME_RULE)}" autocapitalize="none" spellcheck="false">
<button type="submit" class="secondary">Create</button>
</div>
<label class="check"><input type="checkbox" name="private"> Private: members only</label>
</form>
<form id="new-dm" autocomplete="off" class="stack">
<label for="new-dm-user">Message someone</label>
<div class="row">
<input id="new-dm-user" name="user" placeholder="username" required autocapitalize="none" spellcheck="false">
<button type="submit" class="secondary">Message</button>
</div>
</form>
</details>
<div class="me">
<span class="who">Signed in as <strong id="me">${me}</strong></span>
<div class="prefs">
<button type="button" id="notify-toggle" class="toggle" aria-pressed="false">Notifications</button>
<button type="button" id="sound-toggle" class="toggle" aria-pressed="false">Sound</button>
<form method="post" action="/auth/logout"><button type="submit" class="secondary">Log out</button></form>
</div>
</div>
</nav>
<main class="chat" id="chat">
<header class="room-header">
<button type="button" id="open-rooms" class="icon-button drawer-toggle" aria-controls="sidebar" aria-expanded="false" aria-label="Rooms"><span class="icon icon-menu" aria-hidden="true"></span></button>
<h1 id="room-title" class="room-title" data-room="">Parley</h1>
<span id="room-kind" class="kind-badge" hidden></span>
<button type="button" id="open-people" class="icon-button drawer-toggle" aria-controls="people" aria-expanded="false" aria-label="People in this room"><span class="icon icon-people" aria-hidden="true"></span></button>
</header>
<div id="banner" class="banner" role="status" hidden></div>
<p id="notice" class="notice" role="alert"></p>
<ol id="messages" class="messages" tabindex="0" aria-label="Messages"></ol>
<p id="typing" class="typing"></p>
<form id="composer" class="composer" autocomplete="off">
<label for="body" class="sr-only" id="body-label">Message</label>
<textarea id="body" name="body" rows="1" maxlength="${Limits.bodyLength}" placeholder="Message" enterkeyhint="send" aria-describedby="composer-hint"></textarea>
<button type="submit" class="primary send">Send</button>
<p id="composer-hint" class="composer-hint">Enter to send, Shift+Enter for a new line, Up to edit your last message.</p>
</form>
</main>
<aside id="people" class="people" aria-label="People">
<div class="sidebar-top">
<h2 class="section-title">Online</h2>
<button type="button" class="icon-button close-drawer" data-close-drawer aria-label="Close the people list"><span class="icon icon-close" aria-hidden="true"></span></button>
</div>
<ul id="online"></ul>
<section id="membership" hidden aria-labelledby="members-heading">
<h2 class="section-title" id="members-heading">Members</h2>
<ul id="members"></ul>
<form id="invite" autocomplete="off" class="stack">
<label for="invite-user">Invite someone</label>
<div class="row">
<input id="invite-user" name="user" placeholder="username" required autocapitalize="none" spellcheck="false">
<button type="submit" class="secondary">Invite</button>
</div>
</form>
</section>
</aside>
<div id="scrim" class="scrim" hidden></div>
</div>
<div id="toasts" class="toasts" role="status"></div>
<div id="announce" class="sr-only" aria-live="polite" aria-atomic="true"></div>
<dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
<form method="dialog">
<h2 id="confirm-title"></h2>
<p id="confirm-text"></p>
<div class="dialog-buttons">
<button value="cancel" id="confirm-cancel" class="secondary">Cancel</button>
<button value="ok" id="confirm-ok" class="danger">OK</button>
</div>
</form>
</dialog>`,
    { script: '/assets/chat.js', bodyClass: 'chat-page' },
  );
}
