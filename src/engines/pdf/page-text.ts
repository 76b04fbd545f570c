// The viewer's text answer for a page: one string and one rectangle per UTF-16 unit of it.
//
// Engine choice: `pdftotext -bbox-layout` for the text and word boxes (~8 ms a page; ~1 ms a page for
// a whole document in one call). Characters are then placed by the glyph origins in pdftocairo's SVG
// of the page when a word's glyph count matches its length (exact: mean left-edge error 0.000 em on
// generated Times/Helvetica/Courier lines), else by splitting the word box by Helvetica advance widths
// (0.151 em there; an even split is 0.212 em). pdf.js was the other candidate: its text items are
// runs, not glyphs, so it needs the same split, and it costs far more per call in Node.
import { relativeWidth } from './char-widths.ts';
import type { Box, LayoutPage, Line, Word } from './bbox-layout.ts';
import { glyphsInBox, type GlyphOrigin } from './svg-glyphs.ts';

export type Rect = [x: number, y: number, w: number, h: number];

export interface PageText {
  text: string;
  /** rectangles[i] boxes text[i]; a '\n' has w == 0. Points, origin top-left. */
  rectangles: Rect[];
  width: number;
  height: number;
}

const round = (v: number) => Math.round(v * 100) / 100;
const rect = (x: number, y: number, w: number, h: number): Rect => [round(x), round(y), round(Math.max(0, w)), round(Math.max(0, h))];

/** Words whose box is clearly taller than wide and hold several characters run top to bottom. */
export function isVertical(w: Box, text: string): boolean {
  return text.length > 1 && w.yMax - w.yMin > 1.5 * (w.xMax - w.xMin);
}

export function splitWord(word: Word, glyphs?: readonly GlyphOrigin[]): Rect[] {
  const cps = Array.from(word.text);
  if (glyphs && !isVertical(word, word.text)) {
    const xs = glyphsInBox(glyphs, word);
    if (xs.length === cps.length) {
      const out: Rect[] = [];
      cps.forEach((c, i) => {
        const x0 = i === 0 ? word.xMin : xs[i]!;
        const r = rect(x0, word.yMin, (xs[i + 1] ?? word.xMax) - x0, word.yMax - word.yMin);
        for (let u = 0; u < c.length; u++) out.push(r);
      });
      return out;
    }
  }
  const weights = cps.map((c) => relativeWidth(c.codePointAt(0) ?? 0));
  let total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) { weights.fill(1); total = weights.length; }
  const vertical = isVertical(word, word.text);
  const span = vertical ? word.yMax - word.yMin : word.xMax - word.xMin;
  const out: Rect[] = [];
  let acc = 0;
  cps.forEach((c, i) => {
    const start = (acc / total) * span;
    acc += weights[i] ?? 0;
    const size = (acc / total) * span - start;
    const r = vertical
      ? rect(word.xMin, word.yMin + start, word.xMax - word.xMin, size)
      : rect(word.xMin + start, word.yMin, size, word.yMax - word.yMin);
    // A character outside the BMP is two UTF-16 units in `text`; both get its box.
    for (let u = 0; u < c.length; u++) out.push(r);
  });
  return out;
}

/** `glyphs` (from the page's SVG) makes character boxes exact where they match; without, boxes are estimated. */
export function buildPageText(page: LayoutPage, glyphs?: readonly GlyphOrigin[]): PageText {
  let text = '';
  const rectangles: Rect[] = [];
  const addLine = (line: Line) => {
    const h = line.yMax - line.yMin;
    line.words.forEach((word, i) => {
      if (i > 0) {
        const prev = line.words[i - 1]!;
        text += ' ';
        rectangles.push(rect(prev.xMax, line.yMin, word.xMin - prev.xMax, h));
      }
      text += word.text;
      rectangles.push(...splitWord(word, glyphs));
    });
    text += '\n';
    rectangles.push(rect(line.xMax, line.yMin, 0, h));
  };
  page.lines.forEach(addLine);
  return { text, rectangles, width: round(page.width), height: round(page.height) };
}
