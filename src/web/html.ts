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
  /** Arrived from the page's Log out: say so (a fixed sentence; nothing from the address is shown). */
  signedOut?: boolean;
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
${o.signedOut ? '<p id="signed-out" class="signed-out" role="status">You are signed out.</p>' : ''}
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

/** A modal dialog with a heading and a close button; its body is filled by the page script. */
function dialog(id: string, title: string, body: string): string {
  return `<dialog id="${id}" class="panel" aria-labelledby="${id}-title">
<div class="panel-head"><h2 id="${id}-title">${title}</h2>
<button type="button" class="icon-button" data-close-dialog aria-label="Close">
<span class="icon icon-close" aria-hidden="true"></span></button></div>
${body}
</dialog>`;
}

export function chatPage(username: string, admin = false): string {
  const me = escapeHtml(username);
  return layout(
    'Chat',
    `<div class="app">
<nav id="sidebar" class="sidebar" aria-label="Rooms">
<div class="sidebar-top">
<p class="brand-mark"><span class="logo" aria-hidden="true"></span>Parley</p>
<button type="button" class="icon-button close-drawer" data-close-drawer aria-label="Close the room list"><span class="icon icon-close" aria-hidden="true"></span></button>
</div>
<form id="search" class="search" role="search" autocomplete="off">
<label for="search-q" class="sr-only">Search messages</label>
<input id="search-q" name="q" type="search" placeholder="Search messages" maxlength="${Limits.searchQueryLength}" required>
</form>
<div id="rooms" class="room-lists">
<div class="section-head"><h2 class="section-title" id="rooms-heading">Rooms</h2>
<button type="button" id="browse-rooms" class="section-action">Browse</button></div>
<ul id="room-list" aria-labelledby="rooms-heading"></ul>
<div class="section-head"><h2 class="section-title" id="dms-heading">Direct messages</h2>
<button type="button" id="new-dm-button" class="section-action">New</button></div>
<ul id="dm-list" aria-labelledby="dms-heading"></ul>
</div>
<details class="sidebar-forms" open>
<summary>Create a room</summary>
<form id="new-room" autocomplete="off" class="stack">
<label for="new-room-name">Room name</label>
<div class="row">
<input id="new-room-name" name="name" placeholder="room-name" required pattern="${ROOM_NAME_PATTERN.slice(1, -1)}" title="${escapeHtml(ROOM_NAME_RULE)}" autocapitalize="none" spellcheck="false">
<button type="submit" class="secondary">Create</button>
</div>
<label class="check"><input type="checkbox" name="private"> Private: members only</label>
</form>
</details>
<div class="me">
<p id="my-name" class="my-name" hidden></p>
<span class="who">Signed in as <strong id="me">${me}</strong></span>
<div class="prefs">
<button type="button" id="profile-button" class="toggle plain">Profile</button>
<button type="button" id="notify-toggle" class="toggle" aria-pressed="false">Notifications</button>
<button type="button" id="sound-toggle" class="toggle" aria-pressed="false">Sound</button>
${admin ? '<a id="admin-link" class="toggle plain" href="/admin">Admin</a>' : ''}
<form method="post" action="/auth/logout"><button type="submit" class="secondary">Log out</button></form>
</div>
</div>
</nav>
<main class="chat" id="chat">
<header class="room-header">
<button type="button" id="open-rooms" class="icon-button drawer-toggle" aria-controls="sidebar" aria-expanded="false" aria-label="Rooms">
<span class="icon icon-menu" aria-hidden="true"></span><span id="menu-unread" class="dot" hidden></span></button>
<div class="room-heading">
<h1 id="room-title" class="room-title" data-room="">Parley</h1>
<p id="room-topic" class="room-topic" hidden></p>
</div>
<span id="room-kind" class="kind-badge" hidden></span>
<div class="room-actions">
<button type="button" id="join-room" class="primary small" hidden>Join</button>
<button type="button" id="mute-toggle" class="icon-button" aria-pressed="false" hidden>
<span class="icon icon-bell" aria-hidden="true"></span><span class="sr-only" id="mute-label">Mute</span></button>
<button type="button" id="room-settings" class="icon-button" aria-label="Room details" hidden>
<span class="icon icon-more" aria-hidden="true"></span></button>
<button type="button" id="open-people" class="icon-button drawer-toggle" aria-controls="people" aria-expanded="false" aria-label="People in this room"><span class="icon icon-people" aria-hidden="true"></span></button>
</div>
</header>
<div id="banner" class="banner" role="status" hidden></div>
<p id="notice" class="notice" role="alert"></p>
<div class="messages-wrap">
<ol id="messages" class="messages" tabindex="0" aria-label="Messages"></ol>
<div id="room-empty" class="room-empty" hidden><p class="empty-title"></p><p class="empty-topic"></p></div>
<button type="button" id="jump-latest" class="jump" hidden>Jump to latest</button>
</div>
<p id="typing" class="typing"></p>
<form id="composer" class="composer" autocomplete="off">
<label for="body" class="sr-only" id="body-label">Message</label>
<ul id="mention-list" class="suggestions" role="listbox" aria-label="People to mention" hidden></ul>
<textarea id="body" name="body" rows="1" placeholder="Message" enterkeyhint="send" aria-describedby="body-count composer-hint"
 aria-autocomplete="list" aria-controls="mention-list"></textarea>
<button type="submit" class="primary send">Send</button>
<p id="body-count" class="body-count" hidden></p>
<p id="composer-hint" class="composer-hint">Enter to send, Shift+Enter for a new line, @ to mention someone, Up to edit your last message.</p>
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
${dialog(
  'browse-dialog',
  'Browse rooms',
  '<p class="panel-hint">Public rooms on this server. Join one to keep it in your list.</p><ul id="browse-list" class="panel-list"></ul>',
)}
${dialog(
  'dm-dialog',
  'New message',
  `<form id="dm-form" autocomplete="off">
<p class="panel-hint" id="dm-hint">One person for a direct message, or up to ${Limits.dmMembersMax - 1} for a group.</p>
<ul id="dm-chosen" class="chips" aria-label="Chosen people"></ul>
<label for="dm-q">Find people</label>
<input id="dm-q" type="search" autocapitalize="none" spellcheck="false" aria-describedby="dm-hint" aria-controls="dm-results">
<ul id="dm-results" class="panel-list" aria-label="People found"></ul>
<div class="dialog-buttons"><button type="submit" id="dm-start" class="primary" disabled>Start</button></div>
</form>`,
)}
${dialog(
  'search-dialog',
  'Search results',
  '<p id="search-summary" class="panel-hint" role="status"></p><ul id="search-results" class="panel-list"></ul>',
)}
${dialog(
  'room-dialog',
  'Room details',
  `<form id="room-form" autocomplete="off" class="stack">
<label for="room-title-field">Title</label>
<input id="room-title-field" name="title" maxlength="${Limits.titleLength}">
<label for="room-topic-field">Topic</label>
<textarea id="room-topic-field" name="topic" rows="2" maxlength="${Limits.topicLength}"></textarea>
<div class="dialog-buttons"><button type="submit" class="primary">Save</button></div>
</form>
<p id="room-facts" class="panel-hint"></p>
<div class="dialog-buttons spread"><button type="button" id="leave-room" class="secondary">Leave room</button>
<button type="button" id="archive-room" class="danger">Archive room</button></div>`,
)}
${dialog(
  'profile-dialog',
  'Your profile',
  `<form id="profile-form" autocomplete="off" class="stack">
<label for="display-name">Display name</label>
<input id="display-name" name="display_name" maxlength="${Limits.displayNameLength}" aria-describedby="display-name-hint">
<p class="panel-hint" id="display-name-hint">How others see you. Your username, @${me}, stays the same.
Leave it empty to be shown by your username.</p>
<div class="dialog-buttons"><button type="submit" class="primary">Save</button></div>
</form>`,
)}
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

/** The admin page: accounts (disable, enable) and registration, drawn by admin.js from the admin API. */
export function adminPage(username: string): string {
  return layout(
    'Admin',
    `<main class="admin">
<header class="admin-head">
${brand}
<p><a href="/">Back to the chat</a> · signed in as <strong id="me">${escapeHtml(username)}</strong></p>
</header>
<h1>Administration</h1>
<p id="admin-notice" class="error" role="alert"></p>
<p id="admin-status" class="status" role="status"></p>
<section aria-labelledby="registration-heading">
<h2 id="registration-heading">Registration</h2>
<p id="registration-state">…</p>
<button type="button" id="registration-toggle" class="secondary" disabled>Registration</button>
</section>
<section aria-labelledby="users-heading">
<h2 id="users-heading">People</h2>
<div class="table-wrap"><table id="users">
<thead><tr><th scope="col">Person</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Joined</th>
<th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody></tbody>
</table></div>
</section>
</main>`,
    { script: '/assets/admin.js', bodyClass: 'admin-page' },
  );
}
