// Places changes on the redline's PDF pages. The redline's display text (redline.ts) and the PDF's
// text are the same words in nearly the same order: the PDF adds list numbers, headers, footers and
// page numbers, and may read table cells in another order. Aligning the two word sequences (diff.ts)
// gives every displayed word its page and box; a change is where its words are.
import { diff } from './diff.ts';
import type { PdfWordPage } from './pdf-words.ts';
import type { Change, ChangeDraft, ChangeRectangle } from './types.ts';

const WORD = /[\p{L}\p{M}\p{N}_]+|[^\s\p{L}\p{M}\p{N}_]/gu;
const PX_PER_PT = 96 / 72;

interface PdfWord {
  page: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const keyOf = (w: string) => w.normalize('NFKC').toLowerCase();

export function locateChanges(displayText: string, drafts: readonly ChangeDraft[], pages: readonly PdfWordPage[]): Change[] {
  const dispStarts: number[] = [];
  const dispKeys: string[] = [];
  for (const m of displayText.matchAll(WORD)) {
    dispStarts.push(m.index);
    dispKeys.push(keyOf(m[0]));
  }
  const pdfWords: PdfWord[] = [];
  const pdfKeys: string[] = [];
  pages.forEach((p, page) => {
    for (const w of p.words) {
      // "dog." is one PDF word but two display words: each gets its share of the box by characters.
      const width = (w.x1 - w.x0) / Math.max(1, w.text.length);
      for (const m of w.text.matchAll(WORD)) {
        pdfWords.push({ page, x0: w.x0 + m.index * width, y0: w.y0, x1: w.x0 + (m.index + m[0].length) * width, y1: w.y1 });
        pdfKeys.push(keyOf(m[0]));
      }
    }
  });

  const match = new Int32Array(dispKeys.length).fill(-1);
  for (const e of diff(dispKeys, pdfKeys, { maxD: 3000 })) if (e.op === 'eq') match[e.a] = e.b;
  slideMatchesBack(match, dispKeys, pdfKeys);
  matchOutOfOrder(match, dispKeys, pdfKeys, pdfWords);

  /** Index of the first display word starting at or after `offset`. */
  const firstWordAt = (offset: number) => {
    let lo = 0;
    let hi = dispStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (dispStarts[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** The page of the nearest placed word around display word `i`, for changes with no visible words. */
  const nearbyPage = (i: number) => {
    for (let k = i - 1; k >= 0; k--) if (match[k]! >= 0) return pdfWords[match[k]!]!.page;
    for (let k = i; k < match.length; k++) if (match[k]! >= 0) return pdfWords[match[k]!]!.page;
    return 0;
  };

  return drafts.map((d, n) => {
    const from = firstWordAt(d.start);
    const to = firstWordAt(d.end);
    const words: PdfWord[] = [];
    for (let i = from; i < to; i++) if (match[i]! >= 0) words.push(pdfWords[match[i]!]!);
    const change: Change = { id: String(n + 1), type: d.type, pageIndex: 0, endPageIndex: 0 };
    if (words.length > 0) {
      change.pageIndex = words.reduce((m, w) => Math.min(m, w.page), Infinity);
      change.endPageIndex = words.reduce((m, w) => Math.max(m, w.page), 0);
      change.rectangles = lineRectangles(words);
    } else {
      change.pageIndex = change.endPageIndex = nearbyPage(from);
    }
    if (d.text !== '') change.text = d.text;
    if (d.originalText !== undefined) change.originalText = d.originalText;
    if (d.pair !== undefined) change.pairedChangeId = String(d.pair + 1);
    return change;
  });
}

/** How far past its predecessor's match a word's match may be pulled back. */
const SLIDE_WINDOW = 64;

/**
 * Equal-cost alignments are not equally right: the diff's common-suffix step pairs the body's last
 * "." with the PDF's last "." — in an endnote on the next page — rather than the one right after the
 * body's last word. A match that does not continue a run with its successor is moved to the first
 * equal PDF word after its predecessor's match, where the text actually continues.
 */
function slideMatchesBack(match: Int32Array, dispKeys: readonly string[], pdfKeys: readonly string[]): void {
  for (let i = 1; i < match.length; i++) {
    const j = match[i]!;
    const prev = match[i - 1]!;
    if (j < 0 || prev < 0 || j === prev + 1) continue;
    const next = i + 1 < match.length ? match[i + 1]! : -1;
    if (next === j + 1) continue;
    const end = Math.min(j, prev + 1 + SLIDE_WINDOW);
    for (let k = prev + 1; k < end; k++) {
      if (pdfKeys[k] === dispKeys[i]) {
        match[i] = k;
        break;
      }
    }
  }
}

/**
 * The PDF may read a table row's cells in another order than the document (a cell added to a row
 * comes out after the rows below it), so the in-order alignment leaves such words unmatched. A word
 * still unmatched takes the one unused PDF word with its text near its nearest matched neighbour, on
 * that neighbour's page — only when there is exactly one, so headers and page numbers are not taken.
 */
function matchOutOfOrder(match: Int32Array, dispKeys: readonly string[], pdfKeys: readonly string[], pdfWords: readonly PdfWord[]): void {
  const used = new Uint8Array(pdfKeys.length);
  for (const j of match) if (j >= 0) used[j] = 1;
  const NEIGHBOURS = 8;
  for (let i = 0; i < match.length; i++) {
    if (match[i]! >= 0) continue;
    let anchor = -1;
    for (let d = 1; d <= NEIGHBOURS && anchor < 0; d++) {
      if (i - d >= 0 && match[i - d]! >= 0) anchor = match[i - d]!;
      else if (i + d < match.length && match[i + d]! >= 0) anchor = match[i + d]!;
    }
    if (anchor < 0) continue;
    const page = pdfWords[anchor]!.page;
    let found = -1;
    for (let k = Math.max(0, anchor - SLIDE_WINDOW); k < Math.min(pdfKeys.length, anchor + SLIDE_WINDOW); k++) {
      if (used[k] || pdfKeys[k] !== dispKeys[i] || pdfWords[k]!.page !== page) continue;
      if (found >= 0) {
        found = -2;
        break;
      }
      found = k;
    }
    if (found >= 0) {
      match[i] = found;
      used[found] = 1;
    }
  }
}

/** Consecutive words on one line become one rectangle (covering the spaces between them). */
function lineRectangles(words: PdfWord[]): ChangeRectangle[] {
  const out: PdfWord[] = [];
  for (const w of words) {
    const last = out[out.length - 1];
    const h = w.y1 - w.y0;
    if (last && last.page === w.page && Math.abs(last.y0 - w.y0) < h / 2 && w.x0 >= last.x0 - 1) {
      last.x1 = Math.max(last.x1, w.x1);
      last.y0 = Math.min(last.y0, w.y0);
      last.y1 = Math.max(last.y1, w.y1);
    } else out.push({ ...w });
  }
  const px = (v: number) => Math.round(v * PX_PER_PT * 100) / 100;
  return out.map((w) => ({ pageIndex: w.page, x: px(w.x0), y: px(w.y0), width: px(w.x1 - w.x0), height: px(w.y1 - w.y0) }));
}
