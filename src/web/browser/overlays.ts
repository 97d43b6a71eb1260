// What opens over the chat: the room list and the people list as drawers on narrow screens, the confirmation
// dialog, and toasts with Undo. Each gives focus back to where it was when it closes, and Escape closes it.
import { $, button, el } from './dom.js';

interface Drawer {
  panel: HTMLElement;
  toggle: HTMLButtonElement;
  /** While this matches, the panel is a drawer (otherwise it is a column and always shown). */
  query: MediaQueryList;
}

export class Drawers {
  private readonly drawers = new Map<string, Drawer>();
  private open: string | undefined;
  private opener: HTMLElement | undefined;

  constructor(private readonly scrim: HTMLElement) {
    scrim.addEventListener('click', () => this.close());
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.open) this.close();
    });
  }

  add(name: string, panel: HTMLElement, toggle: HTMLButtonElement, query: string): void {
    const drawer = { panel, toggle, query: matchMedia(query) };
    this.drawers.set(name, drawer);
    toggle.addEventListener('click', () => (this.open === name ? this.close() : this.show(name)));
    drawer.query.addEventListener('change', () => {
      if (!drawer.query.matches && this.open === name) this.close(false);
    });
    for (const closer of panel.querySelectorAll<HTMLButtonElement>('[data-close-drawer]')) closer.addEventListener('click', () => this.close());
  }

  /** Whether `name` is a drawer right now (a narrow screen). */
  isDrawer(name: string): boolean {
    return this.drawers.get(name)?.query.matches ?? false;
  }

  show(name: string): void {
    const drawer = this.drawers.get(name);
    if (!drawer) return;
    if (this.open) this.close(false);
    this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : drawer.toggle;
    this.open = name;
    document.body.dataset.drawer = name;
    drawer.toggle.setAttribute('aria-expanded', 'true');
    this.scrim.hidden = false;
    drawer.panel.querySelector<HTMLElement>('button, [href], input, textarea, [tabindex="0"]')?.focus();
  }

  /** Closes the open drawer; focus goes back to what opened it unless the caller moves it elsewhere. */
  close(restoreFocus = true): void {
    const drawer = this.open ? this.drawers.get(this.open) : undefined;
    if (!drawer) return;
    this.open = undefined;
    delete document.body.dataset.drawer;
    drawer.toggle.setAttribute('aria-expanded', 'false');
    this.scrim.hidden = true;
    if (restoreFocus) (this.opener ?? drawer.toggle).focus();
    this.opener = undefined;
  }
}

/** Asks before something that cannot be taken back; resolves true when confirmed. Focus returns where it was. */
export function confirmDialog(o: { title: string; text: string; confirm: string }): Promise<boolean> {
  const dialog = $<HTMLDialogElement>('#confirm');
  const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  $('#confirm-title').textContent = o.title;
  $('#confirm-text').textContent = o.text;
  $('#confirm-ok').textContent = o.confirm;
  dialog.returnValue = '';
  dialog.showModal();
  $<HTMLButtonElement>('#confirm-cancel').focus(); // the safe choice is the default one
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        if (returnTo?.isConnected) returnTo.focus();
        resolve(dialog.returnValue === 'ok');
      },
      { once: true },
    );
  });
}

/**
 * A short message at the bottom of the screen (announced politely). With `undo`, it offers an Undo button and
 * resolves 'undone' if it is pressed before the toast goes away, 'kept' otherwise.
 */
export function toast(text: string, o: { undo?: boolean; ms?: number } = {}): Promise<'undone' | 'kept'> {
  const region = $('#toasts');
  const item = el('div', { className: 'toast' }, el('span', {}, text));
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: 'undone' | 'kept') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const hadFocus = item.contains(document.activeElement);
      item.remove();
      if (hadFocus) document.querySelector<HTMLElement>('#body')?.focus();
      resolve(outcome);
    };
    if (o.undo) item.append(button('Undo', 'toast-undo', () => finish('undone')));
    item.append(button('×', 'toast-close', () => finish('kept'), { 'aria-label': 'Dismiss' }));
    region.append(item);
    const timer = setTimeout(() => finish('kept'), o.ms ?? 5000);
  });
}

/**
 * Opens one of the page's panels (a modal <dialog>: browse, new message, search, room details, profile). Its ×
 * button and Escape close it, and focus goes back to what opened it.
 */
export function openPanel(dialog: HTMLDialogElement, focus?: HTMLElement): void {
  const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  if (!dialog.dataset.wired) {
    dialog.dataset.wired = 'yes';
    for (const close of dialog.querySelectorAll<HTMLButtonElement>('[data-close-dialog]')) close.addEventListener('click', () => dialog.close());
    // A click on the backdrop (outside the box) closes it too.
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) {
        const box = dialog.getBoundingClientRect();
        const inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
        if (!inside) dialog.close();
      }
    });
  }
  dialog.addEventListener('close', () => (returnTo?.isConnected ? returnTo.focus() : undefined), { once: true });
  if (!dialog.open) dialog.showModal();
  const first = [...dialog.querySelectorAll<HTMLElement>('input, textarea, button:not([data-close-dialog]), a[href]')].find((e) =>
    e.checkVisibility(),
  );
  (focus ?? first ?? dialog.querySelector<HTMLElement>('[data-close-dialog]'))?.focus();
}
