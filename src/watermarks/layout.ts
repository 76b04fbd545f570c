// Where and how each watermark is drawn, as an SVG fragment in page CSS pixels (the coordinate space
// of page sizes, text rectangles and Scale=1 rasters). The SVG page and every raster draw this same
// fragment, so a watermark lands at the same place in every output.
import type { Length, TextWatermark, ImageWatermark, Watermark, WatermarkImage } from './spec.ts';

export interface Size { width: number; height: number }
export interface Rect { x: number; y: number; w: number; h: number }

export const PX_PER_PT = 96 / 72;
/** Distance kept from the page edges: 2.5% of the page's shorter side. */
export const marginOf = (page: Size) => 0.025 * Math.min(page.width, page.height);
/** Line pitch and first baseline, in ems: typical fonts have an ascent of ~0.93 and a descent of ~0.24 em. */
export const LINE_HEIGHT = 1.2;
const BASELINE = 0.95;

const num = (v: number) => String(Math.round(v * 1000) / 1000);

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

function lengthPx(l: Length, of: number): number {
  return l.unit === 'pt' ? l.value * PX_PER_PT : l.unit === 'px' ? l.value : (l.value / 100) * of;
}

// East Asian wide characters take about 1 em; most others about 0.6 em. Only used where the browser
// cannot do the measuring for us: sizing diagonal text to the page and aligning it to an edge.
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;
function estimatedEms(line: string, weight: string): number {
  const narrow = weight === 'bold' || weight === 'bolder' || Number(weight) >= 600 ? 0.65 : 0.6;
  let ems = 0;
  for (const ch of line) ems += WIDE.test(ch) ? 1 : narrow;
  return ems;
}

/** A text watermark's font size in CSS px on this page. */
export function fontSizePx(w: TextWatermark, page: Size): number {
  if (w.fontSize) return lengthPx(w.fontSize, page.height);
  // Diagonal text without a size: the longest line spans 80% of the line through the page centre
  // at its angle, and the lines together take at most 60% of the shorter side.
  const a = (angleOf(w, page) * Math.PI) / 180;
  const c = Math.abs(Math.cos(a));
  const s = Math.abs(Math.sin(a));
  const chord = Math.min(c > 1e-9 ? page.width / c : Infinity, s > 1e-9 ? page.height / s : Infinity);
  const ems = Math.max(1, ...w.lines.map((l) => estimatedEms(l, w.fontWeight)));
  return Math.min((0.8 * chord) / ems, (0.6 * Math.min(page.width, page.height)) / (w.lines.length * LINE_HEIGHT));
}

/** Degrees counter-clockwise: the given rotation, the page's diagonal, or 0 for plain text. */
export function angleOf(w: TextWatermark, page: Size): number {
  if (w.type !== 'diagonalText') return 0;
  return w.rotation ?? (Math.atan2(page.height, page.width) * 180) / Math.PI;
}

const place = (align: 'left' | 'top' | 'center' | 'right' | 'bottom', extent: number, size: number, margin: number) =>
  align === 'left' || align === 'top' ? margin : align === 'center' ? (extent - size) / 2 : extent - margin - size;

interface TextPlan {
  f: number;
  pitch: number;
  anchor: 'start' | 'middle' | 'end';
  x: number;
  /** Top of the first line box (before rotation). */
  top: number;
  angle: number;
  /** Centre of rotation (rotated text only). */
  cx: number;
  cy: number;
}

