// The PDF engine: page count and sizes, PNG/JPEG/SVG pages and positioned text of a PDF on disk,
// through poppler-utils spawned per call (bounded by a semaphore, each call killed at a time limit).
import { join } from 'node:path';
import { QuireError } from '../../domain/errors.ts';
import { parseBboxLayout, type LayoutPage } from './bbox-layout.ts';
import { parsePdfinfo, pdfinfoArgs, type PdfInfo, type PageSize } from './inspect.ts';
import { resolvePdfEngineOptions, type PdfEngineOptions, type ResolvedPdfEngineOptions } from './options.ts';
import { buildPageText, type PageText } from './page-text.ts';
import { renderRasterWith, type RasterOptions } from './render-raster.ts';
import { finishSvg } from './render-svg.ts';
import { runTool, type ToolResult } from './run-tool.ts';
import { Semaphore } from './semaphore.ts';
import { glyphOrigins } from './svg-glyphs.ts';
import { checkToolResult, couldNotRender, pageOutOfRange, passwordArgs, requiresPassword } from './tool-errors.ts';

export type { PdfInfo, PageSize } from './inspect.ts';
export type { PageText, Rect } from './page-text.ts';
export type { RasterOptions } from './render-raster.ts';
export type { Tile } from './raster-geometry.ts';
export type { PdfEngineOptions } from './options.ts';

export interface PasswordOption { password?: string }

export interface PdfEngine {
  readonly options: Readonly<ResolvedPdfEngineOptions>;
  inspect(pdfPath: string, opts?: PasswordOption): Promise<PdfInfo>;
  /** `pageSize` (from inspect) saves one pdfinfo call when the caller already knows it. */
  renderRaster(pdfPath: string, pageIndex: number, opts: RasterOptions & { pageSize?: PageSize }): Promise<Buffer>;
  renderSvg(pdfPath: string, pageIndex: number, opts?: PasswordOption): Promise<string>;
  pageText(pdfPath: string, pageIndex: number, opts?: PasswordOption): Promise<PageText>;
  /** Every page's text from one pdftotext run (~1 ms a page against ~8 ms a call per page), for search:
   *  the same text as pageText, but character boxes estimated from word boxes (no glyph pass). */
  documentText(pdfPath: string, opts?: PasswordOption): Promise<PageText[]>;
  /** Writes an unencrypted copy with qpdf, so later calls need no password (and poppler's per-call
   *  key derivation, slow for AES-256, is paid once). */
  decrypt(pdfPath: string, outputPath: string, password: string): Promise<void>;
  /** Writes one unencrypted PDF of the given pages (0-based, in the order given, repeats allowed) of
   *  several PDFs, with qpdf: it also reads sources encrypted with only an owner password, which PDF
   *  libraries such as pdf-lib refuse. */
  assemble(parts: AssemblePart[], outputPath: string): Promise<void>;
}

export interface AssemblePart {
  path: string;
  pages: number[];
  password?: string;
}

/** 0-based page indexes as qpdf's 1-based range list, consecutive runs folded: [0,1,2,5] → "1-3,6". */
function qpdfRanges(pages: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < pages.length; ) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === pages[j]! + 1) j++;
    out.push(i === j ? String(pages[i]! + 1) : `${pages[i]! + 1}-${pages[j]! + 1}`);
    i = j + 1;
  }
  return out.join(',');
}

type Tool = 'pdfinfo' | 'pdftoppm' | 'pdftocairo' | 'pdftotext' | 'qpdf';

