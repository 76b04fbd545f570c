// Glyph origins from pdftocairo's SVG (`<use xlink:href="#glyph…" x y>`), in page points. pdftotext
// gives word boxes only; where a word holds exactly as many glyphs as characters, these origins place
// each character exactly instead of estimating from a width table. Glyphs under a transformed group,
// a pattern or defs are skipped: their coordinates are not page coordinates.

export interface GlyphOrigin { x: number; y: number }

const TAG = /<(\/?)(g|pattern|defs|symbol|mask|clipPath)\b([^>]*?)(\/?)>|<use\b([^>]*)>/g;

export function glyphOrigins(svg: string): GlyphOrigin[] {
  const out: GlyphOrigin[] = [];
  const stack: boolean[] = []; // true = this level or one above moves coordinates
  for (const m of svg.matchAll(TAG)) {
    if (m[2] !== undefined) {
      if (m[4] === '/') continue; // self-closing group
      if (m[1] === '/') { stack.pop(); continue; }
      const moved = (stack.at(-1) ?? false) || m[2] !== 'g' || /\btransform\s*=/.test(m[3] ?? '');
      stack.push(moved);
    } else if (!(stack.at(-1) ?? false)) {
      const attrs = m[5] ?? '';
      if (!/href="#glyph/.test(attrs) || /\btransform\s*=/.test(attrs)) continue;
      const x = /\sx="([-\d.eE]+)"/.exec(attrs);
      const y = /\sy="([-\d.eE]+)"/.exec(attrs);
      if (x && y) out.push({ x: Number(x[1]), y: Number(y[1]) });
    }
  }
  return out;
}

/** Glyph origins on a word's baseline within its box, left to right, duplicates (fake bold) merged. */
export function glyphsInBox(glyphs: readonly GlyphOrigin[], box: { xMin: number; yMin: number; xMax: number; yMax: number }): number[] {
  const xs = glyphs
    .filter((g) => g.x >= box.xMin - 0.5 && g.x < box.xMax - 0.01 && g.y >= box.yMin && g.y <= box.yMax + 0.5)
    .map((g) => g.x)
    .sort((a, b) => a - b);
  return xs.filter((x, i) => i === 0 || x - xs[i - 1]! > 0.05);
}
