// Writes pages that are each one image, filling the page, with pdf-lib (MIT). Pixels are deflated by
// Node's zlib (native) and placed as image XObjects directly: pdf-lib's own embedPng decodes PNG in
// JavaScript and is far slower on large images. JPEG bytes can be placed as they are (DCTDecode).
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { concatTransformationMatrix, drawObject, PDFDocument, popGraphicsState, pushGraphicsState, type PDFRef } from 'pdf-lib';

const deflateAsync = promisify(deflate);

export type ImagePixels =
  | { kind: 'raw'; width: number; height: number; channels: 1 | 3; pixels: Buffer; alpha?: Buffer }
  | { kind: 'jpeg'; width: number; height: number; channels: 1 | 3; bytes: Buffer };

export interface ImagePage { image: ImagePixels; widthPt: number; heightPt: number }

export class ImagePdfWriter {
  readonly #doc: PDFDocument;
  private constructor(doc: PDFDocument) { this.#doc = doc; }

  static async create(): Promise<ImagePdfWriter> {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.setProducer('Quire');
    return new ImagePdfWriter(doc);
  }

  async addPage(p: ImagePage): Promise<void> {
    const ctx = this.#doc.context;
    const img = p.image;
    const colorSpace = img.channels === 1 ? 'DeviceGray' : 'DeviceRGB';
    const base = { Type: 'XObject', Subtype: 'Image', Width: img.width, Height: img.height, ColorSpace: colorSpace, BitsPerComponent: 8 };
    let ref: PDFRef;
    if (img.kind === 'jpeg') {
      ref = ctx.register(ctx.stream(img.bytes, { ...base, Filter: 'DCTDecode' }));
    } else {
      let smask: PDFRef | undefined;
      if (img.alpha) {
        const a = await deflateAsync(img.alpha);
        smask = ctx.register(ctx.stream(a, { Type: 'XObject', Subtype: 'Image', Width: img.width, Height: img.height, ColorSpace: 'DeviceGray', BitsPerComponent: 8, Filter: 'FlateDecode' }));
      }
      const data = await deflateAsync(img.pixels);
      ref = ctx.register(ctx.stream(data, { ...base, Filter: 'FlateDecode', ...(smask ? { SMask: smask } : {}) }));
    }
    const page = this.#doc.addPage([p.widthPt, p.heightPt]);
    const name = page.node.newXObject('Im', ref);
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(p.widthPt, 0, 0, p.heightPt, 0, 0), drawObject(name), popGraphicsState());
  }

  get pageCount(): number { return this.#doc.getPageCount(); }

  save(): Promise<Uint8Array> { return this.#doc.save({ useObjectStreams: false }); }
}
