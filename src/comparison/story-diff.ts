// A story (the body, a table cell) of the original against the revised one, block by block.
// Blocks equal in everything are kept as they are; among the rest, a paragraph that reappears
// word for word elsewhere is a move; blocks in the same stretch are paired by word similarity and
// compared within (paragraphs word by word, tables row by row and cell by cell); what stays
// unpaired is inserted or deleted whole.
import { diff, type Edit } from './diff.ts';
import { canonical, similarity, visibleText } from './ooxml.ts';
import { pairBlocks } from './pairing.ts';
import { diffParagraph } from './paragraph-diff.ts';
import type { RedlineContext } from './redline-context.ts';
import { diffTable } from './table-diff.ts';
import { markBlock } from './track.ts';
import type { ChangeType } from './types.ts';
import type { XmlElement, XmlNode } from './xml.ts';

/** Paragraphs paired when at least this similar (Dice over words); tables more loosely. */
const PARAGRAPH_PAIRING = 0.5;
const TABLE_PAIRING = 0.3;
/** A moved paragraph must have at least this many words (short ones recur by chance). */
const MOVE_MIN_WORDS = 4;

interface Block {
  el: XmlElement;
  text: string;
  exact: string;
}

function blocksOf(els: XmlElement[], pkg: RedlineContext['orig']): Block[] {
  return els.map((e) => ({ el: e, text: visibleText(e), exact: `${e.name}:${canonical(e, pkg)}` }));
}

export function diffStory(origEls: XmlElement[], revEls: XmlElement[], ctx: RedlineContext): XmlNode[] {
  const a = blocksOf(origEls, ctx.orig);
  const b = blocksOf(revEls, ctx.rev);
  const edits = diff(
    a.map((x) => x.exact),
    b.map((x) => x.exact),
  );
  const gaps = splitGaps(edits);
  const moves = findMoves(a, b, gaps);
  const out: XmlNode[] = [];
  let gi = 0;
  for (let i = 0; i < edits.length; ) {
    const e = edits[i]!;
    if (e.op === 'eq') {
      const blk = b[e.b]!;
      ctx.emitText(blk.text);
      out.push(blk.el);
      i++;
      continue;
    }
    const gap = gaps[gi++]!;
    emitGap(gap, a, b, moves, ctx, out);
    i += gap.dels.length + gap.ins.length;
  }
  return out;
}

interface Gap {
  dels: number[];
  ins: number[];
}

function splitGaps(edits: Edit[]): Gap[] {
  const gaps: Gap[] = [];
  let cur: Gap | undefined;
  for (const e of edits) {
    if (e.op === 'eq') {
      cur = undefined;
      continue;
    }
    if (!cur) gaps.push((cur = { dels: [], ins: [] }));
    if (e.op === 'del') cur.dels.push(e.a);
    else cur.ins.push(e.b);
  }
  return gaps;
}

/** Paragraphs deleted in one stretch and inserted, word for word, in another. */
function findMoves(a: Block[], b: Block[], gaps: Gap[]): { from: Map<number, number>; to: Map<number, number> } {
  const key = (blk: Block) => (blk.el.name === 'w:p' ? blk.text.trim().replace(/\s+/g, ' ') : '');
  const words = (s: string) => (s.match(/[\p{L}\p{N}]+/gu) ?? []).length;
  const delAt = new Map<string, { idx: number; gap: number; n: number }>();
  const insAt = new Map<string, { idx: number; gap: number; n: number }>();
  gaps.forEach((g, gi) => {
    for (const i of g.dels) {
      const k = key(a[i]!);
      if (words(k) < MOVE_MIN_WORDS) continue;
      const seen = delAt.get(k);
      delAt.set(k, { idx: i, gap: gi, n: (seen?.n ?? 0) + 1 });
    }
    for (const j of g.ins) {
      const k = key(b[j]!);
      if (words(k) < MOVE_MIN_WORDS) continue;
      const seen = insAt.get(k);
      insAt.set(k, { idx: j, gap: gi, n: (seen?.n ?? 0) + 1 });
    }
  });
  const from = new Map<number, number>();
  const to = new Map<number, number>();
  for (const [k, d] of delAt) {
    const s = insAt.get(k);
    // Same stretch: an edit in place (formatting), not a move.
    if (!s || d.n !== 1 || s.n !== 1 || s.gap === d.gap) continue;
    from.set(d.idx, s.idx);
    to.set(s.idx, d.idx);
  }
  return { from, to };
}

