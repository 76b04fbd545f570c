// Parses `pdftotext -bbox-layout` output (XHTML of page/flow/block/line/word boxes, points, origin
// top-left, rotation applied) into pages of lines of words. The format is machine-written, so a
// tag-level scan is enough; word text is XML-escaped by poppler.

export interface Box { xMin: number; yMin: number; xMax: number; yMax: number }
export interface Word extends Box { text: string }
export interface Line extends Box { words: Word[] }
export interface LayoutPage { width: number; height: number; lines: Line[] }

const TOKEN = /<page width="([-\d.]+)" height="([-\d.]+)">|<line xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">|<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)<\/word>/g;

export function parseBboxLayout(xhtml: string): LayoutPage[] {
  const pages: LayoutPage[] = [];
  let page: LayoutPage | undefined;
  let line: Line | undefined;
  for (const m of xhtml.matchAll(TOKEN)) {
    if (m[1] !== undefined) {
      page = { width: Number(m[1]), height: Number(m[2]), lines: [] };
      pages.push(page);
      line = undefined;
    } else if (m[3] !== undefined) {
      if (!page) continue;
      line = { xMin: Number(m[3]), yMin: Number(m[4]), xMax: Number(m[5]), yMax: Number(m[6]), words: [] };
      page.lines.push(line);
    } else if (m[7] !== undefined && line) {
      const text = unescapeXml(m[11] ?? '');
      if (text.length > 0) line.words.push({ xMin: Number(m[7]), yMin: Number(m[8]), xMax: Number(m[9]), yMax: Number(m[10]), text });
    }
  }
  for (const p of pages) p.lines = p.lines.filter((l) => l.words.length > 0);
  return pages;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (all, e: string) => {
    if (e[0] !== '#') return NAMED[e] ?? all;
    const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(cp) && cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  });
}
