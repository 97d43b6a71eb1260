// The page builds its DOM with these, never with HTML strings (the one exception is markdown.ts, whose output is
// escaped by markdown-it and then checked against an allow-list).
type Child = Node | string | false | null | undefined;

/** An element with a class, attributes and children; text children become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name === 'className' ? 'class' : name, value === true ? '' : value);
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

/** The one element the page's markup guarantees. */
export function $<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`the page has no ${selector}`);
  return found;
}

/** A button that runs `run` on click (and so on Enter and Space). */
export function button(
  text: string,
  className: string,
  run: (event: MouseEvent) => void,
  attributes: Record<string, string> = {},
): HTMLButtonElement {
  const b = el('button', { type: 'button', className, ...attributes }, text);
  b.addEventListener('click', run);
  return b;
}

/** Text a screen reader says but the eye does not see. */
export function srOnly(text: string): HTMLSpanElement {
  return el('span', { className: 'sr-only' }, text);
}
