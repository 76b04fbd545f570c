// Finding a search term in a page's text and locating each hit with the character rectangles.
// Patterns are literals (never caller regular expressions, which could hang the server); white
// space in a pattern matches any run of white space, so phrases match across line breaks.
import type { PageText } from '../rendering/engines.ts';

export interface SearchTerm {
  termId: string;
  type: 'simple';
  pattern: string;
  caseSensitive: boolean;
  wholeWord: boolean;
  contextPadding: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SearchResult {
  id: number;
  pageIndex: number;
  text: string;
  context: string;
  startIndex: number;
  startIndexInContext: number;
  boundingRectangle: Rect;
  lineRectangles: Rect[];
  searchTerm: { termId: string; pattern: string };
}

export function findMatches(page: PageText, pageIndex: number, terms: SearchTerm[], firstId: number): SearchResult[] {
  const out: SearchResult[] = [];
  for (const term of terms) {
    const words = term.pattern.trim().split(/\s+/).map(escape);
    if (words.length === 0 || words[0] === '') continue;
    const source = (term.wholeWord ? '(?<![\\p{L}\\p{N}])' : '') + words.join('\\s+') + (term.wholeWord ? '(?![\\p{L}\\p{N}])' : '');
    const re = new RegExp(source, term.caseSensitive ? 'gu' : 'giu');
    for (const m of page.text.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      const ctxStart = Math.max(0, start - term.contextPadding);
      const ctxEnd = Math.min(page.text.length, end + term.contextPadding);
      const lines = lineRects(page, start, end);
      out.push({
        id: firstId + out.length,
        pageIndex,
        text: m[0],
        context: page.text.slice(ctxStart, ctxEnd),
        startIndex: start,
        startIndexInContext: start - ctxStart,
        boundingRectangle: union(lines),
        lineRectangles: lines,
        searchTerm: { termId: term.termId, pattern: term.pattern },
      });
    }
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** One rectangle per line the hit spans (a new line starts where a character moves down). */
function lineRects(page: PageText, start: number, end: number): Rect[] {
  const lines: Rect[] = [];
  let cur: Rect | undefined;
  for (let i = start; i < end; i++) {
    const r = page.rectangles[i];
    if (!r || r[2] === 0 || /\s/.test(page.text[i]!)) continue;
    const [x, y, w, h] = r;
    if (cur && Math.abs(y - cur.y) < h / 2 && x >= cur.x - 1) {
      const right = Math.max(cur.x + cur.width, x + w);
      const bottom = Math.max(cur.y + cur.height, y + h);
      cur.y = Math.min(cur.y, y);
      cur.width = right - cur.x;
      cur.height = bottom - cur.y;
    } else {
      cur = { x, y, width: w, height: h };
      lines.push(cur);
    }
  }
  return lines;
}

function union(rects: Rect[]): Rect {
  if (rects.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
  const x = Math.min(...rects.map((r) => r.x));
  const y = Math.min(...rects.map((r) => r.y));
  const right = Math.max(...rects.map((r) => r.x + r.width));
  const bottom = Math.max(...rects.map((r) => r.y + r.height));
  return { x, y, width: right - x, height: bottom - y };
}
