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
