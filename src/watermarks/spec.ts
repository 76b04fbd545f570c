// A session's watermarks: validating the creation input (the vendor's field names from the seed
// example, plus Quire's own for diagonal text and images, see docs/watermarks.md), normalising it,
// and a canonical key so renditions with different watermarks never share a cache entry.
import { createHash } from 'node:crypto';
import { invalidInput, missingInput } from '../domain/errors.ts';
import { parseColor } from './colors.ts';
import { readImageHeader, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, type WatermarkImage } from './image-info.ts';

export type { WatermarkImage } from './image-info.ts';

export type VerticalAlign = 'top' | 'center' | 'bottom';
export type HorizontalAlign = 'left' | 'center' | 'right';
export type FontStyle = 'normal' | 'italic' | 'oblique';
export type TextDecoration = 'none' | 'underline' | 'overline' | 'line-through';

/** A length as given: points, CSS pixels, or percent of the page (height for fontSize and height, width for width). */
export interface Length {
  value: number;
  unit: 'pt' | 'px' | '%';
}

interface Common {
  /** 0–1. */
  opacity: number;
  verticalAlign: VerticalAlign;
  horizontalAlign: HorizontalAlign;
}

export interface TextWatermark extends Common {
  type: 'text' | 'diagonalText';
  /** The text split on line breaks. */
  lines: string[];
  /** #rrggbb. */
  color: string;
  /** From #rgba/#rrggbbaa; 1 otherwise. */
  colorAlpha: number;
  fontFamily: string;
  /** null: diagonal text sized to fit across the page. */
  fontSize: Length | null;
  /** normal, bold, bolder, lighter or 1–1000. */
  fontWeight: string;
  fontStyle: FontStyle;
  textDecoration: TextDecoration;
  /** Diagonal text only: degrees counter-clockwise from horizontal; null = the page's diagonal
   *  from bottom-left to top-right (so it differs between portrait and landscape pages). */
  rotation: number | null;
}

export type ImageSource = { kind: 'data'; sha256: string; image: WatermarkImage } | { kind: 'workFile'; fileId: string };

export interface ImageWatermark extends Common {
  type: 'image';
  source: ImageSource;
  /** null: the image's own size (1 image pixel = 1 CSS pixel), shrunk to fit the page. */
  width: Length | null;
  height: Length | null;
}

export type Watermark = TextWatermark | ImageWatermark;

const MAX_TEXT = 4096;
const MAX_LINES = 64;
const MAX_FONT_FAMILY = 200;
/** Base64 characters of inline image data (about 12 MB of bytes). */
/** An image watermark's bytes, inline (as base64 text) or in a work file. */
export const MAX_IMAGE_DATA = 16 * 1024 * 1024;
const MAX_WATERMARKS = 32;

const TYPES: Record<string, Watermark['type']> = { text: 'text', diagonaltext: 'diagonalText', image: 'image' };
const VERTICAL: Record<string, VerticalAlign> = { top: 'top', center: 'center', middle: 'center', bottom: 'bottom' };
const HORIZONTAL: Record<string, HorizontalAlign> = { left: 'left', center: 'center', right: 'right' };
const FONT_STYLES: readonly FontStyle[] = ['normal', 'italic', 'oblique'];
const DECORATIONS: readonly TextDecoration[] = ['none', 'underline', 'overline', 'line-through'];
const WEIGHT_WORDS = ['normal', 'bold', 'bolder', 'lighter'];

/**
 * Validates and normalises the `watermarks` of a creation body. Throws QuireError input
 * InvalidInput/MissingInput whose details.at names the property, e.g. "input.watermarks[1].opacity".
 * Unknown properties are ignored, as the creation body's are (a vendor client may send more).
 */
export function parseWatermarks(value: unknown, at = 'input.watermarks'): Watermark[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidInput(at, { type: 'array' });
  if (value.length > MAX_WATERMARKS) throw invalidInput(at, { maxItems: MAX_WATERMARKS }, 'body', `At most ${MAX_WATERMARKS} watermarks`);
  return value.map((w, i) => parseOne(w, `${at}[${i}]`));
}

