// Burns watermarks into raster pages, tiles and thumbnails. Each watermark's SVG element (the one the
// SVG page gets) is rendered by librsvg through sharp at full opacity, once per (watermark, page size,
// region, pixel size), over only the window its ink can reach; its visible pixels are kept and blended
// onto the page's pixels in JS with the watermark's opacity (exactly SVG group opacity). Drawn one by
// one, a viewer's name and a shared "CONFIDENTIAL" stamp are cached apart, and librsvg never needs an
// offscreen group layer (which cost as much as the drawing itself).
import sharp from 'sharp';
import { inkBounds, watermarkElement, watermarkGroup, type ImageLookup, type Rect, type Size } from './layout.ts';
import { drawingKey, type Watermark } from './spec.ts';

export type { Rect, Size } from './layout.ts';

/** Decoded pixels, 8 bits per channel, rows top to bottom (the shape of the PDF engine's ppm.ts RawImage). */
export interface RawPixels {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
}

export interface Placement {
  /** The whole page in CSS px. */
  page: Size;
  /** The part of the page (CSS px) the image shows; default the whole page. For a tile see tileRegion. */
  region?: Rect;
}

/** The visible pixels of a rendered overlay: positions in the image and straight (not premultiplied) RGBA. */
interface Overlay {
  index: Uint32Array;
  rgba: Uint8Array;
}

/**
 * The region (page CSS px) of a tile given in output pixels at `scale` (pixels per CSS px), clipped
 * to the page the way the PDF engine clips the last row and column of a tile grid.
 */
export function tileRegion(tile: Rect, scale: number, page: Size): Rect {
  const outW = Math.max(1, Math.round(page.width * scale));
  const outH = Math.max(1, Math.round(page.height * scale));
  const w = Math.max(0, Math.min(tile.w, outW - tile.x));
  const h = Math.max(0, Math.min(tile.h, outH - tile.y));
  return { x: tile.x / scale, y: tile.y / scale, w: w / scale, h: h / scale };
}

/**
 * Watermarks decoded pixels. 3- and 4-channel images are changed in place and returned; 1- and
 * 2-channel (grey) images come back as a new RGB(A) image, since a coloured watermark needs colour.
 * This is the hook for the raster pipeline: call it between decoding (pdftoppm's PPM) and encoding.
 */
export async function watermarkPixels(img: RawPixels, at: Placement, ws: readonly Watermark[], images?: ImageLookup): Promise<RawPixels> {
  const visible = ws.filter((w) => w.opacity > 0);
  if (visible.length === 0) return img;
  const out = img.channels >= 3 ? img : toColour(img);
  const overlays = await Promise.all(visible.map((w) => overlayFor(w, at, out.width, out.height, images)));
  // In the order given: later watermarks over earlier ones, as in the SVG.
  for (let i = 0; i < overlays.length; i++) blend(out, overlays[i]!, visible[i]!.opacity);
  return out;
}

/**
 * The raster pipeline's pre-encode hook for one page, tile or thumbnail. The overlays depend on the
 * page, the region and the output's pixel size, not on its pixels, so with `expected` (the size the
 * PDF engine will give, see planRaster) they start drawing now, in sharp's threads, while pdftoppm
 * draws the page; the hook then mostly blends. A wrong guess only costs a second drawing.
 */
export function burnHook(ws: readonly Watermark[], at: Placement, expected: { width: number; height: number } | undefined, images?: ImageLookup): (img: RawPixels) => Promise<RawPixels> {
  if (expected) {
    // Only a head start: whatever goes wrong here goes wrong again, and is reported, in the hook.
    try {
      for (const w of ws) if (w.opacity > 0) overlayFor(w, at, expected.width, expected.height, images).catch(() => undefined);
    } catch {
      /* reported by the hook */
    }
  }
  return (img) => watermarkPixels(img, at, ws, images);
}

/** Watermarks an encoded PNG or JPEG page, tile or thumbnail (decode, blend, encode again). */
export async function watermarkRaster(
  image: Buffer,
  format: 'png' | 'jpeg',
  opts: Placement & { quality?: number },
  ws: readonly Watermark[],
  images?: ImageLookup,
): Promise<Buffer> {
  if (ws.length === 0) return image;
  const { data, info } = await sharp(image).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const marked = await watermarkPixels({ width: info.width, height: info.height, channels: info.channels, pixels: data }, opts, ws, images);
  return encode(marked, format, opts.quality);
}

