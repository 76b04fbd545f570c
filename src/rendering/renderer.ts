// Turns a stored document into pages: converts it once to PDF (LibreOffice for office and text
// formats, the image engine for pictures, nothing at all for PDFs), then draws each page and
// extracts its text on demand. Everything is cached in the RenditionStore under the rendition key
// and made once however many requests ask at the same time (single-flight).
//
// Progressive: a long office document (or one whose session asks for `countOfInitialPages`) is
// exported twice at once, its first pages alone and the whole; pages and text of the first ones are
// served from the short export while the whole one runs (LibreOffice lays out the whole document
// for either, so the first pages are the same; docs/api-prizmdoc.md has the measurements).
//
// Coordinate space: CSS pixels at 96 dpi. Page sizes, SVG width/height, text rectangles and
// `Scale=1` rasters all use it, so a viewer can lay them over each other.
import type { FastifyBaseLogger } from 'fastify';
import { rm } from 'node:fs/promises';
import { sanitizeHtmlFile } from '../engines/html/sanitize.ts';
import { QuireError } from '../domain/errors.ts';
import { isStorageFull } from '../storage/storage-full.ts';
import { formatOf } from '../formats/formats.ts';
import type { BlobStore, DocumentRef } from '../storage/ports.ts';
import type { Clock } from '../domain/clock.ts';
import { RenditionStore } from '../renditions/rendition-store.ts';
import { SingleFlight } from '../renditions/single-flight.ts';
import type { Engines, PageSize, PageText } from './engines.ts';
import type { ConvertOptions } from '../engines/libreoffice/pool.ts';
import { type PageRequest, variantName, contentTypeOf } from './page-request.ts';
import { resizeSvgRoot } from './svg.ts';
import { planRaster, type RasterRequest } from '../engines/pdf/raster-geometry.ts';
import { burnHook, tileRegion } from '../watermarks/raster.ts';
import { workFileIdsOf, type Watermark, type WatermarkImage } from '../watermarks/spec.ts';
import { watermarkSvg } from '../watermarks/svg.ts';
import { CHANGES, makeRedline, REDLINE_DOCX, type Change } from './redline.ts';
import { estimatePages, UNKNOWN, type PageEstimate } from './page-estimate.ts';

export const PX_PER_PT = 96 / 72;

/** The bytes of an image watermark named by work file id, checked (src/watermarks/spec.ts checkImage). */
export type WatermarkImageSource = (tenant: string, fileId: string) => Promise<WatermarkImage>;

interface Burn {
  list: Watermark[];
  images?: ReadonlyMap<string, WatermarkImage>;
}

export interface RenderTarget {
  /** sha256 hex naming the rendition: who may share it and what it is made of (see rendition-key.ts). */
  key: string;
  doc: DocumentRef;
  password: string | null;
  /** Where drawn pages go when they differ from the document's (watermarked pages are the session's own). */
  pagesKey?: string;
  /** Burned into every page drawn (src/watermarks/); images named by work file id are the tenant's. */
  watermarks?: { list: Watermark[]; tenant: string };
  /** A comparison session: the document drawn is the redline of these two (see redline.ts). */
  comparison?: { original: DocumentRef; revised: DocumentRef };
  /** The session's `countOfInitialPages`: export these first, ahead of the whole document (office formats). */
  firstPages?: number;
}

export interface Prepared {
  pdfPath: string;
  pageCount: number;
  /** CSS pixels. */
  pages: PageSize[];
}

interface Manifest {
  version: 1;
  /** "source": the uploaded file is the PDF; "own": Quire wrote document.pdf. */
  pdf: 'source' | 'own';
  pageCount: number;
  pages: PageSize[];
}

const PDF_NAME = 'document.pdf';
const FIRST_NAME = 'first-pages.pdf';
const MANIFEST = 'manifest.json';
/** Without `countOfInitialPages`, documents estimated at this many pages or more get their first pages exported first. */
const LONG_DOCUMENT_PAGES = 20;
/** How many first pages then: what a viewer shows at once. */
const DEFAULT_FIRST_PAGES = 2;
/** The short export is removed this long after the whole document is ready (a page may still be drawing from it). */
const FIRST_PAGES_GRACE_MS = 5 * 60_000;

