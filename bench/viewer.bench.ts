// Viewer bench (issue 8): time from opening the viewer to its first page painted, for a cached
// ~50-page document, in Debian's Chromium: Quire's /viewer/{id} (default PNG pages, and SVG pages)
// against pdf.js (pdfjs-dist's PDFViewer, the component its generic viewer is built on) opening the
// same document's PDF — the one Quire made — from a local static server. Aim: Quire's first page
// paints at least as fast.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { docxBytes, pagedPair } from '../test/helpers/comparison-docs.ts';
import { launchChromium } from '../test/helpers/browser.ts';
import { call, ROOT, startQuire } from '../test/helpers/quire.ts';
import { onCleanup, track } from './lib/processes.ts';
import type { Bench, BenchContext, BenchReport } from './lib/types.ts';

const V1 = '/PCCIS/V1/ViewingSession';
const PAGES_WANTED = 50;
const WARMUP = 2;
const VIEWPORT = { width: 1280, height: 900 };
const PDFJS = resolve(ROOT, 'node_modules/pdfjs-dist');

interface Samples {
  quire: Sample[];
  quireSvg: Sample[];
  pdfjs: Sample[];
}

interface Sample {
  /** ms from navigation start to the frame after the first page was drawn. */
  firstPaint: number;
  /** Bytes the browser received until then (compressed, as sent). */
  bytes: number;
  requests: number;
}

const bench: Bench = {
  name: 'viewer',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const quire = await startQuire({ env: { QUIRE_LOG_LEVEL: 'warn' } });
    track(quire.process);
    const forgetQuire = onCleanup(() => quire.dispose());
    let browser: Browser | undefined;
    let pdfServer: Server | undefined;
    try {
      // A generated document (the corpus has no long one), converted once and every page cached.
      const docx = docxBytes(pagedPair(Math.round(PAGES_WANTED * 1.04), 1).original);
      const created = await call(quire, 'POST', V1, { json: {} });
      const sid = String(created.body.viewingSessionId);
      const put = await call(quire, 'PUT', `${V1}/u${sid}/SourceFile?FileExtension=docx`, { body: docx });
      if (put.status !== 200) throw new Error(`upload answered ${put.status}`);
      // The document's attributes wait for the exact count (page 0's may answer an estimate while converting).
      const attrs = await call(quire, 'GET', `/PCCIS/V1/Document/q/Attributes?DocumentID=u${sid}`);
      if (attrs.status !== 200) throw new Error(`attributes answered ${attrs.status}: ${attrs.bytes}`);
      const pageCount = Number(attrs.body.pageCount);
      ctx.log(`document: ${pageCount} pages; warming Quire's cache (pages, text, thumbnails)`);
      for (let n = 0; n < pageCount; n++) {
        for (const path of [`/PCCIS/V1/Page/q/${n}?DocumentID=u${sid}&ContentType=svgb`, `/PCCIS/V1/Page/q/${n}/240x311?DocumentID=u${sid}`]) {
          const r = await call(quire, 'GET', path);
          if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
        }
      }
      await call(quire, 'GET', `/PCCIS/V1/Document/q/0-${pageCount - 1}/Text?DocumentID=u${sid}`);
      const pdf = findPdf(quire.dataDir);
      pdfServer = await servePdfJs(pdf);
      const pdfUrl = `http://127.0.0.1:${(pdfServer.address() as { port: number }).port}/`;

      browser = await launchChromium();
      const quireUrl = `${quire.baseUrl}/viewer/${sid}`;
      const iterations = Math.max(10, ctx.settings.rounds * 5);
      ctx.log(`${WARMUP} warm-up + ${iterations} measured openings per side, interleaved, each in a fresh browser context (cold browser cache)`);
      // The warm-up openings also make the page-1 PNG at this viewport's zoom (the rest is cached above).
      const samples: Samples = { quire: [], quireSvg: [], pdfjs: [] };
      for (let i = 0; i < WARMUP + iterations; i++) {
        const q = await openOnce(browser, quireUrl, 'quire');
        const p = await openOnce(browser, pdfUrl, 'pdfjs');
        const s = await openOnce(browser, `${quireUrl}?render=svg`, 'quire');
        if (i >= WARMUP) {
          samples.quire.push(q);
          samples.pdfjs.push(p);
          samples.quireSvg.push(s);
        }
      }
      return report(samples, { pageCount, pdfBytes: statSync(pdf).size, docxBytes: docx.length, iterations });
    } finally {
      await browser?.close();
      await new Promise((r) => (pdfServer ? pdfServer.close(r) : r(undefined)));
      forgetQuire();
      await quire.dispose();
    }
  },
};
export default bench;