export function createPdfEngine(options: PdfEngineOptions = {}): PdfEngine {
  const o = resolvePdfEngineOptions(options);
  const gate = new Semaphore(o.concurrency);
  const run = (tool: Tool, args: string[], maxStdoutBytes = o.maxOutputBytes): Promise<ToolResult> =>
    gate.run(() => runTool(o.popplerBinDir && tool !== 'qpdf' ? join(o.popplerBinDir, tool) : tool, args, { timeoutMs: o.timeoutMs, maxStdoutBytes }));

  const checkIndex = (pageIndex: number) => {
    if (!Number.isInteger(pageIndex) || pageIndex < 0) throw pageOutOfRange(pageIndex);
  };

  const inspect = async (pdfPath: string, opts: PasswordOption = {}): Promise<PdfInfo> => {
    const r = await run('pdfinfo', [...pdfinfoArgs(), ...passwordArgs(opts.password), '--', pdfPath], 16 * 1024 * 1024);
    checkToolResult('pdfinfo', r);
    return parsePdfinfo(r.stdout.toString('utf8'));
  };

  const pageSize = async (pdfPath: string, pageIndex: number, password: string | undefined): Promise<PageSize> => {
    const r = await run('pdfinfo', [...pdfinfoArgs(pageIndex + 1, pageIndex + 1), ...passwordArgs(password), '--', pdfPath], 1024 * 1024);
    checkToolResult('pdfinfo', r, pageIndex);
    const info = parsePdfinfo(r.stdout.toString('utf8'));
    if (pageIndex >= info.pageCount) throw pageOutOfRange(pageIndex, info.pageCount);
    return info.pages[pageIndex]!;
  };

  const layout = async (pdfPath: string, pageIndex: number | undefined, password: string | undefined): Promise<LayoutPage[]> => {
    const range = pageIndex === undefined ? [] : ['-f', String(pageIndex + 1), '-l', String(pageIndex + 1)];
    const r = await run('pdftotext', ['-bbox-layout', '-enc', 'UTF-8', ...range, ...passwordArgs(password), '--', pdfPath, '-']);
    checkToolResult('pdftotext', r, pageIndex);
    return parseBboxLayout(r.stdout.toString('utf8'));
  };

  const onePage = async (pdfPath: string, pageIndex: number, password: string | undefined): Promise<LayoutPage> => {
    const page = (await layout(pdfPath, pageIndex, password))[0];
    if (!page) throw pageOutOfRange(pageIndex);
    return page;
  };

  const cairoSvg = (pdfPath: string, pageIndex: number, password: string | undefined) => {
    const n = String(pageIndex + 1);
    return run('pdftocairo', ['-svg', '-f', n, '-l', n, ...passwordArgs(password), '--', pdfPath, '-']);
  };

  return {
    options: o,
    inspect,

    async renderRaster(pdfPath, pageIndex, opts) {
      checkIndex(pageIndex);
      const size = opts.pageSize ?? (await pageSize(pdfPath, pageIndex, opts.password));
      return renderRasterWith((tool, args, max) => run(tool, args, max), pdfPath, pageIndex, size, opts, o.maxPixels);
    },

    async renderSvg(pdfPath, pageIndex, opts = {}) {
      checkIndex(pageIndex);
      const [svg, text] = await Promise.all([
        cairoSvg(pdfPath, pageIndex, opts.password),
        // The picture is still worth showing if only the text layer fails.
        onePage(pdfPath, pageIndex, opts.password).catch((err: unknown) => err),
      ]);
      checkToolResult('pdftocairo', svg, pageIndex);
      if (text instanceof Error && text.name === 'QuireError' && (text as { kind?: string }).kind === 'input') throw text;
      return finishSvg(svg.stdout.toString('utf8'), text instanceof Error ? undefined : (text as LayoutPage));
    },

    async pageText(pdfPath, pageIndex, opts = {}) {
      checkIndex(pageIndex);
      // The SVG run (in parallel) only sharpens character boxes; its failure leaves estimated ones.
      const [page, glyphs] = await Promise.all([
        onePage(pdfPath, pageIndex, opts.password),
        cairoSvg(pdfPath, pageIndex, opts.password).then((r) => (r.code === 0 ? glyphOrigins(r.stdout.toString('utf8')) : undefined), () => undefined),
      ]);
      return buildPageText(page, glyphs);
    },

    async documentText(pdfPath, opts = {}) {
      return (await layout(pdfPath, undefined, opts.password)).map((page) => buildPageText(page));
    },

    async decrypt(pdfPath, outputPath, password) {
      // qpdf exits 3 when it wrote the file but had warnings (common in damaged PDFs): still usable.
      const r = await run('qpdf', [`--password=${password}`, '--decrypt', '--', pdfPath, outputPath], 1024 * 1024);
      if (/invalid password/i.test(r.stderr)) throw requiresPassword();
      if (r.timedOut || (r.code !== 0 && r.code !== 3)) throw couldNotRender('qpdf could not decrypt the document', { code: r.code, stderr: r.stderr.slice(0, 2000) });
    },

    async assemble(parts, outputPath) {
      const args = ['--empty', '--pages'];
      for (const part of parts) {
        for (const i of part.pages) checkIndex(i);
        if (part.pages.length === 0) continue;
        args.push(part.path, ...(part.password ? [`--password=${part.password}`] : []), qpdfRanges(part.pages));
      }
      if (args.length === 2) throw new QuireError('input', 'InvalidInput', 'No pages to assemble');
      args.push('--', outputPath);
      const r = await run('qpdf', args, 1024 * 1024);
      if (/invalid password/i.test(r.stderr)) throw requiresPassword();
      // Exit 3: written, with warnings (damaged sources qpdf repaired).
      if (r.timedOut || (r.code !== 0 && r.code !== 3)) throw couldNotRender('qpdf could not assemble the pages', { code: r.code, stderr: r.stderr.slice(0, 2000) });
    },
  };
}
