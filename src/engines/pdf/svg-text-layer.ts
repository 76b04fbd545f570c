// pdftocairo -svg draws glyphs as <use> of path symbols, so the page would be neither searchable nor
// selectable. This builds an invisible layer of real <text>, one per line with a <tspan> per word
// stretched (textLength) over the word's box, in the page's point coordinates (= the SVG viewBox).
import type { LayoutPage, Word } from './bbox-layout.ts';
import { isVertical } from './page-text.ts';

const n = (v: number) => String(Math.round(v * 100) / 100);

export function escapeXmlText(s: string): string {
  // Also drop characters XML 1.0 forbids, which a broken ToUnicode map can produce.
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

// Glyph boxes from pdftotext span ascent+descent; put the baseline about 80% of the way down.
const baseline = (w: Word) => w.yMin + 0.8 * (w.yMax - w.yMin);

export function svgTextLayer(page: LayoutPage): string {
  const out: string[] = ['<g id="quire-text" fill="#000" fill-opacity="0" stroke="none" font-family="sans-serif" style="white-space:pre" aria-hidden="false">'];
  for (const line of page.lines) {
    const horizontal = line.words.filter((w) => !isVertical(w, w.text));
    if (horizontal.length > 0) {
      const size = Math.max(1, line.yMax - line.yMin);
      const spans = horizontal.map((w) => {
        const len = Math.max(0.01, w.xMax - w.xMin);
        return `<tspan x="${n(w.xMin)}" y="${n(baseline(w))}" textLength="${n(len)}" lengthAdjust="spacingAndGlyphs">${escapeXmlText(w.text)}</tspan>`;
      });
      out.push(`<text font-size="${n(size * 0.9)}">${spans.join(' ')}</text>`);
    }
    for (const w of line.words.filter((w) => isVertical(w, w.text))) {
      const size = Math.max(1, w.xMax - w.xMin);
      const x = w.xMin + 0.2 * size;
      out.push(`<text x="${n(x)}" y="${n(w.yMin)}" font-size="${n(size * 0.9)}" textLength="${n(w.yMax - w.yMin)}" lengthAdjust="spacingAndGlyphs" transform="rotate(90 ${n(x)} ${n(w.yMin)})">${escapeXmlText(w.text)}</text>`);
    }
  }
  out.push('</g>');
  return out.join('\n');
}
