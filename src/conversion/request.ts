// The body of POST /v2/contentConverters, validated with the vendor's error shape. Errors name the
// place as the vendor does: `input.sources[0].fileId`, `input.dest.format`. A source is the vendor's
// `fileId`, or Quire's `viewingSessionId`: that session's document as its viewer sees it (watermarks
// burned in, the redline of a comparison session).
import { invalidInput, missingInput } from '../domain/errors.ts';
import { compile } from '../domain/validate.ts';
import { parsePageRanges, type PageRange } from './page-ranges.ts';

export const DestFormats = ['pdf', 'tiff', 'png', 'jpeg', 'svg', 'docx'] as const;
export type DestFormat = (typeof DestFormats)[number];

export interface SourceInput {
  fileId?: string;
  /** Quire: a viewing session of the caller's tenant instead of a work file. */
  viewingSessionId?: string;
  pages?: string;
  password?: string | null;
}

export interface RasterOptions {
  maxWidth?: string;
  maxHeight?: string;
}

export interface DestInput {
  format: DestFormat;
  pdfOptions?: { forceOneFilePerPage?: boolean };
  pngOptions?: RasterOptions;
  jpegOptions?: RasterOptions & { quality?: number };
  tiffOptions?: RasterOptions & { forceOneFilePerPage?: boolean };
}

export interface ConversionInput {
  sources: SourceInput[];
  dest: DestInput;
}

/** What a source names: a work file, or (Quire) a viewing session. */
export type SourceName = { fileId: string } | { viewingSessionId: string };

/** What the conversion will do, parsed: page ranges and pixel boxes as numbers. */
export interface ConversionRequest {
  input: ConversionInput;
  sources: { name: SourceName; ranges: PageRange[] | undefined; password: string | null }[];
  format: DestFormat;
  /** Raster outputs: fit each page in this box (either side may be open). */
  box: { width?: number; height?: number } | undefined;
  jpegQuality: number;
  onePerPage: boolean;
  minSecondsAvailable: number | undefined;
}

const pixels = { type: 'string', pattern: '^[1-9][0-9]{0,4}px$' } as const;
const raster = { maxWidth: pixels, maxHeight: pixels };

const parseInput = compile<ConversionInput>({
  type: 'object',
  required: ['sources', 'dest'],
  additionalProperties: false,
  properties: {
    sources: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          fileId: { type: 'string', minLength: 1, maxLength: 256 },
          viewingSessionId: { type: 'string', minLength: 1, maxLength: 256 },
          pages: { type: 'string', maxLength: 10_000 },
          password: { type: ['string', 'null'], maxLength: 1024 },
        },
      },
    },
    dest: {
      type: 'object',
      required: ['format'],
      additionalProperties: false,
      properties: {
        format: { type: 'string', enum: DestFormats },
        pdfOptions: { type: 'object', additionalProperties: false, properties: { forceOneFilePerPage: { type: 'boolean' } } },
        pngOptions: { type: 'object', additionalProperties: false, properties: raster },
        jpegOptions: { type: 'object', additionalProperties: false, properties: { ...raster, quality: { type: 'integer', minimum: 1, maximum: 100 } } },
        tiffOptions: { type: 'object', additionalProperties: false, properties: { ...raster, forceOneFilePerPage: { type: 'boolean' } } },
      },
    },
  },
});

const OPTIONS_OF: Record<DestFormat, keyof DestInput | undefined> = {
  pdf: 'pdfOptions',
  png: 'pngOptions',
  jpeg: 'jpegOptions',
  tiff: 'tiffOptions',
  svg: undefined,
  docx: undefined,
};

export function parseConversionRequest(body: unknown): ConversionRequest {
  if (body === undefined || body === null) throw missingInput('input');
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidInput('body', { type: 'object' });
  const { input, minSecondsAvailable, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw invalidInput(extra, 'no such property');
  if (input === undefined) throw missingInput('input');
  if (minSecondsAvailable !== undefined && !(Number.isInteger(minSecondsAvailable) && (minSecondsAvailable as number) >= 1 && (minSecondsAvailable as number) <= 31_536_000)) {
    throw invalidInput('minSecondsAvailable', { type: 'integer', minimum: 1, maximum: 31_536_000 });
  }
  const parsed = parseInput(input, 'body', 'input');
  const dest = parsed.dest;
  // Options of another format would be silently ignored; say so instead.
  for (const key of ['pdfOptions', 'pngOptions', 'jpegOptions', 'tiffOptions'] as const) {
    if (dest[key] !== undefined && OPTIONS_OF[dest.format] !== key) {
      throw invalidInput(`input.dest.${key}`, `only with format ${key.replace('Options', '')}`, 'body', `input.dest.${key} applies only when input.dest.format is "${key.replace('Options', '')}"`);
    }
  }
  const sources = parsed.sources.map((s, i) => ({
    name: sourceName(s, `input.sources[${i}]`, dest.format),
    ranges: parsePageRanges(s.pages, `input.sources[${i}].pages`),
    password: s.password ?? null,
  }));
  if (dest.format === 'docx') {
    // A word-processing document has no fixed pages to select, and two cannot be merged faithfully.
    if (sources.length > 1) throw invalidInput('input.sources', { maxItems: 1 }, 'body', 'A docx conversion takes exactly one source');
    if (sources[0]!.ranges) throw invalidInput('input.sources[0].pages', '""', 'body', 'A docx conversion converts the whole document: leave pages empty');
  }
  const options = (OPTIONS_OF[dest.format] ? dest[OPTIONS_OF[dest.format]!] : undefined) as (RasterOptions & { quality?: number; forceOneFilePerPage?: boolean }) | undefined;
  const px = (v: string | undefined) => (v === undefined ? undefined : Number(v.slice(0, -2)));
  const width = px(options?.maxWidth);
  const height = px(options?.maxHeight);
  return {
    input: parsed,
    sources,
    format: dest.format,
    box: width === undefined && height === undefined ? undefined : { ...(width === undefined ? {} : { width }), ...(height === undefined ? {} : { height }) },
    jpegQuality: options?.quality ?? 85,
    onePerPage: options?.forceOneFilePerPage ?? false,
    minSecondsAvailable: minSecondsAvailable as number | undefined,
  };
}

function sourceName(s: SourceInput, at: string, format: DestFormat): SourceName {
  if (s.viewingSessionId === undefined) {
    if (s.fileId === undefined) throw missingInput(`${at}.fileId`);
    return { fileId: s.fileId };
  }
  if (s.fileId !== undefined) throw invalidInput(`${at}.viewingSessionId`, 'either fileId or viewingSessionId', 'body', `${at} must name a work file (fileId) or a viewing session (viewingSessionId), not both`);
  // The session has its own password; its watermark could not be burned into a DOCX.
  if (s.password !== undefined) throw invalidInput(`${at}.password`, 'no password with viewingSessionId', 'body', `${at}.password applies to fileId sources only: a viewing session has its own`);
  if (format === 'docx') throw invalidInput(`${at}.viewingSessionId`, 'fileId sources only for docx', 'body', 'A docx conversion takes a fileId source: a viewing session converts to pdf, tiff, png, jpeg or svg');
  return { viewingSessionId: s.viewingSessionId };
}