export class Renderer {
  private readonly store: RenditionStore;
  private readonly engines: Engines;
  private readonly blobs: BlobStore;
  private readonly clock: Clock;
  private readonly log: FastifyBaseLogger;
  private readonly preparing = new SingleFlight<Prepared>();
  private readonly drawing = new SingleFlight<Buffer>();
  private readonly reading = new SingleFlight<PageText>();
  /** Recently prepared documents, so a page request does not re-read the manifest. */
  private readonly ready = new Map<string, Prepared>();
  /** Documents being prepared: their first pages, once exported ahead of the whole (undefined: none are). */
  private readonly firstPending = new Map<string, Promise<Prepared | undefined>>();
  private readonly firstReady = new Map<string, Prepared>();
  private readonly estimates = new Map<string, PageEstimate>();

  private readonly watermarkImage: WatermarkImageSource;

  constructor(deps: { store: RenditionStore; engines: Engines; blobs: BlobStore; clock: Clock; log: FastifyBaseLogger; watermarkImage: WatermarkImageSource }) {
    this.watermarkImage = deps.watermarkImage;
    this.store = deps.store;
    this.engines = deps.engines;
    this.blobs = deps.blobs;
    this.clock = deps.clock;
    this.log = deps.log;
  }

  /** The prepared document if it is ready now, without starting anything. */
  peek(t: RenderTarget): Prepared | undefined {
    return this.ready.get(t.key);
  }

  prepare(t: RenderTarget): Promise<Prepared> {
    const hit = this.ready.get(t.key);
    if (hit) return Promise.resolve(hit);
    return this.preparing.run(t.key, async () => {
      // Set before the first await, so every request joining this flight sees it.
      let settleFirst!: (p: Prepared | undefined) => void;
      this.firstPending.set(t.key, new Promise((res) => (settleFirst = res)));
      try {
        const p = (await this.fromManifest(t)) ?? (await this.convert(t, settleFirst));
        this.remember(t.key, p);
        void this.store.touch(t.key, this.clock.now());
        return p;
      } finally {
        settleFirst(undefined);
        this.firstPending.delete(t.key);
        this.firstReady.delete(t.key);
      }
    });
  }

  /** How many pages (from page 0) can be drawn now without waiting, and whether that is all of them. */
  available(t: RenderTarget): { pageCount: number; final: boolean } {
    const whole = this.ready.get(t.key);
    if (whole) return { pageCount: whole.pageCount, final: true };
    return { pageCount: this.firstReady.get(t.key)?.pageCount ?? 0, final: false };
  }

  /**
   * The page count with at least `confidence` (0–100; 100 = exact), as soon as it is known that well:
   * exact once converted (PDFs and pictures at once: they need no conversion), else the package's own
   * count while the document converts (src/rendering/page-estimate.ts). Starts the conversion.
   */
  async pageCount(t: RenderTarget, confidence: number): Promise<PageEstimate> {
    const whole = this.prepare(t);
    const exact = (p: Prepared): PageEstimate => ({ pageCount: p.pageCount, confidence: 100 });
    const family = formatOf(t.doc.extension)?.family;
    if (t.comparison || (family !== 'pdf' && family !== 'image')) {
      // A document converted before (a cache hit after a restart) is ready in a moment: say so exactly.
      let timer: NodeJS.Timeout | undefined;
      const soon = await Promise.race([whole, new Promise<undefined>((res) => (timer = setTimeout(() => res(undefined), 25)))]).finally(() => clearTimeout(timer));
      if (soon) return exact(soon);
      const guess = await this.packageEstimate(t);
      const first = this.firstReady.get(t.key);
      if (guess.confidence >= confidence) {
        whole.catch(() => {}); // the conversion's failure is the next content request's answer
        return first && first.pageCount > guess.pageCount ? { ...guess, pageCount: first.pageCount } : guess;
      }
    }
    return exact(await whole);
  }

