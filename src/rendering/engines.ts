// What the renderer needs from the engines (src/engines/*). Kept as interfaces so the renderer's
// policy (caching, single-flight, progress) does not depend on how a page is drawn.

export interface PageSize {
  /** Points (1/72 inch), rotation applied. */
  width: number;
  height: number;
}

export interface PageText {
  text: string;
  /** One [x, y, w, h] per character of `text`, in the page's coordinate space (width × height). */
  rectangles: [number, number, number, number][];
  width: number;
  height: number;
}

export interface RasterOptions {
  format: 'png' | 'jpeg';
  /** Output pixels per point × 72, i.e. dots per inch. */
  dpi?: number;
  /** Fit within these pixels, keeping the aspect ratio (thumbnails). */
  width?: number;
  height?: number;
  quality?: number;
  /** A region of the page, in pixels at `dpi`. */
  tile?: { x: number; y: number; w: number; h: number };
}

export interface OfficeEngine {
  /** Converts a document (any LibreOffice input) to `format` at outputPath. */
  convert(inputPath: string, outputPath: string, opts: { format: string; inputExtension: string; password?: string }): Promise<void>;
}

export interface PdfEngine {
  inspect(pdfPath: string, opts?: { password?: string }): Promise<{ pageCount: number; pages: PageSize[] }>;
  renderRaster(pdfPath: string, pageIndex: number, opts: RasterOptions & { password?: string }): Promise<Buffer>;
  renderSvg(pdfPath: string, pageIndex: number, opts?: { password?: string }): Promise<string>;
  pageText(pdfPath: string, pageIndex: number, opts?: { password?: string }): Promise<PageText>;
  /** Writes an unencrypted copy (so later page calls need no password). */
  decrypt(pdfPath: string, outputPath: string, password: string): Promise<void>;
}

export interface ImageEngine {
  imageToPdf(inputPath: string, outputPath: string, opts: { extension: string }): Promise<{ pageCount: number }>;
}

export interface Engines {
  office: OfficeEngine;
  pdf: PdfEngine;
  image: ImageEngine;
}
