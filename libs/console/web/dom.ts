// Tiny DOM helpers. Every value goes through textContent / setAttribute, never HTML parsing:
// graph data is untrusted and must render as text.

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (/^on/i.test(name) || name === 'style') throw new Error(`attribute ${name} is not allowed`);
    el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** Only http(s) links are ever put into an href. */
export function safeHttpUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  return /^https?:\/\//i.test(url) ? url : null;
}

export function entityHref(key: string): string {
  return `#/entity/${encodeURIComponent(key)}`;
}

export function entityLink(key: string, text?: string): HTMLAnchorElement {
  return h('a', { href: entityHref(key), class: text === undefined ? 'key-link' : 'entity-link', 'data-key': key }, text ?? key);
}

export function externalLink(url: string, text: string): HTMLAnchorElement | null {
  const safe = safeHttpUrl(url);
  if (!safe) return null;
  return h('a', { href: safe, target: '_blank', rel: 'noopener noreferrer', class: 'external' }, text);
}

export function badge(text: string, kind: string, title?: string): HTMLSpanElement {
  return h('span', { class: `badge badge-${kind.toLowerCase().replace(/[^a-z0-9-]/g, '')}`, title }, text);
}

/** A table inside a horizontally scrolling wrapper. */
export function scrollTable(table: HTMLTableElement): HTMLDivElement {
  return h('div', { class: 'table-wrap' }, table);
}

export function table(headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLTableElement {
  return h(
    'table',
    attrs,
    h('thead', {}, h('tr', {}, headers.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
  );
}

export function emptyState(text: string): HTMLParagraphElement {
  return h('p', { class: 'empty' }, text);
}

export function loading(text = 'Loading…'): HTMLParagraphElement {
  return h('p', { class: 'loading', 'aria-busy': 'true' }, text);
}
