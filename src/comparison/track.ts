// Marking whole content as inserted, deleted or moved: paragraphs (their runs and their paragraph
// mark), tables (every row), and whatever holds them. Content taken from the original (deleted,
// moved away) is cleaned of what only made sense in the original: its section breaks, bookmarks,
// comment anchors and note references, and its relationship ids are carried over.
import type { Mark, RedlineContext } from './redline-context.ts';
import { visibleText } from './ooxml.ts';
import { clone, el, isEl, type XmlElement, type XmlNode } from './xml.ts';

const FROM_ORIGINAL: ReadonlySet<Mark> = new Set(['del', 'moveFrom']);
/** Paragraph-level containers whose children are again paragraph content. */
const INLINE_CONTAINERS = new Set(['w:hyperlink', 'w:smartTag', 'w:customXml', 'w:fldSimple', 'w:dir', 'w:bdo']);
/** Range markers; from the original they would duplicate or dangle. */
export const MARKERS = new Set(['w:bookmarkStart', 'w:bookmarkEnd', 'w:commentRangeStart', 'w:commentRangeEnd', 'w:permStart', 'w:permEnd']);
/** References into parts of the original that the redline does not have. */
const FOREIGN_REFS = new Set(['w:commentReference', 'w:footnoteReference', 'w:endnoteReference']);

/** Marks a block (w:p, w:tbl, w:sdt, …) and appends its text to the display text. */
export function markBlock(block: XmlElement, mark: Mark, ctx: RedlineContext): XmlElement {
  const fromOriginal = FROM_ORIGINAL.has(mark);
  const b = clone(block);
  if (fromOriginal) ctx.importRels(b);
  markBlockInPlace(b, mark, ctx);
  return b;
}

function markBlockInPlace(b: XmlElement, mark: Mark, ctx: RedlineContext): void {
  if (b.name === 'w:p') {
    markParagraph(b, mark, ctx);
  } else if (b.name === 'w:tbl') {
    for (const tr of b.children) {
      if (!isEl(tr) || tr.name !== 'w:tr') continue;
      markRow(tr, mark, ctx);
    }
  } else {
    // sdt, customXml and the like: mark what they hold.
    b.children = b.children.filter((c) => !(isEl(c) && FROM_ORIGINAL.has(mark) && MARKERS.has(c.name)));
    for (const c of b.children) {
      if (!isEl(c)) continue;
      if (c.name === 'w:sdtContent' || c.name === 'w:customXml') markBlockInPlace(c, mark, ctx);
      else if (c.name === 'w:p' || c.name === 'w:tbl' || c.name === 'w:sdt') markBlockInPlace(c, mark, ctx);
    }
  }
}

export function markRow(tr: XmlElement, mark: Mark, ctx: RedlineContext): void {
  let trPr = tr.children.find((c): c is XmlElement => isEl(c) && c.name === 'w:trPr');
  if (!trPr) {
    trPr = el('w:trPr');
    const exAt = tr.children.findIndex((c) => isEl(c) && c.name === 'w:tblPrEx');
    tr.children.splice(exAt + 1, 0, trPr);
  }
  trPr.children.push(ctx.mark(FROM_ORIGINAL.has(mark) ? 'del' : 'ins'));
  for (const tc of tr.children) {
    if (!isEl(tc) || tc.name !== 'w:tc') continue;
    for (const c of tc.children) if (isEl(c) && c.name !== 'w:tcPr') markBlockInPlace(c, mark, ctx);
  }
}

/** Puts a paragraph-mark revision (w:pPr/w:rPr/w:ins|del) on a paragraph. */
export function markParagraphMark(p: XmlElement, mark: Mark, ctx: RedlineContext): void {
  const pPr = ensurePPr(p);
  let rPr = pPr.children.find((c): c is XmlElement => isEl(c) && c.name === 'w:rPr');
  if (!rPr) {
    rPr = el('w:rPr');
    // rPr comes before sectPr and pPrChange in a paragraph's properties.
    const at = pPr.children.findIndex((c) => isEl(c) && (c.name === 'w:sectPr' || c.name === 'w:pPrChange'));
    pPr.children.splice(at < 0 ? pPr.children.length : at, 0, rPr);
  }
  rPr.children.unshift(ctx.mark(FROM_ORIGINAL.has(mark) ? 'del' : 'ins'));
}

export function ensurePPr(p: XmlElement): XmlElement {
  const first = p.children.find(isEl);
  if (first?.name === 'w:pPr') return first;
  const pPr = el('w:pPr');
  p.children.unshift(pPr);
  return pPr;
}

function markParagraph(p: XmlElement, mark: Mark, ctx: RedlineContext): void {
  const fromOriginal = FROM_ORIGINAL.has(mark);
  if (fromOriginal) {
    const pPr = p.children.find((c): c is XmlElement => isEl(c) && c.name === 'w:pPr');
    // The original's section breaks would split the redline's sections (and point at its headers).
    if (pPr) pPr.children = pPr.children.filter((c) => !(isEl(c) && c.name === 'w:sectPr'));
  }
  const moveName = mark === 'moveFrom' || mark === 'moveTo' ? ctx.moveName() : undefined;
  p.children = markInline(p.children, mark, ctx);
  if (moveName) {
    const at = p.children.findIndex((c) => isEl(c) && c.name !== 'w:pPr');
    const start = ctx.mark(`${mark}RangeStart`);
    start.attrs['w:name'] = moveName;
    p.children.splice(at < 0 ? p.children.length : at, 0, start);
    p.children.push(el(`w:${mark}RangeEnd`, { 'w:id': start.attrs['w:id']! }));
  }
  markParagraphMark(p, mark, ctx);
  ctx.emitText('\n');
}

/** Wraps the runs among `nodes` (paragraph content) in revision marks, recursing into containers. */
export function markInline(nodes: XmlNode[], mark: Mark, ctx: RedlineContext): XmlNode[] {
  const fromOriginal = FROM_ORIGINAL.has(mark);
  const out: XmlNode[] = [];
  let wrapper: XmlElement | undefined;
  const close = () => (wrapper = undefined);
  for (const n of nodes) {
    if (!isEl(n)) continue;
    if (n.name === 'w:pPr') {
      out.push(n);
    } else if (n.name === 'w:r' || n.name === 'm:oMath' || n.name === 'm:oMathPara') {
      if (fromOriginal && n.children.some((c) => isEl(c) && FOREIGN_REFS.has(c.name))) continue;
      if (n.name === 'w:r' && fromOriginal) toDeletedText(n);
      ctx.emitText(visibleText(n));
      if (!wrapper) {
        wrapper = ctx.mark(mark);
        out.push(wrapper);
      }
      wrapper.children.push(n);
    } else if (INLINE_CONTAINERS.has(n.name)) {
      close();
      n.children = markInline(n.children, mark, ctx);
      out.push(n);
    } else if (n.name === 'w:sdt') {
      close();
      for (const c of n.children) if (isEl(c) && c.name === 'w:sdtContent') c.children = markInline(c.children, mark, ctx);
      out.push(n);
    } else if (MARKERS.has(n.name) || n.name === 'w:proofErr') {
      close();
      if (!fromOriginal && n.name !== 'w:proofErr') out.push(n);
    } else {
      close();
      out.push(n);
    }
  }
  return out;
}

/** Deleted runs hold their text in w:delText (and field codes in w:delInstrText). */
export function toDeletedText(run: XmlElement): void {
  for (const c of run.children) {
    if (!isEl(c)) continue;
    if (c.name === 'w:t') c.name = 'w:delText';
    else if (c.name === 'w:instrText') c.name = 'w:delInstrText';
  }
}