function parseOne(w: unknown, at: string): Watermark {
  if (typeof w !== 'object' || w === null || Array.isArray(w)) throw invalidInput(at, { type: 'object' });
  const o = w as Record<string, unknown>;
  if (o.type === undefined) throw missingInput(`${at}.type`);
  const type = typeof o.type === 'string' ? TYPES[o.type.toLowerCase()] : undefined;
  if (!type) throw invalidInput(`${at}.type`, { enum: ['text', 'diagonalText', 'image'] });
  const common: Common = {
    opacity: opacity(o.opacity, `${at}.opacity`),
    verticalAlign: keyword(o.verticalAlign, `${at}.verticalAlign`, VERTICAL, 'center'),
    horizontalAlign: keyword(o.horizontalAlign, `${at}.horizontalAlign`, HORIZONTAL, 'center'),
  };
  if (type === 'image') return { type, ...common, source: imageSource(o, at), width: length(o.width, `${at}.width`, null), height: length(o.height, `${at}.height`, null) };
  const color = o.color === undefined ? { hex: '#000000', alpha: 1 } : typeof o.color === 'string' ? parseColor(o.color) : undefined;
  if (!color) throw bad(`${at}.color`, 'a CSS colour name or #rgb, #rgba, #rrggbb, #rrggbbaa', `${at}.color must be a CSS colour name or a hex colour`);
  return {
    type,
    ...common,
    lines: text(o.text, `${at}.text`),
    color: color.hex,
    colorAlpha: color.alpha,
    fontFamily: fontFamily(o.fontFamily, `${at}.fontFamily`),
    fontSize: length(o.fontSize, `${at}.fontSize`, type === 'diagonalText' ? null : { value: 12, unit: 'pt' }),
    fontWeight: fontWeight(o.fontWeight, `${at}.fontWeight`),
    fontStyle: oneOf(o.fontStyle, `${at}.fontStyle`, FONT_STYLES, 'normal'),
    textDecoration: oneOf(o.textDecoration, `${at}.textDecoration`, DECORATIONS, 'none'),
    rotation: type === 'diagonalText' ? rotation(o.rotation, `${at}.rotation`) : null,
  };
}

const bad = (at: string, expected: unknown, message: string) => invalidInput(at, expected, 'body', message);

function opacity(v: unknown, at: string): number {
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw bad(at, { type: 'number', minimum: 0, maximum: 1 }, `${at} must be a number from 0 to 1`);
  return v;
}

function keyword<T extends string>(v: unknown, at: string, table: Record<string, T>, fallback: T): T {
  if (v === undefined) return fallback;
  const hit = typeof v === 'string' ? table[v.toLowerCase()] : undefined;
  if (!hit) throw invalidInput(at, { enum: [...new Set(Object.values(table))] });
  return hit;
}

function oneOf<T extends string>(v: unknown, at: string, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  const lower = typeof v === 'string' ? v.toLowerCase() : undefined;
  const hit = allowed.find((a) => a === lower);
  if (!hit) throw invalidInput(at, { enum: allowed });
  return hit;
}

// Characters XML cannot carry (C0 controls but tab and line breaks, lone surrogates, U+FFFE/FFFF).
// With the u flag a surrogate range matches only unpaired halves (pairs are read as one code point).
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/u;

function text(v: unknown, at: string): string[] {
  if (v === undefined || v === null) throw missingInput(at);
  if (typeof v !== 'string') throw invalidInput(at, { type: 'string' });
  if (v.length > MAX_TEXT) throw bad(at, { maxLength: MAX_TEXT }, `${at} must be at most ${MAX_TEXT} characters`);
  if (XML_INVALID.test(v)) {
    throw bad(at, 'text without control characters', `${at} contains a control character or an unpaired surrogate`);
  }
  const lines = v.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').split('\n');
  if (lines.length > MAX_LINES) throw bad(at, { maxLines: MAX_LINES }, `${at} must have at most ${MAX_LINES} lines`);
  if (lines.every((l) => l.trim() === '')) throw bad(at, 'non-blank text', `${at} must not be blank`);
  return lines;
}

function fontFamily(v: unknown, at: string): string {
  if (v === undefined) return 'sans-serif';
  if (typeof v !== 'string') throw invalidInput(at, { type: 'string' });
  const s = v.trim().replace(/\s+/g, ' ');
  // A CSS family list: names, quotes, commas. Nothing that could end an attribute or start markup.
  if (s === '' || s.length > MAX_FONT_FAMILY || !/^[\p{L}\p{N} _.,'"-]+$/u.test(s)) {
    throw bad(at, 'a font family name or a comma-separated list of them', `${at} must be font family names (letters, digits, spaces, quotes, commas, - _ .)`);
  }
  return s;
}

function fontWeight(v: unknown, at: string): string {
  if (v === undefined) return 'normal';
  if (typeof v === 'string' && WEIGHT_WORDS.includes(v.toLowerCase())) return v.toLowerCase();
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw bad(at, { enum: WEIGHT_WORDS, or: { type: 'integer', minimum: 1, maximum: 1000 } }, `${at} must be normal, bold, bolder, lighter or 1–1000`);
  return String(n);
}

/** "16pt", "12px", "5%", or a bare number meaning points. */
function length(v: unknown, at: string, fallback: Length | null): Length | null {
  if (v === undefined || v === null) return fallback;
  let value: number;
  let unit: Length['unit'] = 'pt';
  if (typeof v === 'number') value = v;
  else if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(pt|px|%)?\s*$/i.exec(v);
    value = m ? Number(m[1]) : NaN;
    if (m?.[2]) unit = m[2].toLowerCase() as Length['unit'];
  } else value = NaN;
  const max = unit === '%' ? 100 : 10_000;
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    throw bad(at, { pattern: '<number>pt | <number>px | <number>%', exclusiveMinimum: 0, maximum: `${max}${unit === '%' ? '%' : ''}` }, `${at} must be a positive size such as "16pt", "20px" or "5%"`);
  }
  return { value, unit };
}

function rotation(v: unknown, at: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < -360 || v > 360) throw bad(at, { type: 'number', minimum: -360, maximum: 360 }, `${at} must be degrees from -360 to 360`);
  return v;
}