function emitGap(gap: Gap, a: Block[], b: Block[], moves: ReturnType<typeof findMoves>, ctx: RedlineContext, out: XmlNode[]): void {
  const dels = gap.dels.filter((i) => !moves.from.has(i));
  const ins = gap.ins.filter((j) => !moves.to.has(j));
  const pairs = pairBlocks(
    dels.map((i) => a[i]!),
    ins.map((j) => b[j]!),
    blockScore(dels.length, ins.length),
  ).map(([x, y]) => [dels[x]!, ins[y]!] as const);
  let di = 0;
  let ii = 0;
  // Whole blocks inserted/deleted next to each other make one change (a replacement if both).
  let whole: { start: number; del: string; ins: string } | undefined;
  const closeWhole = () => {
    if (!whole) return;
    const type: ChangeType = whole.del && whole.ins ? 'ContentReplaced' : whole.ins ? 'ContentInserted' : 'ContentDeleted';
    const trim = (s: string) => s.replace(/\n+$/, '');
    if (type === 'ContentReplaced') ctx.addChange(type, whole.start, ctx.offset, trim(whole.ins), trim(whole.del));
    else ctx.addChange(type, whole.start, ctx.offset, trim(whole.ins || whole.del));
    whole = undefined;
  };
  const emitDeleted = (i: number) => {
    if (moves.from.has(i)) {
      closeWhole();
      emitMove(a[i]!, 'moveFrom', ctx, out);
      return;
    }
    whole ??= { start: ctx.offset, del: '', ins: '' };
    whole.del += a[i]!.text;
    out.push(markBlock(a[i]!.el, 'del', ctx));
  };
  const emitInserted = (j: number) => {
    if (moves.to.has(j)) {
      closeWhole();
      emitMove(b[j]!, 'moveTo', ctx, out);
      return;
    }
    whole ??= { start: ctx.offset, del: '', ins: '' };
    whole.ins += b[j]!.text;
    out.push(markBlock(b[j]!.el, 'ins', ctx));
  };
  for (const [pi, pj] of [...pairs, [Infinity, Infinity] as const]) {
    // Everything before the pair, in order: the deleted blocks, then the inserted ones.
    while (di < gap.dels.length && gap.dels[di]! < pi) emitDeleted(gap.dels[di++]!);
    while (ii < gap.ins.length && gap.ins[ii]! < pj) emitInserted(gap.ins[ii++]!);
    closeWhole();
    if (pi === Infinity) break;
    di++;
    ii++;
    const x = a[pi]!.el;
    const y = b[pj]!.el;
    if (x.name === 'w:p') out.push(diffParagraph(x, y, ctx));
    else if (x.name === 'w:tbl') out.push(diffTable(x, y, ctx));
  }
}

/** Moves are recorded as they are met; the two halves are linked once both exist. */
const pendingMoves = new WeakMap<RedlineContext, Map<string, number>>();

function emitMove(blk: Block, mark: 'moveFrom' | 'moveTo', ctx: RedlineContext, out: XmlNode[]): void {
  const start = ctx.offset;
  out.push(markBlock(blk.el, mark, ctx));
  const text = blk.text.replace(/\n+$/, '');
  const id = ctx.addChange(mark === 'moveFrom' ? 'ContentMovedFrom' : 'ContentMovedTo', start, ctx.offset, text);
  let pending = pendingMoves.get(ctx);
  if (!pending) pendingMoves.set(ctx, (pending = new Map()));
  const key = text.trim().replace(/\s+/g, ' ');
  const other = pending.get(key);
  if (other === undefined) pending.set(key, id);
  else {
    ctx.changes[id]!.pair = other;
    ctx.changes[other]!.pair = id;
    pending.delete(key);
  }
}

/** How well two blocks pair: paragraphs and tables with their own kind, by words. */
function blockScore(n: number, m: number) {
  return (x: Block, y: Block): number => {
    if (x.el.name !== y.el.name) return 0;
    const s = similarity(x.text, y.text);
    // One paragraph in place of one paragraph (a table cell's "5" → "7") is that paragraph edited.
    if (x.el.name === 'w:p') return s >= PARAGRAPH_PAIRING || (n === 1 && m === 1) ? Math.max(s, 0.01) : 0;
    // One table replaced by one table is the same table edited, however much.
    if (x.el.name === 'w:tbl') return s >= TABLE_PAIRING || (n === 1 && m === 1) ? Math.max(s, 0.01) : 0;
    return 0;
  };
}
