// One paragraph of the original against its counterpart in the revised document, word by word: the
// revised paragraph is rebuilt with inserted words in w:ins, deleted words (with the original's run
// formatting) in w:del, words whose formatting changed carrying w:rPrChange, and changed paragraph
// properties in w:pPrChange. Bookmarks and comment anchors of the revised paragraph stay where they were.
import { diff } from './diff.ts';
import { canonical, firstChild, isSpace, tokenize, visibleText } from './ooxml.ts';
import type { RedlineContext } from './redline-context.ts';
import { ensurePPr, markInline, MARKERS, toDeletedText } from './track.ts';
import type { ChangeType } from './types.ts';
import { clone, el, isEl, type XmlElement, type XmlNode } from './xml.ts';
import type { DocxPackage } from './docx-package.ts';

interface Atom {
  key: string;
  kind: 'text' | 'item' | 'node';
  /** text: the characters; item: the run content element; node: the paragraph-level element. */
  text: string;
  element?: XmlElement;
  rPr: XmlElement | undefined;
  rPrKey: string;
  /** Markers of the revised paragraph that stand just before this atom. */
  before: XmlNode[];
}

interface Flat {
  atoms: Atom[];
  trailing: XmlNode[];
}

/** Run properties that do not show: proofing language, rsids. Compared without them. */
const rPrKeyOf = (rPr: XmlElement | undefined, pkg: DocxPackage) => (rPr ? canonical(rPr, pkg) : '');

function flatten(p: XmlElement, pkg: DocxPackage): Flat {
  const atoms: Atom[] = [];
  let pending: XmlNode[] = [];
  const push = (a: Omit<Atom, 'before'>) => {
    atoms.push({ ...a, before: pending });
    pending = [];
  };
  for (const n of p.children) {
    if (!isEl(n) || n.name === 'w:pPr' || n.name === 'w:proofErr') continue;
    if (MARKERS.has(n.name)) {
      pending.push(n);
      continue;
    }
    if (n.name !== 'w:r') {
      push({ key: `node:${canonical(n, pkg)}`, kind: 'node', text: visibleText(n), element: n, rPr: undefined, rPrKey: '' });
      continue;
    }
    if (n.children.some((c) => isEl(c) && c.name === 'w:commentReference')) {
      pending.push(n);
      continue;
    }
    const rPr = firstChild(n, 'w:rPr');
    const rPrKey = rPrKeyOf(rPr, pkg);
    for (const c of n.children) {
      if (!isEl(c) || c.name === 'w:rPr' || c.name === 'w:lastRenderedPageBreak') continue;
      if (c.name === 'w:t') {
        for (const t of tokenize(visibleText(c))) push({ key: `t:${t}`, kind: 'text', text: t, rPr, rPrKey });
      } else {
        // Note references compare by kind only: their ids number each file's own notes.
        const key = c.name === 'w:footnoteReference' || c.name === 'w:endnoteReference' ? c.name : canonical(c, pkg);
        push({ key: `i:${key}`, kind: 'item', text: visibleText(c), element: c, rPr, rPrKey });
      }
    }
  }
  return { atoms, trailing: pending };
}

/** Paragraph properties as compared: without the paragraph mark's run properties and section break. */
function pPrKey(p: XmlElement, pkg: DocxPackage): string {
  const pPr = firstChild(p, 'w:pPr');
  const children = pPr?.children.filter((c) => isEl(c) && c.name !== 'w:rPr' && c.name !== 'w:sectPr') ?? [];
  // No properties and an empty w:pPr mean the same.
  return children.length === 0 ? '' : canonical({ ...pPr!, children }, pkg);
}

function paragraphChangeType(po: XmlElement, pr: XmlElement, ctx: RedlineContext): ChangeType {
  const prop = (p: XmlElement, pkg: DocxPackage, name: string) => canonical(firstChild(firstChild(p, 'w:pPr') ?? el('w:pPr'), name), pkg);
  if (prop(po, ctx.orig, 'w:pStyle') !== prop(pr, ctx.rev, 'w:pStyle')) return 'StyleChanged';
  if (prop(po, ctx.orig, 'w:numPr') !== prop(pr, ctx.rev, 'w:numPr')) return 'ParagraphNumberChanged';
  return 'ParagraphPropertyChanged';
}

/** True when the two paragraphs differ in nothing a redline would show. */
export function sameParagraph(po: XmlElement, pr: XmlElement, ctx: RedlineContext): boolean {
  return canonical(po, ctx.orig) === canonical(pr, ctx.rev);
}

