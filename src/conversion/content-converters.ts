// Content conversions (POST /v2/contentConverters): work files of a tenant turned into PDF, images,
// TIFF or DOCX in the background, the results new work files of the same tenant. Sources are
// converted through the renderer, so a document already converted for viewing is reused and pages
// are drawn the same way a viewer gets them. A source may also be (Quire) a viewing session of the
// tenant: its document (a comparison session's redline) as its viewer gets it, watermarks burned into
// every page written. Processes live in memory, like search tasks: a restart forgets them (their
// result work files stay).
import type { FastifyBaseLogger } from 'fastify';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { QuireError, inputError, invalidInput, type ErrorDetails } from '../domain/errors.ts';
import { type Clock, systemClock } from '../domain/clock.ts';
import type { WorkFiles } from '../domain/work-files.ts';
import type { ViewingSessions } from '../domain/viewing-sessions.ts';
import { sanitizeHtmlFile } from '../engines/html/sanitize.ts';
import type { LibreOfficePool } from '../engines/libreoffice/pool.ts';
import type { PdfEngine } from '../engines/pdf/engine.ts';
import { Semaphore } from '../engines/pdf/semaphore.ts';
import { formatOf, type Family } from '../formats/formats.ts';
import type { Renderer, RenderTarget, WatermarkImageSource } from '../rendering/renderer.ts';
import { renderTargetOf } from '../rendering/rendition-key.ts';
import { workFileIdsOf } from '../watermarks/spec.ts';
import type { WorkFileRecord } from '../storage/ports.ts';
import { couldNotConvert, processErrorOf } from './errors.ts';
import { outputsOf, type Output, type Selection } from './outputs.ts';
import { formatPages, selectPages } from './page-ranges.ts';
import { workFileTarget } from './render-target.ts';
import type { ConversionInput, ConversionRequest, SourceName } from './request.ts';

export interface ConversionResult {
  fileId: string;
  pageCount: number;
  sources: ({ pages: string } & SourceName)[];
}

export interface ConversionProcess {
  processId: string;
  tenant: string;
  /** The request as echoed to the caller: passwords left out. */
  input: ConversionInput;
  state: 'processing' | 'complete' | 'error';
  percentComplete: number;
  errorCode?: string;
  errorDetails?: ErrorDetails;
  results: ConversionResult[];
  expiresAt: number;
}

export interface ContentConverterDeps {
  renderer: Pick<Renderer, 'prepare' | 'page'>;
  workFiles: Pick<WorkFiles, 'get' | 'create' | 'open' | 'delete'>;
  /** Viewing session sources (Quire); without it only work files convert. */
  sessions?: Pick<ViewingSessions, 'use'>;
  /** The bytes of image watermarks named by work file (the renderer's source of them). */
  watermarkImage?: WatermarkImageSource;
  pdf: Pick<PdfEngine, 'assemble'>;
  office: Pick<LibreOfficePool, 'convert'>;
  clock?: Clock;
  log?: FastifyBaseLogger;
  /** Conversions running at once; later ones wait (the engines queue their own work too). Default 2. */
  concurrency?: number;
}

interface Source {
  name: SourceName;
  /** Work file sources only (docx reads the file itself). */
  wf?: WorkFileRecord;
  family?: Family;
  target: RenderTarget;
  ranges: ConversionRequest['sources'][number]['ranges'];
  password: string | null;
}

/** How long a finished process stays readable, unless minSecondsAvailable asks for longer. */
const PROCESS_LIFETIME_MS = 20 * 60_000;
const MAX_PROCESSES = 10_000;
/** Families LibreOffice opens as word-processing documents (the only ones that make a DOCX). */
const WORD_FAMILIES: readonly Family[] = ['word', 'text', 'html'];
/** Pages one conversion may select (repeats count). */
const MAX_PAGES = 10_000;
/** Pages of one multi-page TIFF: sharp joins decoded pages in memory (~2.6 MB each at 96 dpi). */
const MAX_TIFF_PAGES = 200;

function checkPageTotal(total: number, req: ConversionRequest): void {
  const max = req.format === 'tiff' && !req.onePerPage ? MAX_TIFF_PAGES : MAX_PAGES;
  if (total > max) {
    const hint = max === MAX_TIFF_PAGES ? '; choose fewer pages or set tiffOptions.forceOneFilePerPage' : '';
    throw invalidInput('input.sources', { maximum: max }, 'body', `The sources select ${total} pages, more than the ${max} one conversion can take${hint}`);
  }
}

