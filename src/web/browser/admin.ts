// The admin page (/admin, for logins that hold the `admin` scope): every account with its state, disabling and
// enabling one (disabling ends its logins and sockets at once; Enable is the undo), and whether registration is
// open. It calls the admin API with the page's cookie; everything shown is text.
import { type AdminUser, ParleyApi } from 'parley-chat-client';
import { $, button, el } from './dom.js';
import { avatar } from './format.js';
import { sentence } from './sentences.js';

const api = new ParleyApi();
const me = $('#me').textContent!;
const rows = $<HTMLTableSectionElement>('#users tbody');
const notice = $('#admin-notice');
const registration = $<HTMLButtonElement>('#registration-toggle');

function say(error: unknown): void {
  notice.textContent = error === undefined ? '' : sentence(error, { action: 'admin' });
}

function row(user: AdminUser): HTMLTableRowElement {
  const admin = user.scopes.includes('admin');
  const toggle =
    user.username === me
      ? el('span', { className: 'hint' }, 'you')
      : button(
          user.disabled ? 'Enable' : 'Disable',
          user.disabled ? 'secondary small' : 'danger small',
          () => void setDisabled(user, !user.disabled),
          {
            'aria-label': `${user.disabled ? 'Enable' : 'Disable'} ${user.username}`,
          },
        );
  return el(
    'tr',
    { 'data-user': user.username, className: user.disabled ? 'disabled' : '' },
    el(
      'td',
      {},
      el('span', { className: 'person' }, avatar(user.username, 'small'), el('span', { className: 'name' }, user.display_name ?? user.username)),
      user.display_name && el('span', { className: 'handle' }, ` @${user.username}`),
    ),
    el('td', {}, admin ? 'Admin' : 'Member', user.external ? ' (single sign-on)' : ''),
    el('td', { className: 'user-state' }, user.disabled ? 'Disabled' : 'Active'),
    el('td', {}, new Date(user.created_at).toLocaleDateString(undefined, { dateStyle: 'medium' })),
    el('td', {}, toggle),
  );
}

async function load(): Promise<void> {
  try {
    const users = await api.admin.users();
    rows.replaceChildren(...users.sort((a, b) => a.username.localeCompare(b.username)).map(row));
  } catch (error) {
    say(error);
  }
}

async function setDisabled(user: AdminUser, disabled: boolean): Promise<void> {
  try {
    const changed = await api.admin.setDisabled(user.username, disabled);
    rows.querySelector(`tr[data-user="${CSS.escape(user.username)}"]`)?.replaceWith(row(changed));
    say(undefined);
    $('#admin-status').textContent = disabled
      ? `${user.username} is disabled: their logins and open pages ended. Enable brings the account back.`
      : `${user.username} can log in again.`;
  } catch (error) {
    say(error);
  }
}

function showRegistration(open: boolean): void {
  registration.disabled = false;
  registration.dataset.open = String(open);
  registration.textContent = open ? 'Close registration' : 'Open registration';
  $('#registration-state').textContent = open ? 'Anyone can create an account at /register.' : 'Registration is closed: only admins add accounts.';
}

registration.addEventListener('click', async () => {
  const open = registration.dataset.open !== 'true';
  try {
    showRegistration((await api.admin.setRegistration(open ? 'open' : 'closed')).registration === 'open');
  } catch (error) {
    say(error);
  }
});

void api.admin.settings().then((settings) => showRegistration(settings.registration === 'open'), say);
void load();
