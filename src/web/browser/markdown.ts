// Message bodies as a safe subset of markdown: emphasis, code, code blocks, quotes, lists and links found in the
// text. markdown-it parses with raw HTML off (any `<tag>` typed is escaped, so it shows as text), headings, tables,
// images and [text](url) links are not recognised, and a link only ever points at http(s) or mailto. Its output is
// then parsed inert (a <template>) and checked against an allow-list of elements and attributes before it reaches
// the page: anything else found there becomes its text.
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
md.disable(['heading', 'lheading', 'table', 'image', 'link', 'reference', 'hr']);
md.validateLink = (url) => /^(https?:|mailto:)/i.test(url.trim());

// Every link opens in a new tab, and the page it opens can neither reach back (opener) nor learn where it came from.
md.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  const token = tokens[index]!;
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return self.renderToken(tokens, index, options);
};

const ALLOWED: Record<string, readonly string[]> = {
  P: [],
  BR: [],
  EM: [],
  STRONG: [],
  S: [],
  CODE: [],
  PRE: [],
  BLOCKQUOTE: [],
  UL: [],
  OL: ['start'],
  LI: [],
  A: ['href', 'target', 'rel'],
};

/**
 * The body rendered, ready to append (a fragment of allowed elements and text). `mentions`: the usernames the
 * server recognised in it, marked where they are written (`me` marked more strongly).
 */
export function renderMarkdown(body: string, mentions?: { names: readonly string[]; me: string }): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = md.render(body);
  const fragment = template.content;
  clean(fragment);
  if (mentions?.names.length) markMentions(fragment, new Set(mentions.names.map((n) => n.toLowerCase())), mentions.me.toLowerCase());
  return fragment;
}

/** `@name` in text (not in code or links) becomes a span around that text: built as nodes, never as HTML. */
function markMentions(parent: ParentNode, names: ReadonlySet<string>, me: string): void {
  for (const node of [...parent.childNodes]) {
    if (node instanceof Element) {
      if (!['CODE', 'PRE', 'A'].includes(node.tagName)) markMentions(node, names, me);
      continue;
    }
    const text = node.textContent ?? '';
    if (node.nodeType !== Node.TEXT_NODE || !text.includes('@')) continue;
    const parts: Node[] = [];
    let last = 0;
    for (const match of text.matchAll(/@([A-Za-z0-9_.-]+)/g)) {
      let name = match[1]!.toLowerCase();
      while (!names.has(name) && /[.-]$/.test(name)) name = name.slice(0, -1);
      if (!names.has(name)) continue;
      const start = match.index;
      const end = start + 1 + name.length;
      parts.push(document.createTextNode(text.slice(last, start)));
      const span = document.createElement('span');
      span.className = name === me ? 'mention is-me' : 'mention';
      span.textContent = text.slice(start, end);
      parts.push(span);
      last = end;
    }
    if (parts.length === 0) continue;
    parts.push(document.createTextNode(text.slice(last)));
    node.replaceWith(...parts);
  }
}

function clean(parent: ParentNode): void {
  for (const node of [...parent.childNodes]) {
    if (node.nodeType === Node.TEXT_NODE) {
      // Between blocks markdown-it writes newlines: layout, not text (a line break inside a paragraph is a <br>).
      if (!/\S/.test(node.textContent ?? '') && node.textContent?.includes('\n') && !(parent instanceof HTMLPreElement)) node.remove();
      continue;
    }
    if (!(node instanceof Element) || !(node.tagName in ALLOWED)) {
      node.replaceWith(document.createTextNode(node.textContent ?? ''));
      continue;
    }
    const allowed = ALLOWED[node.tagName]!;
    for (const attribute of [...node.attributes]) if (!allowed.includes(attribute.name)) node.removeAttribute(attribute.name);
    if (node.tagName === 'A' && !/^(https?:|mailto:)/i.test(node.getAttribute('href') ?? '')) {
      node.replaceWith(document.createTextNode(node.textContent ?? ''));
      continue;
    }
    clean(node);
  }
}

/** The body as one line of plain text (announcements, notifications). */
export function plainText(body: string): string {
  return body.replace(/\s+/g, ' ').trim();
}