export class ContentConverters {
  private readonly processes = new Map<string, ConversionProcess>();
  private readonly deps: ContentConverterDeps;
  private readonly clock: Clock;
  private readonly gate: Semaphore;

  constructor(deps: ContentConverterDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    this.gate = new Semaphore(deps.concurrency ?? 2);
  }

  /** Built from a renderer's engines when nothing else provides them (qpdf needs no shared state). */

  /** Checks what can be checked now (work files, formats), then converts in the background. */
  async start(tenant: string, req: ConversionRequest): Promise<ConversionProcess> {
    const sources = await Promise.all(req.sources.map((s, i) => this.source(tenant, s, i, req.format)));
    this.evict();
    const now = this.clock.now();
    const p: ConversionProcess = {
      processId: randomBytes(16).toString('base64url'),
      tenant,
      input: { sources: req.input.sources.map((s) => ({ ...(s.viewingSessionId !== undefined ? { viewingSessionId: s.viewingSessionId } : { fileId: s.fileId! }), pages: s.pages ?? '' })), dest: req.input.dest },
      state: 'processing',
      percentComplete: 0,
      results: [],
      expiresAt: now + Math.max(PROCESS_LIFETIME_MS, 1000 * (req.minSecondsAvailable ?? 0)),
    };
    this.processes.set(p.processId, p);
    void this.run(p, sources, req);
    return p;
  }

  /** The tenant's process; another tenant's is indistinguishable from none. */
  get(tenant: string, processId: string): ConversionProcess {
    const p = this.processes.get(processId);
    if (!p || p.tenant !== tenant || p.expiresAt <= this.clock.now()) {
      throw new QuireError('notFound', 'NotFound', 'No content conversion with this processId', { details: { in: 'path', at: 'processId' } });
    }
    return p;
  }

  private async source(tenant: string, s: ConversionRequest['sources'][number], i: number, format: ConversionRequest['format']): Promise<Source> {
    if ('viewingSessionId' in s.name) return this.sessionSource(tenant, s.name.viewingSessionId, s.ranges, `input.sources[${i}].viewingSessionId`);
    const fileId = s.name.fileId;
    const at = `input.sources[${i}].fileId`;
    let wf: WorkFileRecord;
    try {
      wf = await this.deps.workFiles.get(tenant, fileId);
    } catch (e) {
      if (e instanceof QuireError && e.code === 'WorkFileDoesNotExist') {
        throw inputError('WorkFileDoesNotExist', 'The work file has expired or does not exist', { in: 'body', at });
      }
      throw e;
    }
    const family = formatOf(wf.extension)?.family;
    if (!family) {
      throw inputError('UnsupportedSourceFileFormat', `Quire cannot convert ${wf.extension} files`, { in: 'body', at, received: wf.extension });
    }
    if (format === 'docx' && !WORD_FAMILIES.includes(family)) {
      throw inputError('UnsupportedSourceFileFormat', `Only word-processing documents (and text or HTML) convert to docx, not ${wf.extension}`, {
        in: 'body',
        at,
        received: wf.extension,
      });
    }
    return { name: { fileId }, wf, family, target: workFileTarget(tenant, wf, s.password), ranges: s.ranges, password: s.password };
  }

  /** The tenant's session (another tenant's answers 404, as everywhere), drawn as its viewer gets it. */
  private async sessionSource(tenant: string, id: string, ranges: Source['ranges'], at: string): Promise<Source> {
    if (!this.deps.sessions) throw invalidInput(at, 'fileId sources only', 'body', 'This server converts work files only');
    const session = await this.deps.sessions.use(tenant, id);
    let target: RenderTarget;
    try {
      target = renderTargetOf(session);
    } catch (e) {
      if (e instanceof QuireError && e.kind === 'input') throw inputError(e.code, e.message, { in: 'body', at });
      throw e;
    }
    return { name: { viewingSessionId: id }, target, ranges, password: null };
  }

  /** A session's watermarks with the images it names by work file, read once per conversion. */
  private async watermarksOf(t: RenderTarget): Promise<Selection['watermarks']> {
    if (!t.watermarks) return undefined;
    const ids = workFileIdsOf(t.watermarks.list);
    if (ids.length === 0) return { list: t.watermarks.list };
    const read = this.deps.watermarkImage;
    if (!read) throw new Error('content conversion of a session with image watermarks needs watermarkImage');
    const { tenant } = t.watermarks;
    return { list: t.watermarks.list, images: new Map(await Promise.all(ids.map(async (id) => [id, await read(tenant, id)] as const))) };
  }

