// What a conversion writes from the selected pages of its prepared sources: one PDF of all of them
// (qpdf), one image per page (the renderer's own page drawing, so pages a viewer already saw are
// reused), or one multi-page TIFF (those pages joined by sharp). A viewing session's pages carry its
// watermarks: images and SVG because the renderer draws them so, PDF pages by stamping (watermarks/pdf.ts).
import { join } from 'node:path';
import sharp from 'sharp';
import type { PdfEngine } from '../engines/pdf/engine.ts';
import type { PageSize } from '../rendering/engines.ts';
import type { PageRequest } from '../rendering/page-request.ts';
import type { Prepared, Renderer, RenderTarget } from '../rendering/renderer.ts';
import { stampPdf } from '../watermarks/pdf.ts';
import type { ImageLookup } from '../watermarks/layout.ts';
import type { Watermark } from '../watermarks/spec.ts';
import { couldNotConvert } from './errors.ts';
import { formatPages } from './page-ranges.ts';
import type { ConversionRequest, SourceName } from './request.ts';

/** One source, converted, with the 0-based pages the caller chose. */
export interface Selection {
  name: SourceName;
  target: RenderTarget;
  /** A viewing session's watermarks, burned into every page written (images resolved). */
  watermarks?: { list: Watermark[]; images?: ImageLookup };
  prepared: Prepared;
  pages: number[];
}

export interface Output {
  /** The bytes, or a file written in the conversion's temp folder. */
  content: Buffer | { path: string };
  extension: string;
  pageCount: number;
  sources: ({ pages: string } & SourceName)[];
}

export interface OutputDeps {
  renderer: Pick<Renderer, 'page'>;
  pdf: Pick<PdfEngine, 'assemble'>;
  /** A folder of this conversion's own, removed when it ends. */
  tempDir: string;
  /** Called after each page is drawn or copied, for percentComplete. */
  progress: () => void;
}

type PageAt = { sel: Selection; index: number };

export async function* outputsOf(selections: Selection[], req: ConversionRequest, deps: OutputDeps): AsyncGenerator<Output> {
  const all: PageAt[] = selections.flatMap((sel) => sel.pages.map((index) => ({ sel, index })));
  const one = (p: PageAt) => [{ ...p.sel.name, pages: String(p.index + 1) }];
  const stamp = (p: PageAt) => (p.sel.watermarks ? { page: p.sel.prepared.pages[p.index]!, ws: p.sel.watermarks.list, ...(p.sel.watermarks.images ? { images: p.sel.watermarks.images } : {}) } : undefined);
  let n = 0;
  const file = () => join(deps.tempDir, `out-${n++}.pdf`);

  if (req.format === 'pdf') {
    if (req.onePerPage) {
      for (const p of all) {
        const path = file();
        await deps.pdf.assemble([{ path: p.sel.prepared.pdfPath, pages: [p.index] }], path);
        await stampPdf(path, [stamp(p)]);
        deps.progress();
        yield { content: { path }, extension: 'pdf', pageCount: 1, sources: one(p) };
      }
      return;
    }
    const path = file();
    await deps.pdf.assemble(selections.map((s) => ({ path: s.prepared.pdfPath, pages: s.pages })), path);
    // qpdf writes the pages in the order given, so page i of the output is all[i].
    await stampPdf(path, all.map(stamp));
    for (let i = 0; i < all.length; i++) deps.progress();
    yield { content: { path }, extension: 'pdf', pageCount: all.length, sources: selections.map((s) => ({ ...s.name, pages: formatPages(s.pages) })) };
    return;
  }

  if (req.format === 'svg') {
    for (const p of all) {
      const { data } = await deps.renderer.page(p.sel.target, p.index, { kind: 'svg' });
      deps.progress();
      yield { content: data, extension: 'svg', pageCount: 1, sources: one(p) };
    }
    return;
  }

  if (req.format === 'png' || req.format === 'jpeg') {
    for (const p of all) {
      const { data } = await deps.renderer.page(p.sel.target, p.index, rasterRequest(req.format, p.sel.prepared.pages[p.index]!, req));
      deps.progress();
      yield { content: data, extension: req.format === 'png' ? 'png' : 'jpg', pageCount: 1, sources: one(p) };
    }
    return;
  }

  if (req.format === 'tiff') {
    const pngOf = async (p: PageAt) => {
      const { data } = await deps.renderer.page(p.sel.target, p.index, rasterRequest('png', p.sel.prepared.pages[p.index]!, req));
      deps.progress();
      return data;
    };
    if (req.onePerPage) {
      for (const p of all) yield { content: await tiff([await pngOf(p)]), extension: 'tif', pageCount: 1, sources: one(p) };
      return;
    }
    const pngs: Buffer[] = [];
    for (const p of all) pngs.push(await pngOf(p));
    yield { content: await tiff(pngs), extension: 'tif', pageCount: all.length, sources: selections.map((s) => ({ ...s.name, pages: formatPages(s.pages) })) };
    return;
  }

  throw new Error(`outputsOf cannot write ${req.format}`);
}

/** The page as an image: at 96 dpi (a viewer's Scale=1), or fitted into the caller's box. */
export function rasterRequest(format: 'png' | 'jpeg', size: PageSize, req: Pick<ConversionRequest, 'box' | 'jpegQuality'>): PageRequest {
  const quality = req.jpegQuality;
  const box = req.box;
  if (!box) return { kind: 'raster', format, scale: 1, quality };
  // An open side is made just large enough not to constrain the fit.
  const width = box.width ?? Math.ceil((box.height! * size.width) / size.height) + 1;
  const height = box.height ?? Math.ceil((box.width! * size.height) / size.width) + 1;
  return { kind: 'thumb', format, width, height, quality };
}

/** Pages of different sizes share the largest page's canvas (white beyond a smaller page): one TIFF has one frame size. */
async function tiff(pngs: Buffer[]): Promise<Buffer> {
  try {
    const input = pngs.length === 1 ? pngs[0]! : pngs;
    const img = Array.isArray(input) ? sharp(input, { join: { animated: true, background: '#ffffff' } }) : sharp(input);
    return await img.tiff({ compression: 'lzw' }).toBuffer();
  } catch (err) {
    throw couldNotConvert('The pages could not be written as a TIFF', err);
  }
}
