// Document comparison: an original and a revised word-processing document in, a redline out — a DOCX
// with real tracked changes, its PDF (LibreOffice draws insertions underlined, deletions struck
// through), and the list of changes placed on the PDF's pages. The diff is Quire's own over the
// OOXML (redline.ts); why, and the measurements behind it, are in docs/comparison.md.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QuireError } from '../domain/errors.ts';
import type { LibreOfficePool } from '../engines/libreoffice/pool.ts';
import { readDocx, type DocxPackage } from './docx-package.ts';
import { comparisonTimedOut, couldNotCompare, unreadableDocument, unsupportedFormat, type DocumentRole } from './errors.ts';
import { locateChanges } from './locate.ts';
import { pdfWords } from './pdf-words.ts';
import { buildRedlineFromPackages } from './redline.ts';
import type { Change } from './types.ts';

export type { Change, ChangeRectangle, ChangeType } from './types.ts';
export { ChangeTypes } from './types.ts';

/** What can be compared: read directly (docx) or after LibreOffice turns it into DOCX. */
export const ComparisonFormats = ['docx', 'doc', 'odt', 'rtf'] as const;

export interface ComparisonDeps {
  libreOffice: Pick<LibreOfficePool, 'convert'>;
  /** Where pdfinfo and pdftotext are; default: found on PATH. */
  popplerBinDir?: string;
}

export interface CompareRequest {
  originalPath: string;
  /** Canonical extension, no dot: docx, doc, odt or rtf. */
  originalExt: string;
  revisedPath: string;
  revisedExt: string;
  /** Created if missing; receives redline.docx, redline.pdf and intermediate files. */
  outDir: string;
  /** Author of the tracked changes. Default "Quire". */
  author?: string;
  /** Date of the tracked changes. Default: now. */
  date?: Date;
  /** For the whole comparison. Default 120 000. */
  timeoutMs?: number;
  /** Called as soon as the redline PDF exists, before changes are placed on it (first page ready). */
  onRedlinePdf?: (path: string) => void;
}

export interface CompareResult {
  redlineDocxPath: string;
  redlinePdfPath: string;
  pageCount: number;
  /** In document order. */
  changes: Change[];
  /** Milliseconds per stage, for the log and the bench. */
  timings: { inputs: number; redline: number; pdf: number; locate: number; total: number };
}

export const CompareDefaults = { author: 'Quire', timeoutMs: 120_000 } as const;

export async function compareDocuments(deps: ComparisonDeps, req: CompareRequest): Promise<CompareResult> {
  const originalExt = checkFormat('original', req.originalExt);
  const revisedExt = checkFormat('revised', req.revisedExt);
  const timeoutMs = req.timeoutMs ?? CompareDefaults.timeoutMs;
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(comparisonTimedOut(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([run(deps, req, originalExt, revisedExt, deadline), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function checkFormat(role: DocumentRole, ext: string): string {
  const e = ext.replace(/^\./, '').toLowerCase();
  if (!(ComparisonFormats as readonly string[]).includes(e)) throw unsupportedFormat(role, ext, ComparisonFormats);
  return e;
}

async function run(deps: ComparisonDeps, req: CompareRequest, originalExt: string, revisedExt: string, deadline: number): Promise<CompareResult> {
  const t0 = performance.now();
  const remaining = () => Math.max(1, deadline - Date.now());
  await mkdir(req.outDir, { recursive: true });
  const [orig, rev] = await Promise.all([
    loadPackage(deps, 'original', req.originalPath, originalExt, req.outDir, remaining),
    loadPackage(deps, 'revised', req.revisedPath, revisedExt, req.outDir, remaining),
  ]);
  const t1 = performance.now();

  let redline;
  try {
    redline = buildRedlineFromPackages(orig, rev, { author: req.author ?? CompareDefaults.author, date: isoSeconds(req.date ?? new Date()) });
  } catch (e) {
    throw couldNotCompare(e);
  }
  const redlineDocxPath = join(req.outDir, 'redline.docx');
  const redlinePdfPath = join(req.outDir, 'redline.pdf');
  await writeFile(redlineDocxPath, redline.docx);
  const t2 = performance.now();

  try {
    await deps.libreOffice.convert(redlineDocxPath, redlinePdfPath, { format: 'pdf', inputExtension: 'docx', timeoutMs: remaining() });
  } catch (e) {
    // A redline LibreOffice cannot draw is ours to fix, not the caller's document's fault.
    throw e instanceof QuireError && e.kind === 'unavailable' ? e : couldNotCompare(e);
  }
  req.onRedlinePdf?.(redlinePdfPath);
  const t3 = performance.now();

  let pages;
  try {
    pages = await pdfWords(redlinePdfPath, { popplerBinDir: deps.popplerBinDir, timeoutMs: remaining() });
  } catch (e) {
    throw couldNotCompare(e);
  }
  const changes = locateChanges(redline.displayText, redline.changes, pages);
  const t4 = performance.now();
  const ms = (x: number) => Math.round(x * 10) / 10;
  return {
    redlineDocxPath,
    redlinePdfPath,
    pageCount: pages.length,
    changes,
    timings: { inputs: ms(t1 - t0), redline: ms(t2 - t1), pdf: ms(t3 - t2), locate: ms(t4 - t3), total: ms(t4 - t0) },
  };
}

/** A DOCX package of the document: read directly when it is one we can read, else via LibreOffice. */
async function loadPackage(
  deps: ComparisonDeps,
  role: DocumentRole,
  path: string,
  ext: string,
  outDir: string,
  remaining: () => number,
): Promise<DocxPackage> {
  if (ext === 'docx') {
    try {
      return readDocx(await readFile(path));
    } catch (e) {
      if (isFsError(e)) throw e;
      // Strict OOXML, unusual prefixes, a .docx that is really a .doc: LibreOffice may still read it.
    }
  }
  const converted = join(outDir, `${role}.docx`);
  try {
    await deps.libreOffice.convert(path, converted, { format: 'docx', inputExtension: ext, timeoutMs: remaining() });
  } catch (e) {
    if (e instanceof QuireError && (e.kind === 'unavailable' || e.code === 'DocumentRequiresPassword')) throw e;
    throw unreadableDocument(role, e);
  }
  try {
    return readDocx(await readFile(converted));
  } catch (e) {
    throw unreadableDocument(role, e);
  }
}

const isFsError = (e: unknown) => e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).syscall !== undefined;

/** Word writes revision dates without fractions of a second. */
const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