  /** Resolves true once page `index` can be drawn (or the document is ready), false after `ms`; rejects if the conversion fails. */
  async pageWithin(t: RenderTarget, index: number, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((res) => (timer = setTimeout(() => res(false), ms)));
    try {
      return await Promise.race([this.holding(t, index).then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Page `index`'s size as soon as the page can be drawn: from the first pages' export while the
   * whole document converts (see `available()` for whether the count is final yet). Undefined past the end.
   */
  async pageSize(t: RenderTarget, index: number): Promise<PageSize | undefined> {
    return (await this.holding(t, index)).pages[index];
  }

  async page(t: RenderTarget, index: number, req: PageRequest): Promise<{ data: Buffer; contentType: string }> {
    const p = await this.holding(t, index);
    checkIndex(p, index);
    const name = variantName(index, req);
    const key = t.pagesKey ?? t.key;
    const data = await this.drawing.run(`${key}/${name}`, async () => {
      const cached = await this.store.read(key, name);
      if (cached) return cached;
      const made = await this.draw(p, index, req, t.watermarks && (await this.watermarksFor(t.watermarks)));
      await this.keep(key, name, made);
      return made;
    });
    return { data, contentType: contentTypeOf(req) };
  }

  async text(t: RenderTarget, index: number): Promise<PageText> {
    const p = await this.holding(t, index);
    checkIndex(p, index);
    const name = `t${index}.json`;
    return this.reading.run(`${t.key}/${name}`, async () => {
      const cached = await this.store.readJson<PageText>(t.key, name);
      if (cached) return cached;
      const raw = await this.engines.pdf.pageText(p.pdfPath, index);
      const text = toPixels(raw);
      await this.keep(t.key, name, JSON.stringify(text));
      return text;
    });
  }

  /** Drawn pages and page text are a cache: on a full disk they are served without being kept. */
  private async keep(key: string, name: string, data: string | Uint8Array): Promise<void> {
    try {
      await this.store.write(key, name, data);
    } catch (err) {
      if (!isStorageFull(err)) throw err;
      this.log.warn({ key: key.slice(0, 12), name }, 'disk full: served without caching');
    }
  }

  /** A comparison session's change list and tracked-changes DOCX (made with its pages). */
  async redline(t: RenderTarget): Promise<{ changes: Change[]; docxPath: string; pdfPath: string }> {
    const p = await this.prepare(t);
    const changes = await this.store.readJson<Change[]>(t.key, CHANGES);
    if (!t.comparison || !changes) throw new QuireError('input', 'IncorrectUsage', 'This viewing session is not a comparison');
    return { changes, docxPath: this.store.path(t.key, REDLINE_DOCX), pdfPath: p.pdfPath };
  }

  /** Drops a private rendition (its session ended). */
  async drop(key: string): Promise<void> {
    this.ready.delete(key);
    await this.store.drop(key);
  }

  /**
   * A prepared PDF that holds page `index`: the first pages' export when it is out before the whole
   * document and has the page, else the whole document. Starts the conversion if nothing has.
   */
  private holding(t: RenderTarget, index: number): Promise<Prepared> {
    const hit = this.ready.get(t.key);
    if (hit) return Promise.resolve(hit);
    const whole = this.prepare(t);
    const first = this.firstPending.get(t.key);
    if (!first) return whole;
    return Promise.race([whole, first.then((f) => (f && index < f.pageCount ? f : whole))]);
  }

  private async packageEstimate(t: RenderTarget): Promise<PageEstimate> {
    if (t.comparison) return UNKNOWN;
    const known = this.estimates.get(t.key);
    if (known) return known;
    const e = await estimatePages(await this.blobs.localPath(t.doc.hash), t.doc.extension);
    if (this.estimates.size >= 1000) this.estimates.delete(this.estimates.keys().next().value!);
    this.estimates.set(t.key, e);
    return e;
  }

  /** How many first pages to export ahead of the whole document; 0 for none. */
  private async firstPagesFor(t: RenderTarget): Promise<number> {
    const e = await this.packageEstimate(t);
    const asked = t.firstPages ?? 0;
    const n = asked > 0 ? asked : e.pageCount >= LONG_DOCUMENT_PAGES ? DEFAULT_FIRST_PAGES : 0;
    // A document estimated no longer than its first pages is exported once.
    if (n === 0 || (e.confidence > 0 && e.pageCount <= n)) return 0;
    return n;
  }

  /** LibreOffice's PDF of the document, its first pages exported at the same time when it is long. */
  private async officeToPdf(t: RenderTarget, input: string, outPath: string, opts: ConvertOptions, settleFirst: (p: Prepared | undefined) => void): Promise<void> {
    const n = await this.firstPagesFor(t);
    if (n === 0) return this.engines.office.convert(input, outPath, opts);
    // Both jobs go to the pool now, the short one first: with an idle instance they run side by side.
    // If the short one fails (a document that hangs or crashes LibreOffice), the whole one would too:
    // it is dropped if it still waits for an instance, so the caller hears within one job limit, not two.
    const whole = new AbortController();
    const first = this.exportFirstPages(t, input, opts, n, (err) => {
      if (err instanceof QuireError && (err.code === 'ConversionTimedOut' || err.code === 'EngineCrashed')) whole.abort(err);
    }).then((p) => {
      if (p) this.firstReady.set(t.key, p);
      settleFirst(p);
    });
    try {
      await this.engines.office.convert(input, outPath, { ...opts, signal: whole.signal });
    } finally {
      await first;
    }
    // After a failure the file stays: the next attempt replaces it (atomically) and this timer must not remove that one.
    const timer = setTimeout(() => void rm(this.store.path(t.key, FIRST_NAME), { force: true }).catch(() => {}), FIRST_PAGES_GRACE_MS);
    timer.unref();
  }

  private async exportFirstPages(t: RenderTarget, input: string, opts: ConvertOptions, n: number, onFailure: (err: unknown) => void): Promise<Prepared | undefined> {
    const started = this.clock.now();
    let scratch: string | undefined;
    try {
      const out = await this.store.scratch(t.key, FIRST_NAME);
      scratch = out.path;
      await this.engines.office.convert(input, out.path, { ...opts, pages: `1-${n}` });
      await out.commit();
      const pdfPath = this.store.path(t.key, FIRST_NAME);
      const info = await this.engines.pdf.inspect(pdfPath);
      this.log.info({ key: t.key.slice(0, 12), ext: t.doc.extension, pages: info.pageCount, ms: this.clock.now() - started }, 'first pages prepared');
      return { pdfPath, pageCount: info.pageCount, pages: toPixelSizes(info.pages) };
    } catch (err) {
      // The whole document's export reports what went wrong; its first pages are only a head start.
      this.log.debug({ err, key: t.key.slice(0, 12) }, 'first pages could not be exported ahead');
      if (scratch) await rm(scratch, { force: true }).catch(() => {});
      onFailure(err);
      return undefined;
    }
  }

  private async draw(p: Prepared, index: number, req: PageRequest, wm?: Burn): Promise<Buffer> {
    const size = p.pages[index]!;
    if (req.kind === 'svg') {
      const svg = resizeSvgRoot(await this.engines.pdf.renderSvg(p.pdfPath, index), size.width, size.height);
      return Buffer.from(wm ? watermarkSvg(svg, size, wm.list, wm.images) : svg, 'utf8');
    }
    // Burned into the decoded pixels, before encoding: the same geometry as the SVG's. The overlay
    // starts drawing at the size the engine will give while the engine draws the page.
    const burn = (shape: RasterRequest, region?: { x: number; y: number; w: number; h: number }) =>
      wm ? { beforeEncode: burnHook(wm.list, { page: size, ...(region ? { region } : {}) }, expectedSize(size, shape), wm.images) } : {};
    if (req.kind === 'thumb') {
      const shape = { width: req.width, height: req.height };
      return this.engines.pdf.renderRaster(p.pdfPath, index, { format: req.format, ...shape, quality: req.quality, ...burn(shape) });
    }
    const shape = { dpi: 96 * req.scale, ...(req.tile ? { tile: req.tile } : {}) };
    return this.engines.pdf.renderRaster(p.pdfPath, index, {
      format: req.format,
      quality: req.quality,
      ...shape,
      ...burn(shape, req.tile ? tileRegion(req.tile, req.scale, size) : undefined),
    });
  }

  private async watermarksFor(w: NonNullable<RenderTarget['watermarks']>): Promise<Burn> {
    const ids = workFileIdsOf(w.list);
    if (ids.length === 0) return { list: w.list };
    const images = new Map(await Promise.all(ids.map(async (id) => [id, await this.watermarkImage(w.tenant, id)] as const)));
    return { list: w.list, images };
  }

  private async fromManifest(t: RenderTarget): Promise<Prepared | undefined> {
    const m = await this.store.readJson<Manifest>(t.key, MANIFEST);
    if (!m || m.version !== 1) return undefined;
    const pdfPath = m.pdf === 'source' ? await this.blobs.localPath(t.doc.hash) : this.store.path(t.key, PDF_NAME);
    return { pdfPath, pageCount: m.pageCount, pages: m.pages };
  }

  private async convert(t: RenderTarget, settleFirst: (p: Prepared | undefined) => void): Promise<Prepared> {
    const started = this.clock.now();
    const sourcePath = await this.blobs.localPath(t.doc.hash);
    const family = formatOf(t.doc.extension)?.family;
    const password = t.password ?? undefined;
    let kind: Manifest['pdf'] = 'own';
    let sourceInfo: { pageCount: number; pages: PageSize[] } | undefined;
    const out = await this.store.scratch(t.key, PDF_NAME);
    if (t.comparison) {
      await makeRedline(this.engines, this.store, this.blobs, { ...t, comparison: t.comparison }, PDF_NAME);
    } else if (family === 'pdf') {
      try {
        sourceInfo = await this.engines.pdf.inspect(sourcePath);
        kind = 'source';
      } catch (e) {
        if (!(e instanceof QuireError && e.code === 'DocumentRequiresPassword') || password === undefined) throw e;
        await this.engines.pdf.decrypt(sourcePath, out.path, password);
        await out.commit();
      }
    } else if (family === 'image') {
      await this.engines.image.imageToPdf(sourcePath, out.path, { extension: t.doc.extension });
      await out.commit();
    } else if (family === 'html') {
      const clean = await this.store.scratch(t.key, 'source.html');
      try {
        await sanitizeHtmlFile(sourcePath, clean.path);
        await this.officeToPdf(t, clean.path, out.path, { format: 'pdf', inputExtension: 'html' }, settleFirst);
      } finally {
        await rm(clean.path, { force: true });
      }
      await out.commit();
    } else if (family) {
      await this.officeToPdf(t, sourcePath, out.path, { format: 'pdf', inputExtension: t.doc.extension, ...(password !== undefined ? { password } : {}) }, settleFirst);
      await out.commit();
    } else {
      throw new QuireError('processing', 'UnsupportedSourceFileFormat', `Quire cannot render ${t.doc.extension} documents`);
    }
    const pdfPath = kind === 'source' ? sourcePath : this.store.path(t.key, PDF_NAME);
    // An uploaded PDF was inspected above already (pdfinfo costs ~15 ms on the first-page path).
    const info = sourceInfo ?? (await this.engines.pdf.inspect(pdfPath));
    const pages = toPixelSizes(info.pages);
    // The manifest only saves the next start an inspection: on a full disk the document is served without it.
    await this.keep(t.key, MANIFEST, JSON.stringify({ version: 1, pdf: kind, pageCount: info.pageCount, pages } satisfies Manifest));
    this.log.info({ key: t.key.slice(0, 12), ext: t.doc.extension, pages: info.pageCount, ms: this.clock.now() - started }, 'document prepared');
    return { pdfPath, pageCount: info.pageCount, pages };
  }

  private remember(key: string, p: Prepared): void {
    // A small LRU: Map keeps insertion order; re-inserting moves a key to the end.
    this.ready.delete(key);
    this.ready.set(key, p);
    if (this.ready.size > 1000) this.ready.delete(this.ready.keys().next().value!);
  }
}

/** The pixel size the PDF engine will give for a page of `size` (CSS px), or undefined if it would refuse. */
export function expectedSize(size: PageSize, shape: RasterRequest): { width: number; height: number } | undefined {
  const pt = { width: size.width / PX_PER_PT, height: size.height / PX_PER_PT };
  try {
    const plan = planRaster(pt, shape, Infinity);
    if (shape.width !== undefined || shape.height !== undefined || shape.dpi === undefined) return { width: plan.outWidth, height: plan.outHeight };
    // At a resolution pdftoppm rounds the page up (a crop is cut from that); 0.01 absorbs the rounding of `size`.
    const w = Math.ceil((pt.width * shape.dpi) / 72 - 0.01);
    const h = Math.ceil((pt.height * shape.dpi) / 72 - 0.01);
    const t = shape.tile;
    return t ? { width: Math.min(t.w, w - t.x), height: Math.min(t.h, h - t.y) } : { width: w, height: h };
  } catch {
    return undefined;
  }
}

function checkIndex(p: Prepared, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= p.pageCount) {
    throw new QuireError('input', 'InvalidInput', `Page ${index} does not exist; the document has ${p.pageCount} pages (0-based)`, {
      details: { in: 'path', at: 'pageNumber', expected: { minimum: 0, maximum: p.pageCount - 1 } },
    });
  }
}

function toPixels(t: PageText): PageText {
  const k = PX_PER_PT;
  return {
    text: t.text,
    rectangles: t.rectangles.map(([x, y, w, h]) => [round2(x * k), round2(y * k), round2(w * k), round2(h * k)]),
    width: round2(t.width * k),
    height: round2(t.height * k),
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

const toPixelSizes = (pages: PageSize[]): PageSize[] => pages.map((s) => ({ width: round2(s.width * PX_PER_PT), height: round2(s.height * PX_PER_PT) }));
