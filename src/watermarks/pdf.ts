// Burns watermarks into a PDF (content conversion of a watermarked viewing session): each page gets
// the watermark drawing as an image XObject painted last in its own content stream (wrapped in q/Q,
// after pdf-lib has wrapped the page's content in q/Q too), not an annotation a reader can hide or a
// flattening tool drop. The image is the same librsvg drawing every raster gets (so Arabic, CJK and
// accents come out shaped, which pdf-lib's own text drawing cannot do), at 3 pixels per CSS px
// (288 dpi), covering only the window the ink can reach. The page's own text and vectors stay as they
// are: searchable, sharp and small, unlike a rasterised page.
import { readFile, writeFile } from 'node:fs/promises';
import { concatTransformationMatrix, drawObject, PDFDocument, type PDFImage, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import type { ImageLookup, Size } from './layout.ts';
import { overlayPng } from './raster.ts';
import { watermarkKey, type Watermark } from './spec.ts';

/** Pixels per CSS px of the stamped drawing: 288 dpi, print quality. */
const SCALE = 3;
/** The drawing of one watermark window stays under this many pixels (a huge page is drawn coarser). */
const MAX_PIXELS = 24_000_000;

export interface PageStamp {
  /** The page as the renderer sizes it (CSS px, as displayed: /Rotate applied). */
  page: Size;
  ws: readonly Watermark[];
  images?: ImageLookup;
}

/**
 * Rewrites the PDF at `path` with `stamps[i]` burned into page i (undefined: page left alone).
 * The PDF must be unencrypted (qpdf's assembled output is).
 */
export async function stampPdf(path: string, stamps: readonly (PageStamp | undefined)[]): Promise<void> {
  if (!stamps.some((s) => s && s.ws.length > 0)) return;
  const doc = await PDFDocument.load(await readFile(path), { updateMetadata: false });
  const pages = doc.getPages();
  // Pages of one size with the same watermarks share one embedded image.
  const embedded = new Map<string, Promise<{ image: PDFImage; box: { x: number; y: number; w: number; h: number } } | undefined>>();
  for (const [i, page] of pages.entries()) {
    const s = stamps[i];
    if (!s || s.ws.length === 0) continue;
    const key = `${watermarkKey(s.ws)}|${s.page.width}|${s.page.height}`;
    let e = embedded.get(key);
    if (!e) {
      const scale = Math.min(SCALE, Math.sqrt(MAX_PIXELS / Math.max(1, s.page.width * s.page.height)));
      e = overlayPng(s.ws, s.page, scale, s.images).then(async (o) => (o ? { image: await doc.embedPng(o.png), box: o.box } : undefined));
      embedded.set(key, e);
    }
    const drawing = await e;
    if (!drawing) continue;
    const name = page.node.newXObject('Image', drawing.image.ref);
    page.node.normalize();
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(...imageMatrix(page, s.page, drawing.box)), drawObject(name), popGraphicsState());
  }
  await writeFile(path, await doc.save({ useObjectStreams: true }));
}

type Matrix = [number, number, number, number, number, number];

/**
 * The matrix taking the image's unit square onto `box` (CSS px, top-left origin, on the page as
 * displayed) in the page's default user space: MediaBox origin, /Rotate undone, as poppler draws it.
 */
function imageMatrix(page: { getMediaBox(): { x: number; y: number; width: number; height: number }; getRotation(): { angle: number } }, shown: Size, box: { x: number; y: number; w: number; h: number }): Matrix {
  const media = page.getMediaBox();
  const rot = (((page.getRotation().angle % 360) + 360) % 360) as 0 | 90 | 180 | 270;
  // Displayed points per CSS px; the displayed size may be the renderer's rounding of the MediaBox.
  const [dw, dh] = rot === 90 || rot === 270 ? [media.height, media.width] : [media.width, media.height];
  const kx = dw / shown.width;
  const ky = dh / shown.height;
  // A displayed point (u right, v down, in points) in user space.
  const user = (u: number, v: number): [number, number] => {
    const [x, y] =
      rot === 0 ? [u, media.height - v]
      : rot === 90 ? [v, u]
      : rot === 180 ? [media.width - u, v]
      : [media.width - v, media.height - u];
    return [media.x + x, media.y + y];
  };
  // Unit square (s right, t up; the image's top row at t = 1) onto the box.
  const at = (s: number, t: number) => user((box.x + s * box.w) * kx, (box.y + (1 - t) * box.h) * ky);
  const o = at(0, 0);
  const sx = at(1, 0);
  const ty = at(0, 1);
  return [sx[0] - o[0], sx[1] - o[1], ty[0] - o[0], ty[1] - o[1], o[0], o[1]];
}
