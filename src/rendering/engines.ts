// What the renderer needs from the engines (src/engines/*): the real engines' own types, narrowed to
// the calls the renderer makes, so a test or another backend can stand in for any one of them.
import type { CompareRequest, CompareResult } from '../comparison/compare.ts';
import type { imageToPdf } from '../engines/image/image-to-pdf.ts';
import type { LibreOfficePool } from '../engines/libreoffice/pool.ts';
import type { PdfEngine } from '../engines/pdf/engine.ts';

export type { PageSize, PageText } from '../engines/pdf/engine.ts';

export interface Engines {
  office: Pick<LibreOfficePool, 'convert'>;
  pdf: Pick<PdfEngine, 'inspect' | 'renderRaster' | 'renderSvg' | 'pageText' | 'documentText' | 'decrypt' | 'assemble'>;
  image: { imageToPdf: typeof imageToPdf };
  /** The comparison engine with its engines bound (src/comparison/compare.ts). */
  compare(req: CompareRequest): Promise<CompareResult>;
}
