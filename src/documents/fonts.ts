// Finding an installed TrueType/OpenType font that can draw a watermark's text: the one fontconfig
// matches for the requested name when it has every character, else a regular-weight font that has
// them all (Noto and DejaVu first), so Arabic, Cyrillic or Devanagari text is drawn, not boxes.
import fontkit from '@pdf-lib/fontkit';
import { readFile } from 'node:fs/promises';
import { runTool } from '../engines/pdf/run-tool.ts';

const TOOL_LIMITS = { timeoutMs: 10_000, maxStdoutBytes: 4 * 1024 * 1024 };
const cache = new Map<string, Uint8Array>();

async function load(path: string): Promise<Uint8Array | undefined> {
  if (!/\.(ttf|otf)$/i.test(path)) return undefined;
  const hit = cache.get(path);
  if (hit) return hit;
  try {
    const bytes = new Uint8Array(await readFile(path));
    if (cache.size > 32) cache.clear();
    cache.set(path, bytes);
    return bytes;
  } catch {
    return undefined;
  }
}

function covers(bytes: Uint8Array, codePoints: number[]): boolean {
  try {
    const font = fontkit.create(bytes);
    return codePoints.every((cp) => font.hasGlyphForCodePoint(cp));
  } catch {
    return false;
  }
}

/** Preference among fonts that all cover the text: upright regular sans first. */
function rank(path: string): number {
  let r = 0;
  if (/bold|italic|oblique|light|thin|black|condensed|mono/i.test(path)) r += 10;
  if (/NotoSans-Regular|DejaVuSans\.ttf|LiberationSans-Regular/.test(path)) r -= 5;
  else if (/NotoSans[A-Z]\w*-Regular/.test(path)) r -= 3;
  return r;
}

/** The bytes of a font that draws every character of `text`, or undefined when none is installed. */
export async function fontFor(text: string, fontName: string): Promise<Uint8Array | undefined> {
  const codePoints = [...new Set([...text].map((c) => c.codePointAt(0)!).filter((cp) => cp > 0x20 && cp !== 0x7f))];
  const matched = await runTool('fc-match', ['--format=%{file}', `${fontName.replace(/[:\\-]/g, ' ')}`], TOOL_LIMITS);
  const first = matched.code === 0 ? await load(matched.stdout.toString('utf8').trim()) : undefined;
  if (first && covers(first, codePoints)) return first;
  if (codePoints.length === 0) return first;
  const listed = await runTool('fc-list', [`:charset=${codePoints.map((cp) => cp.toString(16)).join(' ')}`, 'file'], TOOL_LIMITS);
  if (listed.code !== 0) return undefined;
  const paths = listed.stdout
    .toString('utf8')
    .split('\n')
    .map((l) => l.replace(/:\s*$/, '').trim())
    .filter((p) => /\.(ttf|otf)$/i.test(p))
    .sort((a, b) => rank(a) - rank(b));
  for (const p of paths.slice(0, 8)) {
    const bytes = await load(p);
    if (bytes && covers(bytes, codePoints)) return bytes;
  }
  return undefined;
}
