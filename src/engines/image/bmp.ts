// BMP, which the libvips inside sharp cannot load (sharp.format has no BMP loader; `magick` is not
// built in). The header is read here first so a huge BMP is refused before bmp-ts (MIT, the decoder
// jimp uses) allocates anything; pixels then go to sharp as raw RGB.
import { decode } from 'bmp-ts';
import { couldNotConvertImage, imageTooLarge } from './errors.ts';

export interface BmpSize { width: number; height: number; bitsPerPixel: number }

export function readBmpSize(buf: Buffer): BmpSize {
  if (buf.length < 26 || buf.toString('latin1', 0, 2) !== 'BM') throw couldNotConvertImage('Not a BMP file');
  const headerSize = buf.readUInt32LE(14);
  if (headerSize === 12) return { width: buf.readUInt16LE(18), height: buf.readUInt16LE(20), bitsPerPixel: buf.readUInt16LE(24) }; // OS/2 BITMAPCOREHEADER
  if (buf.length < 30) throw couldNotConvertImage('Truncated BMP header');
  return { width: Math.abs(buf.readInt32LE(18)), height: Math.abs(buf.readInt32LE(22)), bitsPerPixel: buf.readUInt16LE(28) };
}

export function decodeBmp(buf: Buffer, maxPixels: number): { width: number; height: number; rgb: Buffer } {
  const size = readBmpSize(buf);
  if (size.width < 1 || size.height < 1) throw couldNotConvertImage('BMP has no pixels');
  if (size.width * size.height > maxPixels) throw imageTooLarge(size.width, size.height, maxPixels);
  let img: { width: number; height: number; data: Buffer };
  try {
    img = decode(buf, { toRGBA: true });
  } catch (err) {
    throw couldNotConvertImage('Could not decode the BMP image', err);
  }
  const { width, height } = img;
  if (img.data.length < width * height * 4) throw couldNotConvertImage('Truncated BMP pixel data');
  // Alpha is dropped: most BMP writers leave that byte zero, which would read as fully transparent.
  const rgb = Buffer.allocUnsafe(width * height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = img.data[i]!;
    rgb[j + 1] = img.data[i + 1]!;
    rgb[j + 2] = img.data[i + 2]!;
  }
  return { width, height, rgb };
}
