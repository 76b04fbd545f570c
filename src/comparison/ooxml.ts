// WordprocessingML knowledge shared by the diff: what is compared (canonical forms that ignore
// editing noise such as rsids and proofing marks), what text a reader sees, and how text is split
// into the words a redline marks.
import { relKey, type DocxPackage } from './docx-package.ts';
import { isEl, type XmlElement, type XmlNode } from './xml.ts';

/** Attributes that change on every save or are ids private to one file. */
function ignoredAttr(elName: string, attr: string): boolean {
  return (
    attr.startsWith('w:rsid') ||
    attr === 'w14:paraId' ||
    attr === 'w14:textId' ||
    (attr === 'id' && (elName === 'wp:docPr' || elName === 'pic:cNvPr')) ||
    (attr === 'w:id' && (elName === 'w:bookmarkStart' || elName === 'w:bookmarkEnd'))
  );
}

/** Elements that say nothing about content or look. */
const NOISE = new Set(['w:proofErr', 'w:lastRenderedPageBreak', 'w:lang', 'w:noProof', 'w:rsid', 'w:webHidden']);

/** A string equal for two nodes exactly when they mean the same (relationship ids compared by target). */
export function canonical(node: XmlNode | undefined, pkg: DocxPackage): string {
  if (node === undefined) return '';
  const out: string[] = [];
  const walk = (n: XmlNode) => {
    if (typeof n === 'string') {
      out.push(n);
      return;
    }
    if (NOISE.has(n.name)) return;
    out.push('<', n.name);
    for (const k in n.attrs) {
      if (ignoredAttr(n.name, k) || k.startsWith('xmlns')) continue;
      const v = n.attrs[k]!;
      out.push(' ', k, '=', k.startsWith('r:') ? relKey(pkg, v) : v);
    }
    out.push('>');
    for (const c of n.children) walk(c);
    out.push('/>');
  };
  walk(node);
  return out.join('');
}

/** What a reader sees of a node (a redline shows deleted text too): tabs and breaks as spaces, no field codes. */
export function visibleText(node: XmlNode): string {
  if (typeof node === 'string') return '';
  switch (node.name) {
    case 'w:t':
    case 'w:delText':
    case 'm:t':
      return node.children.map((c) => (typeof c === 'string' ? c : '')).join('');
    case 'w:tab':
    case 'w:ptab':
    case 'w:br':
    case 'w:cr':
      return ' ';
    case 'w:noBreakHyphen':
      return '-';
    case 'w:instrText':
    case 'w:delInstrText':
    case 'w:rPr':
    case 'w:pPr':
      return '';
    case 'w:p':
      return node.children.map(visibleText).join('') + '\n';
    default:
      return node.children.map(visibleText).join('');
  }
}

// Words, runs of white space, single punctuation marks; ideographs one by one (they have no spaces).
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{M}\p{N}_]+|\s+|[^\s\p{L}\p{M}\p{N}_]/gu;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export const isSpace = (s: string) => /^\s*$/.test(s);

export function firstChild(e: XmlElement, name: string): XmlElement | undefined {
  for (const c of e.children) if (isEl(c) && c.name === name) return c;
  return undefined;
}

export function blockChildren(e: XmlElement, skip: ReadonlySet<string>): XmlElement[] {
  return e.children.filter((c): c is XmlElement => isEl(c) && !skip.has(c.name));
}

/** Word counts for similarity: the Dice coefficient of two texts' word multisets. */
export function similarity(a: string, b: string): number {
  const wa = a.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const wb = b.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (wa.length === 0 && wb.length === 0) return a.trim() === b.trim() ? 1 : 0.5;
  if (wa.length === 0 || wb.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const w of wa) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of wb) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      common++;
      counts.set(w, c - 1);
    }
  }
  return (2 * common) / (wa.length + wb.length);
}
