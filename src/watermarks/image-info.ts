// What an image watermark's bytes are: PNG or JPEG, and their pixel size, read from the header so
// creation can refuse other formats and absurd sizes before anything is decoded.

export type WatermarkImageMime = 'image/png' | 'image/jpeg';

export interface WatermarkImage {
  data: Buffer;
  mime: WatermarkImageMime;
  /** Pixels. */
  width: number;
  height: number;
}

/** Largest side and area of a watermark image: a logo, not a pixel bomb. */
export const MAX_IMAGE_SIDE = 8192;
export const MAX_IMAGE_PIXELS = 16_000_000;

export type ImageProblem = 'format' | 'truncated' | 'size';

/** The image's type and size, or why it cannot be a watermark image. */
export function readImageHeader(data: Buffer): { mime: WatermarkImageMime; width: number; height: number } | { problem: ImageProblem } {
  let head: { mime: WatermarkImageMime; width: number; height: number } | undefined;
  if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47 && data.readUInt32BE(4) === 0x0d0a1a0a) {
    // The first chunk of every PNG is IHDR: width and height right after its type.
    if (data.length < 24 || data.toString('latin1', 12, 16) !== 'IHDR') return { problem: 'truncated' };
    head = { mime: 'image/png', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  } else if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) {
    const size = jpegSize(data);
    if (!size) return { problem: 'truncated' };
    head = { mime: 'image/jpeg', ...size };
  } else {
    return { problem: 'format' };
  }
  if (head.width < 1 || head.height < 1 || head.width > MAX_IMAGE_SIDE || head.height > MAX_IMAGE_SIDE || head.width * head.height > MAX_IMAGE_PIXELS) {
    return { problem: 'size' };
  }
  return head;
}

// Walks the marker segments to the first start-of-frame, which holds the size.
function jpegSize(d: Buffer): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 4 <= d.length) {
    if (d[i] !== 0xff) return undefined;
    const marker = d[i + 1]!;
    if (marker === 0xff) { i++; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; } // no length
    const len = d.readUInt16BE(i + 2);
    if (len < 2) return undefined;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 9 > d.length) return undefined;
      return { height: d.readUInt16BE(i + 5), width: d.readUInt16BE(i + 7) };
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data before any frame header
    i += 2 + len;
  }
  return undefined;
}
