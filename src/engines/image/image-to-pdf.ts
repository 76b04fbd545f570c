// Images (PNG, JPEG, GIF, BMP, WebP, TIFF) to a PDF with one page per frame or page, so the PDF engine
// serves them like any other document. Every frame's size is read from its header and checked before
// anything is decoded, so a file claiming 20,000 × 20,000 pixels is refused in milliseconds.
import { readFile, writeFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { decodeBmp } from './bmp.ts';
import { couldNotConvertImage, imageTooLarge } from './errors.ts';
import { ImagePdfWriter, type ImagePixels } from './pdf-image-pages.ts';

export interface ImageToPdfOptions {
  /** The file's extension (with or without the dot), used where the bytes do not tell (BMP). */
  extension: string;
  /** Largest frame (width × height) decoded. Default 50,000,000 pixels (~200 MB as RGBA). */
  maxPixels?: number;
  /** Most frames/pages turned into pages. Default 1,000. */
  maxPages?: number;
  /** Pixels per inch assumed when the image does not say. Default 96. */
  defaultDpi?: number;
}

export interface ImageToPdfResult { pageCount: number }

const dpiOf = (density: number | undefined, fallback: number) => (density !== undefined && density >= 36 && density <= 2400 ? density : fallback);

export async function imageToPdf(inputPath: string, outputPath: string, opts: ImageToPdfOptions): Promise<ImageToPdfResult> {
  const maxPixels = opts.maxPixels ?? 50_000_000;
  const maxPages = opts.maxPages ?? 1000;
  const defaultDpi = opts.defaultDpi ?? 96;
  const input = await readFile(inputPath);
  const ext = opts.extension.replace(/^\./, '').toLowerCase();
  const writer = await ImagePdfWriter.create();

  if (input.toString('latin1', 0, 2) === 'BM' || ext === 'bmp' || ext === 'dib') {
    const bmp = decodeBmp(input, maxPixels);
    const pt = 72 / defaultDpi;
    await writer.addPage({ image: { kind: 'raw', width: bmp.width, height: bmp.height, channels: 3, pixels: bmp.rgb }, widthPt: bmp.width * pt, heightPt: bmp.height * pt });
  } else {
    const header = async (page: number) => {
      try {
        // Header only: metadata() does not decode pixels. The pixel limit is applied by hand below.
        return await sharp(input, { page, limitInputPixels: false, failOn: 'none' }).metadata();
      } catch (err) {
        throw couldNotConvertImage('The file is not an image that can be read', err);
      }
    };
    const first = await header(0);
    const pages = Math.max(1, first.pages ?? 1);
    if (pages > maxPages) throw couldNotConvertImage(`The image has ${pages} pages, more than the limit of ${maxPages}`);
    for (let i = 0; i < pages; i++) {
      const meta = i === 0 ? first : await header(i);
      // For multi-frame formats metadata().height is one frame's height unless pageHeight says otherwise.
      const width = meta.width ?? 0;
      const height = meta.pageHeight ?? meta.height ?? 0;
      if (width < 1 || height < 1) throw couldNotConvertImage('The image has no pixels');
      if (width * height > maxPixels) throw imageTooLarge(width, height, maxPixels);
      const image = await decodeFrame(input, i, meta, maxPixels);
      const pt = 72 / dpiOf(meta.density, defaultDpi);
      await writer.addPage({ image, widthPt: image.width * pt, heightPt: image.height * pt });
    }
  }
  await writeFile(outputPath, await writer.save());
  return { pageCount: writer.pageCount };
}

async function decodeFrame(input: Buffer, page: number, meta: Metadata, maxPixels: number): Promise<ImagePixels> {
  // A plain RGB/grey JPEG the right way up goes into the PDF untouched: no re-encoding loss, no decode.
  if (meta.format === 'jpeg' && (meta.orientation ?? 1) === 1 && (meta.space === 'srgb' || meta.space === 'b-w') && (meta.channels === 3 || meta.channels === 1)) {
    return { kind: 'jpeg', width: meta.width!, height: meta.height!, channels: meta.channels, bytes: input };
  }
  try {
    const grey = meta.space === 'b-w' || meta.space === 'grey16';
    const pipeline = sharp(input, { page, limitInputPixels: maxPixels, failOn: 'none' })
      .autoOrient()
      .toColourspace(grey ? 'b-w' : 'srgb');
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return splitAlpha(data, info.width, info.height, info.channels);
  } catch (err) {
    throw couldNotConvertImage('Could not decode the image', err);
  }
}

/** Colour channels and (when not fully opaque) alpha as separate planes, as a PDF image wants them. */
function splitAlpha(data: Buffer, width: number, height: number, channels: number): ImagePixels {
  if (channels === 1 || channels === 3) return { kind: 'raw', width, height, channels, pixels: data };
  const colour = channels - 1;
  if (colour !== 1 && colour !== 3) throw couldNotConvertImage(`Unexpected image with ${channels} channels`);
  const n = width * height;
  const pixels = Buffer.allocUnsafe(n * colour);
  const alpha = Buffer.allocUnsafe(n);
  let opaque = true;
  for (let i = 0, s = 0, d = 0; i < n; i++) {
    for (let c = 0; c < colour; c++) pixels[d++] = data[s++]!;
    const a = data[s++]!;
    alpha[i] = a;
    if (a !== 255) opaque = false;
  }
  return opaque ? { kind: 'raw', width, height, channels: colour, pixels } : { kind: 'raw', width, height, channels: colour, pixels, alpha };
}
