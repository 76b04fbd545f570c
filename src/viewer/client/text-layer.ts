// The transparent text over a page, built from the Text route's character rectangles: one span per
// word (with its trailing space), placed on the word's box and stretched to its width, and a <br> at
// each line end. Selecting and copying it gives the page's text; screen readers read it in order.
import type { PageText } from './api-types.ts';

let ctx: CanvasRenderingContext2D | null = null;
const MEASURE_PX = 100;
/** Must match .qv-text's font-family in the stylesheet. */
const FONT_FAMILY = 'sans-serif';

function measure(s: string): number {
  if (!ctx) {
    ctx = document.createElement('canvas').getContext('2d');
    if (!ctx) return 0;
    ctx.font = `${MEASURE_PX}px ${FONT_FAMILY}`;
  }
  return ctx.measureText(s).width;
}

export function buildTextLayer(host: HTMLElement, page: PageText): void {
  const frag = document.createDocumentFragment();
  const { text, rectangles } = page;
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\n') {
      frag.append(document.createElement('br'));
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ' ' && text[j] !== '\n') j++;
    while (j < text.length && text[j] === ' ') j++;
    const span = wordSpan(text.slice(i, j), i, rectangles, j);
    if (span) frag.append(span);
    i = j;
  }
  host.replaceChildren(frag);
}

function wordSpan(word: string, start: number, rects: PageText['rectangles'], end: number): HTMLSpanElement | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let k = start; k < end; k++) {
    const r = rects[k];
    if (!r) continue;
    x0 = Math.min(x0, r[0]);
    y0 = Math.min(y0, r[1]);
    x1 = Math.max(x1, r[0] + r[2]);
    y1 = Math.max(y1, r[1] + r[3]);
  }
  if (!(x1 > x0) || !(y1 > y0)) return null;
  const h = y1 - y0;
  const span = document.createElement('span');
  span.textContent = word;
  span.dataset.s = String(start);
  span.style.left = `${x0}px`;
  span.style.top = `${y0}px`;
  span.style.fontSize = `${h}px`;
  const natural = (measure(word) * h) / MEASURE_PX;
  if (natural > 0) span.style.transform = `scaleX(${(x1 - x0) / natural})`;
  return span;
}