  private async run(p: ConversionProcess, sources: Source[], req: ConversionRequest): Promise<void> {
    const started = this.clock.now();
    let at: string | undefined;
    let tempDir: string | undefined;
    try {
      await this.gate.run(async () => {
        tempDir = await mkdtemp(join(tmpdir(), 'quire-convert-'));
        if (req.format === 'docx') {
          at = 'input.sources[0]';
          await this.keep(p, await this.docx(sources[0]!, tempDir), req);
          return;
        }
        const selections: Selection[] = [];
        for (const [i, s] of sources.entries()) {
          at = `input.sources[${i}]`;
          const prepared = await this.deps.renderer.prepare(s.target);
          const watermarks = await this.watermarksOf(s.target);
          selections.push({ name: s.name, target: s.target, prepared, pages: selectPages(s.ranges, prepared.pageCount, `${at}.pages`, MAX_PAGES), ...(watermarks ? { watermarks } : {}) });
          p.percentComplete = Math.floor((50 * (i + 1)) / sources.length);
        }
        at = undefined;
        const total = selections.reduce((n, s) => n + s.pages.length, 0);
        if (total === 0) throw couldNotConvert('The sources have no pages');
        checkPageTotal(total, req);
        let done = 0;
        const progress = () => (p.percentComplete = Math.min(99, 50 + Math.floor((50 * ++done) / total)));
        for await (const out of outputsOf(selections, req, { renderer: this.deps.renderer, pdf: this.deps.pdf, tempDir, progress })) {
          await this.keep(p, out, req);
        }
      });
      p.state = 'complete';
      p.percentComplete = 100;
      this.deps.log?.info({ process: p.processId.slice(0, 8), format: req.format, results: p.results.length, ms: this.clock.now() - started }, 'content conversion complete');
    } catch (e) {
      const { errorCode, errorDetails } = processErrorOf(e, at);
      // A failed conversion leaves nothing behind: results made before the failure are removed.
      const made = p.results.splice(0);
      await Promise.all(made.map((r) => this.deps.workFiles.delete(p.tenant, r.fileId).catch(() => undefined)));
      p.state = 'error';
      p.errorCode = errorCode;
      if (errorDetails) p.errorDetails = errorDetails;
      // Only an unexpected failure is worth a stack trace; the others are the document's or the caller's.
      if (errorCode === 'InternalError') this.deps.log?.error({ err: e, process: p.processId.slice(0, 8) }, 'content conversion failed');
      else this.deps.log?.info({ process: p.processId.slice(0, 8), errorCode, reason: errorDetails?.message }, 'content conversion failed');
    } finally {
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    }
  }

  /** The whole document through LibreOffice's DOCX export (word-processing sources only). */
  private async docx(s: Source, tempDir: string): Promise<Output> {
    // parseConversionRequest refuses viewing session sources for docx (no watermark could be burned in).
    const wf = s.wf;
    if (!wf) throw new Error('a docx conversion needs a work file source');
    const copy = join(tempDir, `source.${wf.extension}`);
    await pipeline(this.deps.workFiles.open(wf), createWriteStream(copy));
    let input = copy;
    if (s.family === 'html') {
      // As for viewing: LibreOffice would otherwise fetch what the HTML links to.
      input = join(tempDir, 'clean.html');
      await sanitizeHtmlFile(copy, input);
    }
    const path = join(tempDir, 'out.docx');
    // The page count comes from the renderer's PDF of the same document (which a viewer reuses).
    const [prepared] = await Promise.all([
      this.deps.renderer.prepare(s.target),
      this.deps.office.convert(input, path, { format: 'docx', inputExtension: s.family === 'html' ? 'html' : wf.extension, ...(s.password !== null ? { password: s.password } : {}) }),
    ]);
    return { content: { path }, extension: 'docx', pageCount: prepared.pageCount, sources: [{ ...s.name, pages: formatPages(Array.from({ length: prepared.pageCount }, (_, i) => i)) }] };
  }

  private async keep(p: ConversionProcess, out: Output, req: ConversionRequest): Promise<void> {
    const body = Buffer.isBuffer(out.content) ? Readable.from([out.content]) : createReadStream(out.content.path);
    const wf = await this.deps.workFiles.create(p.tenant, body, { fileExtension: out.extension, lifetimeSeconds: req.minSecondsAvailable });
    p.results.push({ fileId: wf.id, pageCount: out.pageCount, sources: out.sources });
  }

  private evict(): void {
    const now = this.clock.now();
    for (const [id, p] of this.processes) if (p.expiresAt <= now && p.state !== 'processing') this.processes.delete(id);
    while (this.processes.size >= MAX_PROCESSES) this.processes.delete(this.processes.keys().next().value!);
  }
}