/** Opens one viewer in a fresh context and waits for its first page to be on screen. */
async function openOnce(browser: Browser, url: string, side: 'quire' | 'pdfjs'): Promise<Sample> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    if (side === 'quire') {
      // Quire's viewer announces each drawn page as a DOM event (after the image loaded, in a frame).
      await page.addInitScript(() => {
        document.addEventListener('quire:pagerender', (e) => {
          const w = window as unknown as { __firstPaint?: number };
          if ((e as CustomEvent<{ page: number }>).detail.page === 1 && w.__firstPaint === undefined) {
            requestAnimationFrame(() => (w.__firstPaint ??= performance.now()));
          }
        });
      });
    }
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __firstPaint?: number }).__firstPaint !== undefined, null, { timeout: 60_000, polling: 50 });
    return await page.evaluate(() => {
      const t = (window as unknown as { __firstPaint: number }).__firstPaint;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const res = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((r) => r.responseEnd <= t);
      return { firstPaint: t, bytes: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0), requests: 1 + res.length };
    });
  } finally {
    await context.close();
  }
}

/** Quire's own PDF of the document (renditions/<key>/document.pdf). */
function findPdf(dataDir: string): string {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name === 'document.pdf' ? [join(dir, e.name)] : []));
  const found = walk(join(dataDir, 'renditions'));
  if (found.length !== 1) throw new Error(`expected one document.pdf in the renditions, found ${found.length}`);
  return found[0]!;
}

/** The page pdf.js's examples use: PDFViewer + EventBus + PDFLinkService, scale 'auto' as the generic viewer. */
const PDFJS_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>pdf.js</title>
<link rel="stylesheet" href="/pdfjs/web/pdf_viewer.css">
<style>html,body{margin:0;height:100%} #viewerContainer{position:absolute;inset:0;overflow:auto;background:#e8eaed}</style>
</head><body>
<div id="viewerContainer"><div id="viewer" class="pdfViewer"></div></div>
<script type="module">
  import * as pdfjsLib from '/pdfjs/build/pdf.min.mjs';
  globalThis.pdfjsLib = pdfjsLib;
  pdfjsLib.GlobalWorkerOptions.workerSrc = '/pdfjs/build/pdf.worker.min.mjs';
  const { EventBus, PDFLinkService, PDFViewer } = await import('/pdfjs/web/pdf_viewer.mjs');
  const eventBus = new EventBus();
  const linkService = new PDFLinkService({ eventBus });
  const container = document.getElementById('viewerContainer');
  const viewer = new PDFViewer({ container, eventBus, linkService });
  linkService.setViewer(viewer);
  eventBus.on('pagesinit', () => (viewer.currentScaleValue = 'auto'));
  eventBus.on('pagerendered', (e) => {
    if (e.pageNumber === 1 && window.__firstPaint === undefined) requestAnimationFrame(() => (window.__firstPaint ??= performance.now()));
  });
  const doc = await pdfjsLib.getDocument({ url: '/document.pdf' }).promise;
  viewer.setDocument(doc);
  linkService.setDocument(doc, null);
