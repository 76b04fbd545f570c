// Watermark bench (issue 6): what burning a text watermark into a page costs, as a ratio to drawing
// the same page without it, for every page output (SVG, PNG, JPEG, thumbnail, tile), aim ≤ 1.3×.
// In-process and sequential: each sample draws one page with and without the watermark back to back,
// so both halves see the same machine load; the table gives medians over all samples.
import { join } from 'node:path';
import { createPdfEngine } from '../src/engines/pdf/engine.ts';
import { parsePpm } from '../src/engines/pdf/ppm.ts';
import { runTool } from '../src/engines/pdf/run-tool.ts';
import { resizeSvgRoot } from '../src/rendering/svg.ts';
import { clearOverlayCache, encode, tileRegion, watermarkPixels, watermarkRaster } from '../src/watermarks/raster.ts';
import { parseWatermarks, type Watermark } from '../src/watermarks/spec.ts';
import { watermarkSvg } from '../src/watermarks/svg.ts';
import { CORPUS } from '../test/helpers/quire.ts';
import type { Bench, BenchContext, BenchReport } from './lib/types.ts';

const PDF = join(CORPUS, 'pdf/font-size-test.pdf');
const AIM = 1.3;
const SCALE_TILE = 2;
const TILE = 512;

// The seed page's creation example, and a page-wide diagonal stamp.
const SEED = {
  type: 'text', opacity: 0.6, text: 'jdoe\n67.79.169.114\n11/13/2014 2:24 PM\nNOT FOR DISTRIBUTION', color: 'red',
  fontFamily: 'Consolas', fontSize: '16pt', fontWeight: 'bold', verticalAlign: 'bottom', horizontalAlign: 'right',
};
const DIAGONAL = { type: 'diagonalText', text: 'CONFIDENTIAL', color: 'gray', opacity: 0.3 };

interface Sample { base: number; marked: number }
interface Workload {
  name: string;
  /** Draws sample `k` (page k mod pages, or tile k mod tiles) without and with the watermark. */
  base(k: number): Promise<unknown>;
  marked(k: number): Promise<unknown>;
}

