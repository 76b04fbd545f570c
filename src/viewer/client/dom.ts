// DOM helpers. Everything from the server goes in through textContent, never as markup, and no
// style attribute is written (the page's CSP allows no inline styles; CSSOM properties are fine).
type AttrValue = string | number | boolean | undefined | null;
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, AttrValue> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A 24×24 line icon, hidden from assistive technology (its button carries the label). */
export function icon(d: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'qv-icon');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}

export const ICONS = {
  sidebar: 'M4 5h16v14H4zM9 5v14',
  prev: 'M15 6l-6 6 6 6',
  next: 'M9 6l6 6-6 6',
  up: 'M6 15l6-6 6 6',
  down: 'M6 9l6 6 6-6',
  minus: 'M5 12h14',
  plus: 'M5 12h14M12 5v14',
  fitWidth: 'M3 12h18M7 8l-4 4 4 4M17 8l4 4-4 4',
  fitPage: 'M6 3h12v18H6zM9 8h6M9 12h6M9 16h4',
  print: 'M7 9V3h10v6M7 17H4v-7h16v7h-3M7 14h10v7H7z',
  download: 'M12 3v12M7 10l5 5 5-5M4 20h16',
  changes: 'M4 6h10M4 12h16M4 18h12M18 4v6M15 7h6',
  search: 'M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM16 16l5 5',
};

export interface ButtonOptions {
  label: string;
  icon?: string;
  text?: string;
  shortcut?: string;
  cls?: string;
}

export function button(o: ButtonOptions): HTMLButtonElement {
  const b = el('button', { type: 'button', class: `qv-btn ${o.cls ?? ''}`.trim(), 'aria-label': o.label, title: o.shortcut ? `${o.label} (${o.shortcut})` : o.label, 'aria-keyshortcuts': o.shortcut });
  if (o.icon) b.append(icon(o.icon));
  if (o.text) b.append(el('span', { class: 'qv-btn-text', text: o.text }));
  return b;
}

/** Sets absolute position and size in pixels through CSSOM. */
export function place(e: HTMLElement, x: number, y: number, w: number, h: number): void {
  e.style.left = `${x}px`;
  e.style.top = `${y}px`;
  e.style.width = `${w}px`;
  e.style.height = `${h}px`;
}