function imageSource(o: Record<string, unknown>, at: string): ImageSource {
  const data = o.imageData;
  const id = o.imageWorkFileId;
  if (data !== undefined && id !== undefined) throw bad(`${at}.imageWorkFileId`, 'either imageData or imageWorkFileId', `${at} must name its image by imageData or by imageWorkFileId, not both`);
  if (id !== undefined) {
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(id)) throw invalidInput(`${at}.imageWorkFileId`, { type: 'string', pattern: '^[A-Za-z0-9_-]{1,256}$' });
    return { kind: 'workFile', fileId: id };
  }
  if (data === undefined || data === null) throw missingInput(`${at}.imageData`);
  const dat = `${at}.imageData`;
  if (typeof data !== 'string') throw invalidInput(dat, { type: 'string' });
  if (data.length > MAX_IMAGE_DATA) throw bad(dat, { maxLength: MAX_IMAGE_DATA }, `${dat} is too large`);
  // Plain base64, or a data: URL of a PNG or JPEG.
  const b64 = data.replace(/^data:image\/(?:png|jpe?g);base64,/i, '').replace(/\s+/g, '');
  if (b64 === '' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(b64)) throw bad(dat, 'base64 of a PNG or JPEG image', `${dat} must be base64 (or a data: URL) of a PNG or JPEG image`);
  const bytes = Buffer.from(b64, 'base64');
  return { kind: 'data', sha256: createHash('sha256').update(bytes).digest('hex'), image: checkImage(bytes, dat) };
}

/**
 * Checks the bytes of an image watermark (inline data, or a work file the caller resolved) and
 * returns them with their type and size. Throws InvalidInput at `at` when they are not a PNG or
 * JPEG of a sensible size.
 */
export function checkImage(bytes: Buffer, at: string): WatermarkImage {
  const head = readImageHeader(bytes);
  if ('problem' in head) {
    const message =
      head.problem === 'format' ? `${at} is not a PNG or JPEG image`
      : head.problem === 'truncated' ? `${at} is not a readable PNG or JPEG image`
      : `${at} is larger than ${MAX_IMAGE_SIDE}×${MAX_IMAGE_SIDE} or ${MAX_IMAGE_PIXELS} pixels`;
    throw bad(at, head.problem === 'size' ? { maxSide: MAX_IMAGE_SIDE, maxPixels: MAX_IMAGE_PIXELS } : { format: ['png', 'jpeg'] }, message);
  }
  return { data: bytes, ...head };
}

/** Work file ids of image watermarks, for the caller to resolve (checkImage on each) before rendering. */
export function workFileIdsOf(ws: readonly Watermark[]): string[] {
  return [...new Set(ws.flatMap((w) => (w.type === 'image' && w.source.kind === 'workFile' ? [w.source.fileId] : [])))];
}

/** A watermark as plain data in a fixed key order (image bytes by their hash), for the key. */
function canonical(w: Watermark): unknown {
  const common = { type: w.type, opacity: w.opacity, verticalAlign: w.verticalAlign, horizontalAlign: w.horizontalAlign };
  if (w.type === 'image') {
    const source = w.source.kind === 'data' ? { sha256: w.source.sha256 } : { workFileId: w.source.fileId };
    return { ...common, source, width: w.width && { ...w.width }, height: w.height && { ...w.height } };
  }
  return {
    ...common,
    lines: w.lines,
    color: w.color,
    colorAlpha: w.colorAlpha,
    fontFamily: w.fontFamily,
    fontSize: w.fontSize && { value: w.fontSize.value, unit: w.fontSize.unit },
    fontWeight: w.fontWeight,
    fontStyle: w.fontStyle,
    textDecoration: w.textDecoration,
    rotation: w.rotation,
  };
}

/** The canonical text of a session's watermarks: equal exactly when they draw the same. */
export function canonicalWatermarks(ws: readonly Watermark[]): string {
  return JSON.stringify({ v: 1, watermarks: ws.map(canonical) });
}

const oneKeys = new WeakMap<Watermark, string>();

/** sha256 hex of one watermark as drawn at full opacity: rasters draw each watermark once and apply
 *  its opacity while blending, so sessions differing only in opacity, or in their other watermarks
 *  (usually the viewer's name next to a shared "CONFIDENTIAL"), share the drawing. */
export function drawingKey(w: Watermark): string {
  let k = oneKeys.get(w);
  if (k === undefined) {
    k = createHash('sha256').update(JSON.stringify({ v: 1, watermark: canonical({ ...w, opacity: 1 }) })).digest('hex');
    oneKeys.set(w, k);
  }
  return k;
}

const keys = new WeakMap<readonly Watermark[], string>();

/** sha256 hex of canonicalWatermarks, or '' when there are none (so a key without watermarks stays as it was). */
export function watermarkKey(ws: readonly Watermark[]): string {
  if (ws.length === 0) return '';
  let k = keys.get(ws);
  if (k === undefined) {
    k = createHash('sha256').update(canonicalWatermarks(ws)).digest('hex');
    keys.set(ws, k);
  }
  return k;
}