export function diffParagraph(po: XmlElement, pr: XmlElement, ctx: RedlineContext): XmlElement {
  const start = ctx.offset;
  const out = el('w:p', { ...pr.attrs });
  const revPPr = firstChild(pr, 'w:pPr');
  if (revPPr) out.children.push(clone(revPPr));
  const propsChanged = pPrKey(po, ctx.orig) !== pPrKey(pr, ctx.rev);
  if (propsChanged) {
    const pPr = ensurePPr(out);
    const origPPr = clone(firstChild(po, 'w:pPr') ?? el('w:pPr'));
    origPPr.children = origPPr.children.filter((c) => !(isEl(c) && (c.name === 'w:rPr' || c.name === 'w:sectPr' || c.name === 'w:pPrChange')));
    ctx.importRels(origPPr);
    // pPrChange is the last child of pPr, after sectPr.
    pPr.children.push(ctx.mark('pPrChange', [origPPr]));
  }

  const a = flatten(po, ctx.orig);
  const b = flatten(pr, ctx.rev);
  const edits = diff(
    a.atoms.map((x) => x.key),
    b.atoms.map((x) => x.key),
  );

  let wrapper: { op: string; el: XmlElement } | undefined;
  let run: { key: string; el: XmlElement } | undefined;
  let region: { start: number; del: string; ins: string } | undefined;
  let format: { start: number; text: string } | undefined;

  const closeWrapper = () => {
    wrapper = undefined;
    run = undefined;
  };
  const closeRegion = () => {
    if (!region) return;
    const { del, ins } = region;
    if (del && ins) ctx.addChange('ContentReplaced', region.start, ctx.offset, ins, del);
    else if (ins) ctx.addChange('ContentInserted', region.start, ctx.offset, ins);
    else ctx.addChange('ContentDeleted', region.start, ctx.offset, del);
    region = undefined;
  };
  const closeFormat = () => {
    if (!format) return;
    // A format change that only touches spaces shows nothing: not worth a change of its own.
    if (!isSpace(format.text)) ctx.addChange('PropertyChanged', format.start, ctx.offset, format.text);
    format = undefined;
  };
  const emitNodes = (nodes: XmlNode[]) => {
    if (nodes.length === 0) return;
    closeWrapper();
    out.children.push(...nodes);
  };

  /** Appends an atom's content to a run of the right kind, opening wrapper and run as needed. */
  const emitAtom = (atom: Atom, op: 'eq' | 'ins' | 'del', origRPr?: XmlElement | undefined, origKey?: string) => {
    if (atom.kind === 'node') {
      closeWrapper();
      const node = clone(atom.element!);
      if (op === 'del') ctx.importRels(node);
      if (op === 'eq') {
        ctx.emitText(atom.text);
        out.children.push(node);
      } else {
        out.children.push(...markInline([node], op, ctx));
      }
      return;
    }
    const formatChanged = origKey !== undefined && origKey !== atom.rPrKey;
    const wrapOp = op === 'eq' ? '' : op;
    if (!wrapper || wrapper.op !== wrapOp) {
      wrapper = { op: wrapOp, el: wrapOp ? ctx.mark(wrapOp) : out };
      if (wrapOp) out.children.push(wrapper.el);
      run = undefined;
    }
    const runKey = `${op}|${atom.rPrKey}|${formatChanged ? origKey : ''}`;
    if (!run || run.key !== runKey) {
      const r = el('w:r');
      if (atom.rPr || formatChanged) {
        const rPr = atom.rPr ? clone(atom.rPr) : el('w:rPr');
        if (op === 'del') ctx.importRels(rPr);
        if (formatChanged) {
          const old = clone(origRPr ?? el('w:rPr'));
          old.children = old.children.filter((c) => !(isEl(c) && c.name === 'w:rPrChange'));
          ctx.importRels(old);
          rPr.children.push(ctx.mark('rPrChange', [el('w:rPr', {}, old.children)]));
        }
        r.children.push(rPr);
      }
      run = { key: runKey, el: r };
      wrapper.el.children.push(r);
    }
    ctx.emitText(atom.text);
    const r = run.el;
    if (atom.kind === 'text') {
      const last = r.children[r.children.length - 1];
      const textName = op === 'del' ? 'w:delText' : 'w:t';
      if (isEl(last) && last.name === textName) last.children[0] = String(last.children[0] ?? '') + atom.text;
      else r.children.push(el(textName, { 'xml:space': 'preserve' }, [atom.text]));
    } else {
      const item = clone(atom.element!);
      if (op === 'del') {
        ctx.importRels(item);
        const holder = el('w:r', {}, [item]);
        toDeletedText(holder);
      }
      r.children.push(item);
    }
  };

  for (const e of edits) {
    if (e.op === 'eq') {
      closeRegion();
      const atom = b.atoms[e.b]!;
      const orig = a.atoms[e.a]!;
      emitNodes(atom.before);
      const changed = atom.kind !== 'node' && orig.rPrKey !== atom.rPrKey;
      if (changed) {
        format ??= { start: ctx.offset, text: '' };
        format.text += atom.text;
      } else closeFormat();
      emitAtom(atom, 'eq', orig.rPr, atom.kind === 'node' ? undefined : orig.rPrKey);
    } else {
      closeFormat();
      region ??= { start: ctx.offset, del: '', ins: '' };
      if (e.op === 'del') {
        const atom = a.atoms[e.a]!;
        region.del += atom.text;
        emitAtom(atom, 'del');
      } else {
        const atom = b.atoms[e.b]!;
        emitNodes(atom.before);
        region.ins += atom.text;
        emitAtom(atom, 'ins');
      }
    }
  }
  closeRegion();
  closeFormat();
  emitNodes(b.trailing);
  ctx.emitText('\n');
  if (propsChanged) ctx.addChange(paragraphChangeType(po, pr, ctx), start, ctx.offset, visibleText(pr).replace(/\n$/, ''));
  return out;
}