const bench: Bench = {
  name: 'watermark',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const engine = createPdfEngine({ concurrency: 1 });
    const info = await engine.inspect(PDF);
    const pages = info.pages.map((p) => ({ width: round2((p.width * 96) / 72), height: round2((p.height * 96) / 72) }));
    const n = info.pageCount;
    const seed = parseWatermarks([SEED]);
    const both = parseWatermarks([SEED, DIAGONAL]);

    const svg = async (k: number) => { const i = k % n; return resizeSvgRoot(await engine.renderSvg(PDF, i), pages[i]!.width, pages[i]!.height); };
    const png = (k: number, q?: { format?: 'png' | 'jpeg'; dpi?: number; width?: number; height?: number; tile?: { x: number; y: number; w: number; h: number } }) =>
      engine.renderRaster(PDF, k % n, { format: q?.format ?? 'png', ...(q?.width ? { width: q.width, height: q.height! } : { dpi: q?.dpi ?? 96 }), ...(q?.tile ? { tile: q.tile } : {}) });
    // The hook: pdftoppm's pixels are watermarked before the one encode (what render-raster.ts would call).
    const rawPage = async (k: number) => {
      const i = k % n;
      const r = await runTool('pdftoppm', ['-f', String(i + 1), '-l', String(i + 1), '-singlefile', '-r', '96', '--', PDF], { timeoutMs: 30_000, maxStdoutBytes: 64 << 20 });
      return parsePpm(r.stdout);
    };
    const tiles = tileGrid(pages[0]!, SCALE_TILE);
    const tileOf = (k: number) => tiles[k % tiles.length]!;
    const pageOf = (k: number) => pages[k % n]!;

    const workloads = (ws: Watermark[], label: string): Workload[] => [
      { name: `SVG page, ${label}`, base: svg, marked: async (i) => watermarkSvg(await svg(i), pageOf(i), ws) },
      { name: `PNG page (Scale 1), ${label}, re-encoding`, base: (i) => png(i), marked: async (i) => watermarkRaster(await png(i), 'png', { page: pageOf(i) }, ws) },
      {
        name: `PNG page (Scale 1), ${label}, hook before encoding`,
        base: async (i) => encode(await rawPage(i), 'png'),
        marked: async (i) => encode(await watermarkPixels(await rawPage(i), { page: pageOf(i) }, ws), 'png'),
      },
      { name: `JPEG page (Scale 1), ${label}, re-encoding`, base: (i) => png(i, { format: 'jpeg' }), marked: async (i) => watermarkRaster(await png(i, { format: 'jpeg' }), 'jpeg', { page: pageOf(i) }, ws) },
      { name: `thumbnail 300×300, ${label}, re-encoding`, base: (i) => png(i, { width: 300, height: 300 }), marked: async (i) => watermarkRaster(await png(i, { width: 300, height: 300 }), 'png', { page: pageOf(i) }, ws) },
      {
        // Every tile is drawn once and then cached on disk, so its overlay is always a first render.
        name: `tile ${TILE}² at Scale ${SCALE_TILE}, ${label}, re-encoding, overlay not cached`,
        base: (k) => png(0, { dpi: 96 * SCALE_TILE, tile: tileOf(k) }),
        marked: async (k) => {
          const t = tileOf(k);
          clearOverlayCache();
          return watermarkRaster(await png(0, { dpi: 96 * SCALE_TILE, tile: t }), 'png', { page: pages[0]!, region: tileRegion(t, SCALE_TILE, pages[0]!) }, ws);
        },
      },
      {
        name: `PNG page (Scale 1), ${label}, hook before encoding, overlay not cached`,
        base: async (i) => encode(await rawPage(i), 'png'),
        marked: async (i) => { clearOverlayCache(); return encode(await watermarkPixels(await rawPage(i), { page: pageOf(i) }, ws), 'png'); },
      },
      {
        name: `PNG page (Scale 1), ${label}, re-encoding, overlay not cached (first page of a size)`,
        base: (i) => png(i),
        marked: async (i) => { clearOverlayCache(); return watermarkRaster(await png(i), 'png', { page: pageOf(i) }, ws); },
      },
    ];
    const all = [...workloads(seed, 'seed text'), ...workloads(both, 'seed text + diagonal')];

    const s = ctx.settings;
    const perWorkloadMs = (s.durationSeconds * 1000) / all.length;
    ctx.log(`${all.length} workloads, ${s.rounds} rounds of ~${(perWorkloadMs / 1000).toFixed(1)} s each, warm-up ${s.warmupSeconds} s`);
    // Warm-up: fonts (fontconfig's first lookup), sharp, the page cache, the JIT.
    const warmUntil = performance.now() + s.warmupSeconds * 1000;
    let w = 0;
    while (performance.now() < warmUntil) {
      const x = all[w++ % all.length]!;
      await x.base(w);
      await x.marked(w);
    }
    const samples = new Map<string, Sample[]>(all.map((x) => [x.name, []]));
    for (let round = 0; round < s.rounds; round++) {
      for (const x of all) {
        const until = performance.now() + perWorkloadMs;
        let i = 0;
        do {
          // Alternate which half goes first so neither always follows the other's cache effects.
          const t0 = performance.now();
          if (i % 2 === 0) await x.base(i); else await x.marked(i);
          const t1 = performance.now();
          if (i % 2 === 0) await x.marked(i); else await x.base(i);
          const t2 = performance.now();
          samples.get(x.name)!.push(i % 2 === 0 ? { base: t1 - t0, marked: t2 - t1 } : { base: t2 - t1, marked: t1 - t0 });
          i++;
        } while (performance.now() < until || i < 6);
      }
      ctx.log(`round ${round + 1}/${s.rounds} done`);
    }

    const sizes = await outputSizes(svg, png, pages[0]!, both);
    const rows = all.map((x) => {
      const ss = samples.get(x.name)!;
      const base = median(ss.map((v) => v.base));
      const marked = median(ss.map((v) => v.marked));
      const ratio = marked / base;
      return [x.name, String(ss.length), base.toFixed(2), marked.toFixed(2), `+${(marked - base).toFixed(2)}`, `${ratio.toFixed(2)}×`, ratio <= AIM ? 'met' : '**missed**'];
    });
    return {
      title: 'Watermarks: cost per page output',
      description: `
Each sample draws one page of \`font-size-test.pdf\` (A4, ${n} pages, cycled; shared corpus) without and then with
the watermarks, in the bench's own process, one after the other (no concurrency), so each pair sees the same
load; order alternates between samples. Page drawing is the PDF engine's (pdftocairo + pdftotext for SVG,
pdftoppm + sharp for rasters); the watermark is added by \`src/watermarks/\`. Watermarks: the seed page's
example (4 lines, 16pt bold, bottom right, opacity 0.6), and that plus a page-wide diagonal "CONFIDENTIAL".
*Re-encoding*: \`watermarkRaster\` on the engine's PNG/JPEG (decode, blend, encode again). *Hook*: \`watermarkPixels\`
on pdftoppm's pixels before the one encode (the change proposed for \`render-raster.ts\`; here pdftoppm is run by
the bench the way the engine runs it). Overlays (the watermark drawn by librsvg for one page size) are cached in
memory unless the row says otherwise. Times are medians in ms; aim: ratio ≤ ${AIM}×.`,
      header: ['output', 'samples', 'plain ms', 'watermarked ms', 'added ms', 'ratio', `aim ≤ ${AIM}×`],
      rows,
      notes: [
        `Sizes (page 1, seed text + diagonal): SVG ${sizes.svg[0]} → ${sizes.svg[1]} bytes; PNG ${sizes.png[0]} → ${sizes.png[1]} bytes.`,
        `${s.rounds} rounds, ${s.durationSeconds} s per round over all rows, ${s.warmupSeconds} s warm-up.`,
      ],
      raw: { samples: Object.fromEntries(samples), sizes, settings: s },
    };
  },
};
export default bench;

async function outputSizes(
  svg: (k: number) => Promise<string>,
  png: (k: number) => Promise<Buffer>,
  page: { width: number; height: number },
  ws: Watermark[],
): Promise<{ svg: [number, number]; png: [number, number] }> {
  const s = await svg(0);
  const p = await png(0);
  const marked = await watermarkRaster(p, 'png', { page }, ws);
  return { svg: [Buffer.byteLength(s), Buffer.byteLength(watermarkSvg(s, page, ws))], png: [p.length, marked.length] };
}

function tileGrid(page: { width: number; height: number }, scale: number) {
  const w = Math.round(page.width * scale);
  const h = Math.round(page.height * scale);
  const out: { x: number; y: number; w: number; h: number }[] = [];
  for (let y = 0; y < h; y += TILE) for (let x = 0; x < w; x += TILE) out.push({ x, y, w: TILE, h: TILE });
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const round2 = (v: number) => Math.round(v * 100) / 100;