/** Encodes as the PDF engine does (PNG level 6; JPEG quality 85 unless given). */
export function encode(img: RawPixels, format: 'png' | 'jpeg', quality = 85): Promise<Buffer> {
  const p = sharp(img.pixels, { raw: { width: img.width, height: img.height, channels: img.channels as 1 | 2 | 3 | 4 } });
  return format === 'png' ? p.png({ compressionLevel: 6 }).toBuffer() : p.jpeg({ quality }).toBuffer();
}

function toColour(img: RawPixels): RawPixels {
  const alpha = img.channels === 2;
  const c = alpha ? 4 : 3;
  const n = img.width * img.height;
  const out = Buffer.allocUnsafe(n * c);
  for (let i = 0, j = 0, k = 0; i < n; i++, j += img.channels, k += c) {
    const g = img.pixels[j]!;
    out[k] = g;
    out[k + 1] = g;
    out[k + 2] = g;
    if (alpha) out[k + 3] = img.pixels[j + 1]!;
  }
  return { width: img.width, height: img.height, channels: c, pixels: out };
}

function blend(img: RawPixels, o: Overlay, opacity: number): void {
  const d = img.pixels;
  const c = img.channels;
  const { index, rgba } = o;
  // Opacity scales the drawing's alpha: what SVG group opacity does to the group's layer.
  const k = Math.round(opacity * 65536);
  for (let i = 0, s = 0; i < index.length; i++, s += 4) {
    const p = index[i]! * c;
    const a = k === 65536 ? rgba[s + 3]! : (rgba[s + 3]! * k + 32768) >>> 16;
    if (a === 0) continue;
    if (c === 3 || d[p + 3] === 255) {
      // Over an opaque pixel: o·a + c·(1 − a), rounded (all terms non-negative, so |0 rounds down).
      const na = 255 - a;
      d[p] = (rgba[s]! * a + d[p]! * na + 127) / 255 | 0;
      d[p + 1] = (rgba[s + 1]! * a + d[p + 1]! * na + 127) / 255 | 0;
      d[p + 2] = (rgba[s + 2]! * a + d[p + 2]! * na + 127) / 255 | 0;
    } else {
      // Over a translucent pixel: Porter-Duff "over" with straight alpha.
      const b = d[p + 3]!;
      const outA = a + (b * (255 - a)) / 255;
      for (let k = 0; k < 3; k++) d[p + k] = Math.round((rgba[s + k]! * a + (d[p + k]! * b * (255 - a)) / 255) / outA);
      d[p + 3] = Math.round(outA);
    }
  }
}

// The overlay scan reads RGBA pixels as 32-bit words with alpha in the top byte.
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('watermarks/raster.ts assumes a little-endian machine');

// Overlays by what they depend on: one watermark (at full opacity), the page size, the region and the
// pixel size. Pages of one document usually share a size, so a page's overlay is drawn once per
// document size and zoom level, and shared by every session with the same watermark; tiles each get
// their own. Least recently used first out, bounded by the bytes held.
const MAX_CACHE_BYTES = 64 * 1024 * 1024;
const cache = new Map<string, { overlay: Promise<Overlay>; bytes: number }>();
let cachedBytes = 0;

function overlayFor(w: Watermark, at: Placement, width: number, height: number, images: ImageLookup | undefined): Promise<Overlay> {
  const page = at.page;
  const r = at.region ?? { x: 0, y: 0, w: page.width, h: page.height };
  if (!(r.w > 0 && r.h > 0 && page.width > 0 && page.height > 0)) throw new Error('watermarkPixels: empty page or region');
  const key = [drawingKey(w), page.width, page.height, r.x, r.y, r.w, r.h, width, height].join('|');
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.overlay;
  }
  const entry = { overlay: renderOverlay(w, page, r, width, height, images), bytes: 0 };
  cache.set(key, entry);
  entry.overlay.then(
    (o) => {
      if (cache.get(key) !== entry) return;
      // Counted with an overhead, so many empty overlays (tiles far from any watermark) are evicted too.
      entry.bytes = 512 + o.index.byteLength + o.rgba.byteLength;
      cachedBytes += entry.bytes;
      for (const [k, e] of cache) {
        if (cachedBytes <= MAX_CACHE_BYTES) break;
        cache.delete(k);
        cachedBytes -= e.bytes;
      }
    },
    () => { if (cache.get(key) === entry) cache.delete(key); },
  );
  return entry.overlay;
}

/** Forgets every rendered overlay (tests and benches measure the first render this way). */
export function clearOverlayCache(): void {
  cache.clear();
  cachedBytes = 0;
}

const EMPTY: Overlay = { index: new Uint32Array(0), rgba: new Uint8Array(0) };