</script></body></html>`;

const TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.pdf': 'application/pdf', '.html': 'text/html' };

/** A static server for pdf.js and the PDF, with byte ranges (pdf.js asks for them) as any web server has. */
function servePdfJs(pdfPath: string): Promise<Server> {
  const pdf = readFileSync(pdfPath);
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    let body: Buffer;
    if (path === '/') body = Buffer.from(PDFJS_PAGE);
    else if (path === '/document.pdf') body = pdf;
    else if (path.startsWith('/pdfjs/') && !path.includes('..')) {
      try {
        body = readFileSync(join(PDFJS, path.slice('/pdfjs/'.length)));
      } catch {
        res.writeHead(404).end();
        return;
      }
    } else {
      res.writeHead(404).end();
      return;
    }
    const type = path === '/' ? 'text/html' : (TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream');
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && path === '/document.pdf') {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      res.writeHead(206, { 'content-type': type, 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1, 'accept-ranges': 'bytes' });
      res.end(body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'accept-ranges': 'bytes' });
    res.end(body);
  });
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res(server)));
}

function report(samples: Samples, info: { pageCount: number; pdfBytes: number; docxBytes: number; iterations: number }): BenchReport {
  const q = stats(samples.quire.map((s) => s.firstPaint));
  const p = stats(samples.pdfjs.map((s) => s.firstPaint));
  const v = stats(samples.quireSvg.map((s) => s.firstPaint));
  const kb = (xs: Sample[]) => `${(median(xs.map((s) => s.bytes)) / 1024).toFixed(0)} KB / ${median(xs.map((s) => s.requests))}`;
  const met = q.median <= p.median;
  const row = (name: string, s: typeof q, xs: Sample[], aim: string) => [name, s.median.toFixed(0), s.p90.toFixed(0), `${s.min.toFixed(0)}–${s.max.toFixed(0)}`, kb(xs), aim];
  return {
    title: 'Viewer: opening to first page painted',
    description: `
A ${info.pageCount}-page document (generated DOCX, ${(info.docxBytes / 1024).toFixed(0)} KB), converted once by Quire, every page's SVG,
thumbnail and text already cached (the page-1 PNG at the viewer's zoom is made by the warm-up openings). Debian's Chromium (headless, ${VIEWPORT.width}×${VIEWPORT.height}) opens, each time in a fresh browser
context (empty browser cache):

- **Quire**: \`/viewer/{id}\` — the page, its script and stylesheet, page 1's attributes (preloaded by the page), then page 1
  as a PNG at the screen's resolution for the zoom (the viewer's default, see docs/viewer.md).
- **Quire, SVG pages**: \`/viewer/{id}?render=svg\` — the same with page 1 as SVG.
- **pdf.js**: pdfjs-dist's \`PDFViewer\` (the component pdf.js's generic viewer is built on; pdfjs-dist does not ship the
  generic viewer's app itself), minified builds, scale \`auto\`, opening the PDF Quire made of the same document
  (${(info.pdfBytes / 1024).toFixed(0)} KB) from a local static server with byte ranges.

Openings rotate Quire, pdf.js, Quire SVG. Time is measured in the page, from navigation start to the animation frame after the first page was drawn (Quire: its
\`pagerender\` event, fired after page 1's image loaded; pdf.js: its \`pagerendered\` event). ${WARMUP} warm-up openings per side,
then ${info.iterations} measured per side, interleaved. Bytes / requests: what the browser received until then.`,
    header: ['viewer', 'median ms', 'p90 ms', 'min–max ms', 'bytes / requests to first paint', 'aim'],
    rows: [
      row('Quire `/viewer/{id}`', q, samples.quire, `≤ pdf.js: ${met ? 'met' : '**missed**'}`),
      row('Quire, SVG pages', v, samples.quireSvg, '—'),
      row('pdf.js PDFViewer', p, samples.pdfjs, '—'),
    ],
    notes: [
      `Quire's median is ${(q.median / p.median).toFixed(2)} × pdf.js's (SVG pages: ${(v.median / p.median).toFixed(2)} ×).`,
      'SVG pages are slower to first paint because Chromium parses Quire\'s text-heavy page SVGs (thousands of glyph \`<use>\` elements, ~440 KB) on the main thread; that is why the viewer draws PNGs at screen resolution by default.',
    ],
    raw: { samples, info },
  };
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: median(s), p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))]!, min: s[0]!, max: s[s.length - 1]! };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
