// A table of the original against its counterpart: table properties (w:tblPrChange), rows matched
// exactly or paired by their words, paired rows compared cell by cell (each cell a story of its own),
// unpaired rows inserted or deleted whole.
import { diff, type Edit } from './diff.ts';
import { canonical, similarity, visibleText } from './ooxml.ts';
import { pairBlocks } from './pairing.ts';
import type { Mark, RedlineContext } from './redline-context.ts';
import { diffStory } from './story-diff.ts';
import { markRow } from './track.ts';
import type { ChangeType } from './types.ts';
import { clone, el, isEl, type XmlElement } from './xml.ts';

/** Rows paired when at least this similar (Dice over words). */
const ROW_PAIRING = 0.3;

const childrenNamed = (e: XmlElement, name: string) => e.children.filter((c): c is XmlElement => isEl(c) && c.name === name);

export function diffTable(to: XmlElement, tr: XmlElement, ctx: RedlineContext): XmlElement {
  const start = ctx.offset;
  const out = el('w:tbl', { ...tr.attrs });
  const origPr = childrenNamed(to, 'w:tblPr')[0];
  const revPr = childrenNamed(tr, 'w:tblPr')[0];
  const propsChanged = canonical(origPr, ctx.orig) !== canonical(revPr, ctx.rev);
  for (const c of tr.children) {
    // Range markers between rows are dropped: they would land before tblPr, against the schema.
    if (!isEl(c) || (c.name !== 'w:tblPr' && c.name !== 'w:tblGrid')) continue;
    const copy = clone(c);
    if (c.name === 'w:tblPr' && propsChanged) {
      const old = clone(origPr ?? el('w:tblPr'));
      old.children = old.children.filter((x) => !(isEl(x) && x.name === 'w:tblPrChange'));
      copy.children.push(ctx.mark('tblPrChange', [old]));
    }
    out.children.push(copy);
  }
  const ra = childrenNamed(to, 'w:tr');
  const rb = childrenNamed(tr, 'w:tr');
  const edits = diff(
    ra.map((r) => canonical(r, ctx.orig)),
    rb.map((r) => canonical(r, ctx.rev)),
  );
  for (const gap of splitByGap(edits)) {
    if (gap.eq !== undefined) {
      ctx.emitText(visibleText(rb[gap.eq]!));
      out.children.push(rb[gap.eq]!);
      continue;
    }
    emitRowGap(gap.dels, gap.ins, ra, rb, ctx, out);
  }
  if (propsChanged) ctx.addChange('TablePropertyChanged', start, ctx.offset, visibleText(tr).replace(/\n+$/, ''));
  return out;
}

function splitByGap(edits: Edit[]): { eq?: number; dels: number[]; ins: number[] }[] {
  const out: { eq?: number; dels: number[]; ins: number[] }[] = [];
  let cur: { dels: number[]; ins: number[] } | undefined;
  for (const e of edits) {
    if (e.op === 'eq') {
      cur = undefined;
      out.push({ eq: e.b, dels: [], ins: [] });
    } else {
      if (!cur) out.push((cur = { dels: [], ins: [] }));
      if (e.op === 'del') cur.dels.push(e.a);
      else cur.ins.push(e.b);
    }
  }
  return out;
}

function emitRowGap(dels: number[], ins: number[], ra: XmlElement[], rb: XmlElement[], ctx: RedlineContext, out: XmlElement): void {
  // Rows pair by their words; when none do and as many rows went as came, by position.
  const cells = (r: XmlElement) => childrenNamed(r, 'w:tc');
  const rowText = (r: XmlElement) => visibleText(r);
  const pairs = pairBlocks(
    dels.map((i) => rowText(ra[i]!)),
    ins.map((j) => rowText(rb[j]!)),
    (x, y) => {
      const s = similarity(x, y);
      return s >= ROW_PAIRING ? s : 0;
    },
  );
  if (pairs.length === 0 && dels.length === ins.length) for (let k = 0; k < dels.length; k++) pairs.push([k, k]);
  let di = 0;
  let ii = 0;
  let whole: { start: number; del: string; ins: string } | undefined;
  const closeWhole = () => {
    if (!whole) return;
    if (whole.del && whole.ins) ctx.addChange('ContentReplaced', whole.start, ctx.offset, whole.ins.trim(), whole.del.trim());
    else ctx.addChange(whole.ins ? 'ContentInserted' : 'ContentDeleted', whole.start, ctx.offset, (whole.ins || whole.del).trim());
    whole = undefined;
  };
  const row = (r: XmlElement, mark: Mark) => {
    const copy = clone(r);
    if (mark === 'del') ctx.importRels(copy);
    markRow(copy, mark, ctx);
    out.children.push(copy);
  };
  for (const [x, y] of [...pairs, [Infinity, Infinity] as const]) {
    while (di < dels.length && di < x) {
      whole ??= { start: ctx.offset, del: '', ins: '' };
      whole.del += rowText(ra[dels[di]!]!);
      row(ra[dels[di++]!]!, 'del');
    }
    while (ii < ins.length && ii < y) {
      whole ??= { start: ctx.offset, del: '', ins: '' };
      whole.ins += rowText(rb[ins[ii]!]!);
      row(rb[ins[ii++]!]!, 'ins');
    }
    closeWhole();
    if (x === Infinity) break;
    const o = ra[dels[di++]!]!;
    const r = rb[ins[ii++]!]!;
    const co = cells(o);
    const cr = cells(r);
    if (co.length !== cr.length) {
      // Word marks added/removed cells with w:cellIns/w:cellDel, which LibreOffice cannot read back:
      // the row is replaced instead, and the change list says what happened to its cells.
      const start = ctx.offset;
      row(o, 'del');
      row(r, 'ins');
      const type: ChangeType = cr.length > co.length ? 'TableCellInserted' : 'TableCellDeleted';
      ctx.addChange(type, start, ctx.offset, rowText(r).trim(), rowText(o).trim());
      continue;
    }
    const copy = el('w:tr', { ...r.attrs });
    let k = 0;
    for (const c of r.children) {
      if (!isEl(c) || c.name !== 'w:tc') {
        if (isEl(c)) copy.children.push(clone(c));
        continue;
      }
      const oc = co[k++]!;
      const tc = el('w:tc', { ...c.attrs });
      const tcPr = childrenNamed(c, 'w:tcPr')[0];
      if (tcPr) tc.children.push(clone(tcPr));
      const blocks = (x: XmlElement) => x.children.filter((n): n is XmlElement => isEl(n) && n.name !== 'w:tcPr');
      tc.children.push(...diffStory(blocks(oc), blocks(c), ctx));
      copy.children.push(tc);
    }
    out.children.push(copy);
  }
}