/** The output pixels (whole pixels, clipped to the image) a watermark's ink can reach. */
function inkWindow(ws: readonly Watermark[], page: Size, r: Rect, width: number, height: number, images: ImageLookup | undefined) {
  const kx = width / r.w;
  const ky = height / r.h;
  let x0 = width, y0 = height, x1 = 0, y1 = 0;
  for (const w of ws) {
    const b = inkBounds(w, page, images);
    x0 = Math.min(x0, Math.max(0, Math.floor((b.x - r.x) * kx)));
    y0 = Math.min(y0, Math.max(0, Math.floor((b.y - r.y) * ky)));
    x1 = Math.max(x1, Math.min(width, Math.ceil((b.x + b.w - r.x) * kx)));
    y1 = Math.max(y1, Math.min(height, Math.ceil((b.y + b.h - r.y) * ky)));
  }
  if (x1 <= x0 || y1 <= y0) return undefined;
  // The viewBox picks this window out of page space and stretches it onto its pixels, so the
  // drawing is the one the SVG page gets, on the pixel grid (and anti-aliasing) of the whole image.
  return { x0, y0, pw: x1 - x0, ph: y1 - y0, viewBox: [r.x + x0 / kx, r.y + y0 / ky, (x1 - x0) / kx, (y1 - y0) / ky].join(' ') };
}

const svgOf = (pw: number, ph: number, viewBox: string, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${pw}" height="${ph}" viewBox="${viewBox}" preserveAspectRatio="none">${body}</svg>`;

async function renderOverlay(w: Watermark, page: Size, r: Rect, width: number, height: number, images: ImageLookup | undefined): Promise<Overlay> {
  const win = inkWindow([w], page, r, width, height, images);
  if (!win) return EMPTY;
  const { x0, y0, pw, ph } = win;
  const { data, info } = await sharp(Buffer.from(svgOf(pw, ph, win.viewBox, watermarkElement(w, page, images))), { limitInputPixels: false })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // librsvg always gives RGBA; anything else would be a sharp change worth failing loudly on.
  if (info.channels !== 4 || info.width !== pw || info.height !== ph) throw new Error(`watermark overlay came back ${info.width}×${info.height}×${info.channels}`);
  const raw = data.byteOffset % 4 === 0 ? data : new Uint8Array(data);
  // Keep the visible pixels only: one 32-bit word per pixel, alpha in the top byte (little endian).
  // The first pass counts them and notes each row's first and last, so the second reads only those spans.
  const words = new Uint32Array(raw.buffer, raw.byteOffset, pw * ph);
  const first = new Int32Array(ph).fill(-1);
  const last = new Int32Array(ph);
  let count = 0;
  for (let y = 0, i = 0; y < ph; y++) {
    let f = -1;
    let l = -1;
    for (let x = 0; x < pw; x++, i++) {
      if (words[i]! > 0xffffff) {
        if (f < 0) f = x;
        l = x;
        count++;
      }
    }
    first[y] = f;
    last[y] = l;
  }
  const index = new Uint32Array(count);
  const rgba = new Uint32Array(count);
  for (let y = 0, k = 0; y < ph; y++) {
    if (first[y]! < 0) continue;
    const row = (y0 + y) * width + x0;
    for (let x = first[y]!, i = y * pw + x, end = last[y]!; x <= end; x++, i++) {
      const v = words[i]!;
      if (v <= 0xffffff) continue;
      index[k] = row + x;
      rgba[k++] = v;
    }
  }
  return { index, rgba: new Uint8Array(rgba.buffer) };
}

/**
 * The watermarks of a page as one PNG with alpha (opacities applied), drawn at `scale` pixels per CSS
 * px over the window their ink can reach, and where that window lies on the page (CSS px). For
 * stamping into a PDF page (pdf.ts); undefined when nothing would be drawn.
 */
export async function overlayPng(ws: readonly Watermark[], page: Size, scale: number, images?: ImageLookup): Promise<{ png: Buffer; box: Rect } | undefined> {
  const visible = ws.filter((w) => w.opacity > 0);
  const width = Math.max(1, Math.round(page.width * scale));
  const height = Math.max(1, Math.round(page.height * scale));
  const r = { x: 0, y: 0, w: page.width, h: page.height };
  const win = visible.length > 0 ? inkWindow(visible, page, r, width, height, images) : undefined;
  if (!win) return undefined;
  const svg = svgOf(win.pw, win.ph, win.viewBox, watermarkGroup(visible, page, images));
  const png = await sharp(Buffer.from(svg), { limitInputPixels: false }).png({ compressionLevel: 9 }).toBuffer();
  return { png, box: { x: win.x0 / (width / page.width), y: win.y0 / (height / page.height), w: win.pw / (width / page.width), h: win.ph / (height / page.height) } };
}
