// A small XML tree for WordprocessingML parts: parse, walk, serialize. OOXML parts are plain XML
// (no DTDs, no external entities), so a hand-written parser is enough and is several times faster
// than a general DOM; a DOCTYPE is refused, which also shuts out entity expansion attacks.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
/** A string child is character data (already decoded). */
export type XmlNode = XmlElement | string;

export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
}

export interface XmlDocument {
  /** Everything before the root element (the declaration), kept verbatim. */
  prolog: string;
  root: XmlElement;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    const v = ENTITIES[e];
    if (v === undefined) throw new XmlSyntaxError(`unknown entity &${e};`);
    return v;
  });
}

const ATTR = /([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

export function parseXml(text: string): XmlDocument {
  let i = 0;
  const n = text.length;
  let prolog = '';
  let root: XmlElement | undefined;
  const stack: XmlElement[] = [];
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const chunk = text.slice(i, end);
      const top = stack[stack.length - 1];
      if (top) top.children.push(decode(chunk));
      else if (chunk.trim() !== '') throw new XmlSyntaxError('text outside the root element');
    }
    if (lt < 0) break;
    const next = text[lt + 1];
    if (next === '?') {
      const close = text.indexOf('?>', lt);
      if (close < 0) throw new XmlSyntaxError('unterminated processing instruction');
      if (!root) prolog += text.slice(lt, close + 2);
      i = close + 2;
    } else if (next === '!') {
      if (text.startsWith('<!--', lt)) {
        const close = text.indexOf('-->', lt + 4);
        if (close < 0) throw new XmlSyntaxError('unterminated comment');
        i = close + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        const close = text.indexOf(']]>', lt);
        if (close < 0) throw new XmlSyntaxError('unterminated CDATA');
        stack[stack.length - 1]?.children.push(text.slice(lt + 9, close));
        i = close + 3;
      } else {
        throw new XmlSyntaxError('DOCTYPE and other declarations are not accepted');
      }
    } else if (next === '/') {
      const close = text.indexOf('>', lt);
      if (close < 0) throw new XmlSyntaxError('unterminated end tag');
      const name = text.slice(lt + 2, close).trim();
      const top = stack.pop();
      if (!top || top.name !== name) throw new XmlSyntaxError(`mismatched end tag </${name}>`);
      i = close + 1;
    } else {
      const close = findTagEnd(text, lt);
      let body = text.slice(lt + 1, close);
      const selfClosing = body.endsWith('/');
      if (selfClosing) body = body.slice(0, -1);
      const sp = body.search(/\s/);
      const name = sp < 0 ? body : body.slice(0, sp);
      if (name === '') throw new XmlSyntaxError('empty tag name');
      const attrs: Record<string, string> = {};
      if (sp >= 0) {
        ATTR.lastIndex = 0;
        for (let m = ATTR.exec(body); m; m = ATTR.exec(body)) attrs[m[1]!] = decode(m[3] ?? m[4] ?? '');
      }
      const el: XmlElement = { name, attrs, children: [] };
      const top = stack[stack.length - 1];
      if (top) top.children.push(el);
      else if (root) throw new XmlSyntaxError('more than one root element');
      else root = el;
      if (!selfClosing) stack.push(el);
      i = close + 1;
    }
  }
  if (!root) throw new XmlSyntaxError('no root element');
  if (stack.length > 0) throw new XmlSyntaxError(`unclosed <${stack[stack.length - 1]!.name}>`);
  return { prolog, root };
}

/** The '>' that ends the tag opened at `lt`, skipping quoted attribute values. */
function findTagEnd(text: string, lt: number): number {
  let quote = '';
  for (let j = lt + 1; j < text.length; j++) {
    const c = text[j]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return j;
  }
  throw new XmlSyntaxError('unterminated tag');
}

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) => escText(s).replace(/"/g, '&quot;');

export function serialize(node: XmlNode, out: string[] = []): string[] {
  if (typeof node === 'string') {
    out.push(escText(node));
    return out;
  }
  let open = '<' + node.name;
  for (const k in node.attrs) open += ` ${k}="${escAttr(node.attrs[k]!)}"`;
  if (node.children.length === 0) {
    out.push(open + '/>');
    return out;
  }
  out.push(open + '>');
  for (const c of node.children) serialize(c, out);
  out.push(`</${node.name}>`);
  return out;
}

export const serializeDocument = (doc: XmlDocument): string =>
  (doc.prolog || '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>') + '\n' + serialize(doc.root).join('');

// ---- helpers for walking WordprocessingML ----

export const el = (name: string, attrs: Record<string, string> = {}, children: XmlNode[] = []): XmlElement => ({ name, attrs, children });

export const isEl = (n: XmlNode | undefined): n is XmlElement => typeof n === 'object' && n !== null;

export function elements(e: XmlElement): XmlElement[] {
  return e.children.filter(isEl);
}

export function child(e: XmlElement, name: string): XmlElement | undefined {
  for (const c of e.children) if (typeof c !== 'string' && c.name === name) return c;
  return undefined;
}

export function clone<T extends XmlNode>(n: T): T {
  if (typeof n === 'string') return n;
  return { name: n.name, attrs: { ...n.attrs }, children: n.children.map(clone) } as T;
}

/** The concatenated character data below `e` (all of it, whitespace included). */
export function textContent(e: XmlNode): string {
  if (typeof e === 'string') return e;
  let s = '';
  for (const c of e.children) s += textContent(c);
  return s;
}