function planText(w: TextWatermark, page: Size): TextPlan {
  const f = fontSizePx(w, page);
  const m = marginOf(page);
  const pitch = f * LINE_HEIGHT;
  const blockH = w.lines.length * pitch;
  const angle = angleOf(w, page);
  if (w.type === 'text') {
    // Horizontal text: the browser aligns each line to the edge itself (text-anchor), so only the
    // block's height is computed, and that follows from the font size alone.
    const anchor = w.horizontalAlign === 'left' ? 'start' : w.horizontalAlign === 'center' ? 'middle' : 'end';
    const x = w.horizontalAlign === 'left' ? m : w.horizontalAlign === 'center' ? page.width / 2 : page.width - m;
    return { f, pitch, anchor, x, top: place(w.verticalAlign, page.height, blockH, m), angle: 0, cx: 0, cy: 0 };
  }
  // Rotated text: lines centred on a point; the point is placed so the rotated block's
  // (estimated) bounding box keeps the margin at the aligned edges. Centre/centre is exact.
  const r = (angle * Math.PI) / 180;
  const blockW = Math.max(...w.lines.map((l) => estimatedEms(l, w.fontWeight))) * f;
  const boxW = Math.abs(blockW * Math.cos(r)) + Math.abs(blockH * Math.sin(r));
  const boxH = Math.abs(blockW * Math.sin(r)) + Math.abs(blockH * Math.cos(r));
  const cx = place(w.horizontalAlign, page.width, boxW, m) + boxW / 2;
  const cy = place(w.verticalAlign, page.height, boxH, m) + boxH / 2;
  return { f, pitch, anchor: 'middle', x: cx, top: cy - blockH / 2, angle, cx, cy };
}

function textElement(w: TextWatermark, page: Size): string {
  const { f, pitch, anchor, x, top, angle, cx, cy } = planText(w, page);
  const transform = angle !== 0 ? ` transform="rotate(${num(-angle)} ${num(cx)} ${num(cy)})"` : '';
  const attrs = [
    `font-family="${escapeXml(withFallback(w.fontFamily))}"`,
    `font-size="${num(f)}"`,
    w.fontWeight !== 'normal' ? `font-weight="${w.fontWeight}"` : '',
    w.fontStyle !== 'normal' ? `font-style="${w.fontStyle}"` : '',
    w.textDecoration !== 'none' ? `text-decoration="${w.textDecoration}"` : '',
    `fill="${w.color}"`,
    w.colorAlpha < 1 ? `fill-opacity="${num(w.colorAlpha)}"` : '',
    `text-anchor="${anchor}"`,
  ].filter(Boolean).join(' ');
  const spans = w.lines
    .map((line, i) => (line === '' ? '' : `<tspan x="${num(x)}" y="${num(top + i * pitch + BASELINE * f)}">${escapeXml(line)}</tspan>`))
    .join('');
  return `<text xml:space="preserve" ${attrs}${transform}>${spans}</text>`;
}

const GENERIC = /(^|,)\s*(serif|sans-serif|monospace|cursive|fantasy|system-ui)\s*$/i;
const MONOSPACE = /consolas|courier|mono|menlo|monaco|lucida console|lucida sans typewriter|fixedsys|terminal/i;
const SERIF = /times|georgia|cambria|garamond|palatino|book antiqua|baskerville|\bserif\b(?!.*sans)|caladea|constantia/i;
/** A generic family last, of the kind the first family is, so a font the viewer's machine (or the
 *  server) lacks is replaced by a similar one rather than the browser's default serif. */
function withFallback(family: string): string {
  if (GENERIC.test(family)) return family;
  const first = family.split(',')[0]!;
  return `${family}, ${MONOSPACE.test(first) ? 'monospace' : SERIF.test(first) ? 'serif' : 'sans-serif'}`;
}

/** The box (page CSS px) an image watermark is drawn in. */
export function imageBox(w: ImageWatermark, img: { width: number; height: number }, page: Size): Rect {
  const m = marginOf(page);
  const aspect = img.width / img.height;
  const bw = w.width && lengthPx(w.width, page.width);
  const bh = w.height && lengthPx(w.height, page.height);
  let width: number;
  let height: number;
  if (bw && bh) {
    // Both given: the largest size of the image's own proportions inside that box.
    width = Math.min(bw, bh * aspect);
    height = width / aspect;
  } else if (bw) {
    width = bw;
    height = bw / aspect;
  } else if (bh) {
    height = bh;
    width = bh * aspect;
  } else {
    // Its own size, shrunk (never grown) to fit inside the margins.
    const k = Math.min(1, (page.width - 2 * m) / img.width, (page.height - 2 * m) / img.height);
    width = img.width * k;
    height = img.height * k;
  }
  return { x: place(w.horizontalAlign, page.width, width, m), y: place(w.verticalAlign, page.height, height, m), w: width, h: height };
}

