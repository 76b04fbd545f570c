// Watermark bench (issue 6): what burning a text watermark into a page costs, as a ratio to drawing
// the same page without it, for every page output (SVG, PNG, JPEG, thumbnail, tile), aim ≤ 1.3×.
// Each row is what the server does (src/rendering/renderer.ts draw): the PDF engine's renderRaster
// with the `beforeEncode` hook from burnHook (overlays drawn while pdftoppm runs, blended before the
// one encode), and watermarkSvg on the engine's SVG. The
// drawn watermark ("overlay") is cached in memory per watermark, page size, region and pixel size;
// "not cached" rows clear that cache first: the first raster of a session at a zoom level (or of any
// tile, since each tile has its own region).
// In-process and sequential: each sample draws one page with and without the watermark back to back,
// so both halves see the same machine load; the table gives medians over all samples.
import { join } from 'node:path';
import { createPdfEngine } from '../src/engines/pdf/engine.ts';
import { expectedSize } from '../src/rendering/renderer.ts';
import { resizeSvgRoot } from '../src/rendering/svg.ts';
import { burnHook, clearOverlayCache, tileRegion } from '../src/watermarks/raster.ts';
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
    type Shape = { format?: 'png' | 'jpeg'; dpi?: number; width?: number; height?: number; tile?: { x: number; y: number; w: number; h: number } };
    // The engine's raster; with `ws`, burned in through the hook as the renderer does it.
    const raster = (k: number, q: Shape, ws?: Watermark[], region?: { x: number; y: number; w: number; h: number }) => {
      const i = q.tile ? 0 : k % n;
      const shape = { ...(q.width ? { width: q.width, height: q.height! } : { dpi: q.dpi ?? 96 }), ...(q.tile ? { tile: q.tile } : {}) };
      // As Renderer.draw: the overlay starts drawing at the expected size while pdftoppm draws the page.
      const hook = ws ? { beforeEncode: burnHook(ws, { page: pages[i]!, ...(region ? { region } : {}) }, expectedSize(pages[i]!, shape)) } : {};
      return engine.renderRaster(PDF, i, { format: q.format ?? 'png', ...shape, ...hook });
    };
    const tiles = tileGrid(pages[0]!, SCALE_TILE);
    const tileOf = (k: number) => tiles[k % tiles.length]!;
    const pageOf = (k: number) => pages[k % n]!;

    const rasters: { name: string; shape: (k: number) => Shape; region?: (k: number) => { x: number; y: number; w: number; h: number } }[] = [
      { name: 'PNG page (Scale 1)', shape: () => ({}) },
      { name: 'JPEG page (Scale 1)', shape: () => ({ format: 'jpeg' }) },
      { name: 'thumbnail 300×300', shape: () => ({ width: 300, height: 300 }) },
      { name: `tile ${TILE}² at Scale ${SCALE_TILE}`, shape: (k) => ({ dpi: 96 * SCALE_TILE, tile: tileOf(k) }), region: (k) => tileRegion(tileOf(k), SCALE_TILE, pages[0]!) },
    ];
    const workloads = (ws: Watermark[], label: string): Workload[] => [
      { name: `SVG page, ${label}`, base: svg, marked: async (i) => watermarkSvg(await svg(i), pageOf(i), ws) },
      ...rasters.flatMap((r) => [true, false].map((cached) => ({
        name: `${r.name}, ${label}, overlay ${cached ? 'cached' : 'not cached'}`,
        base: (k: number) => raster(k, r.shape(k)),
        marked: (k: number) => {
          if (!cached) clearOverlayCache();
          return raster(k, r.shape(k), ws, r.region?.(k));
        },
      }))),
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

    const sizes = await outputSizes(svg, raster, pages[0]!, both);
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
load; order alternates between samples. Every row is the server's own path (\`Renderer.draw\`): SVG pages are
the PDF engine's (pdftocairo + pdftotext) with \`watermarkSvg\`; rasters are the engine's \`renderRaster\`
(pdftoppm, then sharp encodes) with the \`beforeEncode\` hook (\`burnHook\`) blending the overlays into the decoded
pixels before the one encode; the overlays start drawing, at the size the engine will give, when the draw starts,
so librsvg works while pdftoppm does. Watermarks: the seed page's example (4 lines, 16pt bold, bottom right, opacity 0.6), and
that plus a page-wide diagonal "CONFIDENTIAL" (opacity 0.3). *Overlay*: a watermark drawn by librsvg for one page
size, region and pixel size, kept in memory; *not cached* rows forget them before each watermarked draw (the
first raster of a session at a zoom level; every tile, whose region is its own). Re-encoding an engine PNG/JPEG
(\`watermarkRaster\`) is not used by the server and not measured. Times are medians in ms; aim: ratio ≤ ${AIM}×.`,
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
  raster: (k: number, q: object, ws?: Watermark[]) => Promise<Buffer>,
  page: { width: number; height: number },
  ws: Watermark[],
): Promise<{ svg: [number, number]; png: [number, number] }> {
  const s = await svg(0);
  const [p, marked] = [await raster(0, {}), await raster(0, {}, ws)];
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
