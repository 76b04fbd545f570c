// The words of the redline PDF with their boxes, for placing changes on pages. `pdftotext -bbox`
// (word boxes, no layout pass) run on two halves of the document at once: 10 pages take ~20 ms
// instead of ~60 ms for the PDF engine's documentText (layout pass plus per-character boxes, which
// a change's rectangles do not need).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../engines/pdf/run-tool.ts';

export interface PdfWord {
  text: string;
  /** Points, origin at the page's top-left. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PdfWordPage {
  width: number;
  height: number;
  words: PdfWord[];
}

export interface PdfWordsOptions {
  popplerBinDir?: string | undefined;
  timeoutMs: number;
  /** pdftotext processes at once. Default 2. */
  parallel?: number;
}

const MAX_OUTPUT = 512 * 1024 * 1024;
/** Below this many pages a second process costs more than it saves. */
const PAGES_PER_PROCESS = 4;

export async function pdfWords(pdfPath: string, opts: PdfWordsOptions): Promise<PdfWordPage[]> {
  const tool = (name: string) => (opts.popplerBinDir ? join(opts.popplerBinDir, name) : name);
  const pages = await pageCount(pdfPath, tool, opts.timeoutMs);
  if (pages === 0) return [];
  const parts = Math.max(1, Math.min(opts.parallel ?? 2, Math.floor(pages / PAGES_PER_PROCESS)));
  const size = Math.ceil(pages / parts);
  const ranges = Array.from({ length: parts }, (_, i) => [i * size + 1, Math.min(pages, (i + 1) * size)] as const).filter(([a, b]) => a <= b);
  const results = await Promise.all(
    ranges.map(async ([first, last]) => {
      // The last range runs to the end, whatever the count said.
      const range = last === pages ? ['-f', String(first)] : ['-f', String(first), '-l', String(last)];
      const r = await runTool(tool('pdftotext'), ['-bbox', '-enc', 'UTF-8', ...range, '--', pdfPath, '-'], {
        timeoutMs: opts.timeoutMs,
        maxStdoutBytes: MAX_OUTPUT,
      });
      if (r.code !== 0 || r.timedOut || r.overflowed) throw new Error(`pdftotext failed (${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr.slice(0, 500)}`);
      return parseBbox(r.stdout.toString('utf8'));
    }),
  );
  return results.flat();
}

/**
 * LibreOffice writes one uncompressed page tree: its root's /Count (the largest) is the page count,
 * read here in a millisecond; pdfinfo (~10 ms) is the fallback for anything else.
 */
async function pageCount(pdfPath: string, tool: (name: string) => string, timeoutMs: number): Promise<number> {
  const bytes = await readFile(pdfPath);
  if (!bytes.includes('/ObjStm')) {
    let max = -1;
    for (const m of bytes.toString('latin1').matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)) {
      max = Math.max(max, Number(m[1] ?? m[2]));
    }
    if (max >= 0) return max;
  }
  const info = await runTool(tool('pdfinfo'), ['--', pdfPath], { timeoutMs, maxStdoutBytes: 1024 * 1024 });
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info.stdout.toString('utf8'))?.[1]);
  if (info.code !== 0 || !Number.isInteger(pages)) throw new Error(`pdfinfo failed (${info.code}): ${info.stderr.slice(0, 500)}`);
  return pages;
}

const PAGE = /<page width="([\d.]+)" height="([\d.]+)">|<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g;
const ENTITY: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };

export function parseBbox(html: string): PdfWordPage[] {
  const pages: PdfWordPage[] = [];
  for (const m of html.matchAll(PAGE)) {
    if (m[1] !== undefined) {
      pages.push({ width: Number(m[1]), height: Number(m[2]), words: [] });
    } else {
      pages[pages.length - 1]?.words.push({
        text: m[7]!.replace(/&(amp|lt|gt|quot|apos);/g, (e) => ENTITY[e]!),
        x0: Number(m[3]),
        y0: Number(m[4]),
        x1: Number(m[5]),
        y1: Number(m[6]),
      });
    }
  }
  return pages;
}