/**
 * A box (page CSS px) that surely holds everything a watermark draws: text widths are bounded at
 * 1 em a character (1.25 for wide ones) plus 1 em all round, so rasters need only draw this much.
 */
export function inkBounds(w: Watermark, page: Size, images: ImageLookup | undefined): Rect {
  if (w.type === 'image') {
    const b = imageBox(w, imageOf(w, images), page);
    return { x: b.x - 1, y: b.y - 1, w: b.w + 2, h: b.h + 2 };
  }
  const p = planText(w, page);
  const width = Math.max(...w.lines.map((l) => [...l].reduce((n, ch) => n + (WIDE.test(ch) ? 1.25 : 1), 0))) * p.f;
  const height = w.lines.length * p.pitch;
  if (p.angle === 0) {
    const x0 = p.anchor === 'start' ? p.x : p.anchor === 'middle' ? p.x - width / 2 : p.x - width;
    return { x: x0 - p.f, y: p.top - p.f, w: width + 2 * p.f, h: height + 2 * p.f };
  }
  const r = (p.angle * Math.PI) / 180;
  const hw = width / 2 + p.f;
  const hh = height / 2 + p.f;
  const bw = Math.abs(hw * Math.cos(r)) + Math.abs(hh * Math.sin(r));
  const bh = Math.abs(hw * Math.sin(r)) + Math.abs(hh * Math.cos(r));
  return { x: p.cx - bw, y: p.cy - bh, w: 2 * bw, h: 2 * bh };
}

const base64Of = new WeakMap<Buffer, string>();
function dataUrl(img: WatermarkImage): string {
  let b = base64Of.get(img.data);
  if (b === undefined) {
    b = img.data.toString('base64');
    base64Of.set(img.data, b);
  }
  return `data:${img.mime};base64,${b}`;
}

export type ImageLookup = ReadonlyMap<string, WatermarkImage>;

export function imageOf(w: ImageWatermark, images: ImageLookup | undefined): WatermarkImage {
  if (w.source.kind === 'data') return w.source.image;
  const img = images?.get(w.source.fileId);
  // The caller resolves work files before rendering; a missing one is a wiring mistake, not input.
  if (!img) throw new Error(`image watermark work file ${w.source.fileId} was not resolved before rendering`);
  return img;
}

function imageElement(w: ImageWatermark, page: Size, images: ImageLookup | undefined): string {
  const img = imageOf(w, images);
  const b = imageBox(w, img, page);
  // SVG 2 href only (every current browser and librsvg read it): xlink:href as well would double the bytes.
  return `<image x="${num(b.x)}" y="${num(b.y)}" width="${num(b.w)}" height="${num(b.h)}" preserveAspectRatio="none" href="${dataUrl(img)}"/>`;
}

/** One watermark's element, in page CSS px, without its opacity (rasters apply that while blending). */
export function watermarkElement(w: Watermark, page: Size, images?: ImageLookup): string {
  return w.type === 'image' ? imageElement(w, page, images) : textElement(w, page);
}

/** All watermarks of a page, drawn in page CSS px, in the order given (later ones on top). */
export function watermarkFragment(ws: readonly Watermark[], page: Size, images?: ImageLookup): string {
  return ws
    .map((w) => {
      const opacity = w.opacity < 1 ? ` opacity="${num(w.opacity)}"` : '';
      return `<g${opacity}>${watermarkElement(w, page, images)}</g>`;
    })
    .join('');
}

/** The fragment wrapped in a group that declares what it uses and keeps clicks and selection off it. */
export function watermarkGroup(ws: readonly Watermark[], page: Size, images: ImageLookup | undefined, transform = ''): string {
  const t = transform ? ` transform="${transform}"` : '';
  return `<g class="quire-watermarks" pointer-events="none" style="user-select:none;-webkit-user-select:none" aria-hidden="true"${t}>${watermarkFragment(ws, page, images)}</g>`;
}
