// Configuration of the PDF engine, passed in by the caller (never read from the environment).
import { availableParallelism } from 'node:os';

export interface PdfEngineOptions {
  /** Kill any one poppler call after this long. Default 30,000 ms. */
  timeoutMs?: number;
  /** Poppler processes running at once for this engine. Default: the number of CPU cores. */
  concurrency?: number;
  /** Largest raster (width × height) a caller may ask for. Default 100,000,000 pixels. */
  maxPixels?: number;
  /** Largest SVG or text answer read from a tool. Default 256 MiB. */
  maxOutputBytes?: number;
  /** Directory holding pdfinfo, pdftoppm, pdftocairo, pdftotext; default: found on PATH. */
  popplerBinDir?: string;
}

export interface ResolvedPdfEngineOptions {
  timeoutMs: number;
  concurrency: number;
  maxPixels: number;
  maxOutputBytes: number;
  popplerBinDir: string | undefined;
}

export function resolvePdfEngineOptions(o: PdfEngineOptions = {}): ResolvedPdfEngineOptions {
  return {
    timeoutMs: o.timeoutMs ?? 30_000,
    concurrency: o.concurrency ?? availableParallelism(),
    maxPixels: o.maxPixels ?? 100_000_000,
    maxOutputBytes: o.maxOutputBytes ?? 256 * 1024 * 1024,
    popplerBinDir: o.popplerBinDir,
  };
}
