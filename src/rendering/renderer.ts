// Turns a stored document into pages: converts it once to PDF (LibreOffice for office and text
// formats, the image engine for pictures, nothing at all for PDFs), then draws each page and
// extracts its text on demand. Everything is cached in the RenditionStore under the rendition key
// and made once however many requests ask at the same time (single-flight).
//
// Coordinate space: CSS pixels at 96 dpi. Page sizes, SVG width/height, text rectangles and
// `Scale=1` rasters all use it, so a viewer can lay them over each other.
import type { FastifyBaseLogger } from 'fastify';
import { rm } from 'node:fs/promises';
import { sanitizeHtmlFile } from '../engines/html/sanitize.ts';
import { QuireError } from '../domain/errors.ts';
import { formatOf } from '../formats/formats.ts';
import type { BlobStore, DocumentRef } from '../storage/ports.ts';
import type { Clock } from '../domain/clock.ts';
import { RenditionStore } from '../renditions/rendition-store.ts';
import { SingleFlight } from '../renditions/single-flight.ts';
import type { Engines, PageSize, PageText } from './engines.ts';
import { type PageRequest, variantName, contentTypeOf } from './page-request.ts';
import { resizeSvgRoot } from './svg.ts';
import type { RawImage } from '../engines/pdf/ppm.ts';
import { watermarkPixels, tileRegion } from '../watermarks/raster.ts';
import { workFileIdsOf, type Watermark, type WatermarkImage } from '../watermarks/spec.ts';
import { watermarkSvg } from '../watermarks/svg.ts';
import { CHANGES, makeRedline, REDLINE_DOCX, type Change } from './redline.ts';

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
const MANIFEST = 'manifest.json';

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
      const p = (await this.fromManifest(t)) ?? (await this.convert(t));
      this.remember(t.key, p);
      void this.store.touch(t.key, this.clock.now());
      return p;
    });
  }

  /** Resolves when prepared, or with undefined after `ms` (the work goes on). */
  async prepareWithin(t: RenderTarget, ms: number): Promise<Prepared | undefined> {
    const hit = this.ready.get(t.key);
    if (hit) return hit;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((res) => (timer = setTimeout(() => res(undefined), ms)));
    try {
      return await Promise.race([this.prepare(t), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async page(t: RenderTarget, index: number, req: PageRequest): Promise<{ data: Buffer; contentType: string }> {
    const p = await this.prepare(t);
    checkIndex(p, index);
    const name = variantName(index, req);
    const key = t.pagesKey ?? t.key;
    const data = await this.drawing.run(`${key}/${name}`, async () => {
      const cached = await this.store.read(key, name);
      if (cached) return cached;
      const made = await this.draw(p, index, req, t.watermarks && (await this.watermarksFor(t.watermarks)));
      await this.store.write(key, name, made);
      return made;
    });
    return { data, contentType: contentTypeOf(req) };
  }

  async text(t: RenderTarget, index: number): Promise<PageText> {
    const p = await this.prepare(t);
    checkIndex(p, index);
    const name = `t${index}.json`;
    return this.reading.run(`${t.key}/${name}`, async () => {
      const cached = await this.store.readJson<PageText>(t.key, name);
      if (cached) return cached;
      const raw = await this.engines.pdf.pageText(p.pdfPath, index);
      const text = toPixels(raw);
      await this.store.write(t.key, name, JSON.stringify(text));
      return text;
    });
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

  private async draw(p: Prepared, index: number, req: PageRequest, wm?: Burn): Promise<Buffer> {
    const size = p.pages[index]!;
    if (req.kind === 'svg') {
      const svg = resizeSvgRoot(await this.engines.pdf.renderSvg(p.pdfPath, index), size.width, size.height);
      return Buffer.from(wm ? watermarkSvg(svg, size, wm.list, wm.images) : svg, 'utf8');
    }
    // Burned into the decoded pixels, before encoding: the same geometry as the SVG's.
    const burn = (region?: { x: number; y: number; w: number; h: number }) =>
      wm ? { beforeEncode: (img: RawImage) => watermarkPixels(img, { page: size, ...(region ? { region } : {}) }, wm.list, wm.images) } : {};
    if (req.kind === 'thumb') {
      return this.engines.pdf.renderRaster(p.pdfPath, index, { format: req.format, width: req.width, height: req.height, quality: req.quality, ...burn() });
    }
    return this.engines.pdf.renderRaster(p.pdfPath, index, {
      format: req.format,
      dpi: 96 * req.scale,
      quality: req.quality,
      ...(req.tile ? { tile: req.tile } : {}),
      ...burn(req.tile ? tileRegion(req.tile, req.scale, size) : undefined),
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

  private async convert(t: RenderTarget): Promise<Prepared> {
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
        await this.engines.office.convert(clean.path, out.path, { format: 'pdf', inputExtension: 'html' });
      } finally {
        await rm(clean.path, { force: true });
      }
      await out.commit();
    } else if (family) {
      await this.engines.office.convert(sourcePath, out.path, { format: 'pdf', inputExtension: t.doc.extension, ...(password !== undefined ? { password } : {}) });
      await out.commit();
    } else {
      throw new QuireError('processing', 'UnsupportedSourceFileFormat', `Quire cannot render ${t.doc.extension} documents`);
    }
    const pdfPath = kind === 'source' ? sourcePath : this.store.path(t.key, PDF_NAME);
    // An uploaded PDF was inspected above already (pdfinfo costs ~15 ms on the first-page path).
    const info = sourceInfo ?? (await this.engines.pdf.inspect(pdfPath));
    const pages = info.pages.map((s) => ({ width: round2(s.width * PX_PER_PT), height: round2(s.height * PX_PER_PT) }));
    await this.store.write(t.key, MANIFEST, JSON.stringify({ version: 1, pdf: kind, pageCount: info.pageCount, pages } satisfies Manifest));
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
