// Tells a document's format from its bytes: magic numbers, the streams of an OLE2 compound file
// (doc/xls/ppt) and the parts of a ZIP package (OOXML by its content types, ODF by its mimetype).
// Text formats have no signature: the caller's FileExtension decides those.
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import { formatOf } from './formats.ts';
import { InflationCheck, type ZipEntrySizes } from './zip-limits.ts';

const HEAD_BYTES = 8192;

/** The canonical extension of the file's format, or null when the bytes do not tell. */
export async function detectFormat(path: string): Promise<string | null> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
    const b = head.subarray(0, bytesRead);
    const magic = fromMagic(b);
    if (magic) return magic;
    if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return await fromCompoundFile(fh, b);
    if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return await fromZip(fh, b);
    return null;
  } finally {
    await fh.close();
  }
}

/**
 * Why a ZIP package would unpack to too much (zip-limits.ts), or null when it is within the limits or
 * is no ZIP at all. A file that starts like a ZIP but whose directory this reader refuses is refused
 * too: LibreOffice's own reader is more lenient, and what it would inflate could not be judged.
 */
export async function zipInflationProblem(path: string): Promise<string | null> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
    if (!startsWith(head.subarray(0, bytesRead), [0x50, 0x4b, 0x03, 0x04])) return null;
    const check = new InflationCheck();
    const names = await readCentralDirectory(new ZipReader(fh, (await fh.stat()).size, head.subarray(0, bytesRead)), (e) => check.add(e)).catch(() => null);
    return names ? check.problem() : 'its ZIP directory cannot be read';
  } finally {
    await fh.close();
  }
}

/** Resolves the format of an upload: the bytes first, then FileExtension for text formats. */
export function resolveFormat(detected: string | null, fileExtension: string | undefined): string | null {
  // Which program an encrypted OOXML package is for is inside its encryption: the caller's OOXML
  // extension may say; else it is taken as a DOCX (LibreOffice finds the real kind once decrypted).
  if (detected === ENCRYPTED_OOXML) return fileExtension && OOXML.has(fileExtension) ? fileExtension : 'docx';
  if (detected) return detected;
  if (fileExtension && formatOf(fileExtension)?.textual) return fileExtension;
  return null;
}

function startsWith(b: Buffer, sig: number[], offset = 0): boolean {
  if (b.length < offset + sig.length) return false;
  return sig.every((v, i) => b[offset + i] === v);
}

function ascii(b: Buffer, start: number, end: number): string {
  return b.subarray(start, end).toString('latin1');
}

function fromMagic(b: Buffer): string | null {
  // PDF may have up to 1 KB of junk before its header; viewers accept that, so do we.
  if (b.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpg';
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(b, 0, 2) === 'BM' && b.length >= 26) return 'bmp';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tif';
  if (ascii(b, 0, 5) === '{\\rtf') return 'rtf';
  return null;
}

/** Not a format: what detectFormat says of a password-protected DOCX/XLSX/PPTX, for resolveFormat. */
const ENCRYPTED_OOXML = 'encrypted-ooxml';
const OOXML = new Set(['docx', 'docm', 'dotx', 'dotm', 'xlsx', 'xlsm', 'xltx', 'pptx', 'pptm', 'ppsx', 'potx']);

// OLE2: the directory holds the names of the streams; the main stream's name tells the program.
// A password-protected OOXML package is an OLE2 file too (ECMA-376 encryption: EncryptedPackage).
const oleStreams: [string, string][] = [
  ['WordDocument', 'doc'],
  ['Workbook', 'xls'],
  ['Book', 'xls'],
  ['PowerPoint Document', 'ppt'],
  ['EncryptedPackage', ENCRYPTED_OOXML],
];

async function fromCompoundFile(fh: FileHandle, head: Buffer): Promise<string | null> {
  const found = (buf: Buffer) => {
    for (const [name, ext] of oleStreams) if (buf.includes(Buffer.from(name + '\0', 'utf16le'))) return ext;
    return null;
  };
  // The first directory sector usually names the main stream; else scan the first 8 MB.
  // A header too short to say where the directory is (a truncated file) is only scanned.
  const complete = head.length >= 0x34;
  const sectorShift = complete ? head.readUInt16LE(0x1e) : 0;
  const dirStart = complete ? head.readUInt32LE(0x30) : 0;
  if (sectorShift >= 9 && sectorShift <= 16) {
    const size = 1 << sectorShift;
    const sector = Buffer.alloc(size);
    const { bytesRead } = await fh.read(sector, 0, size, (dirStart + 1) * size);
    const hit = found(sector.subarray(0, bytesRead));
    if (hit) return hit;
  }
  const scan = Buffer.alloc(8 * 1024 * 1024);
  const { bytesRead } = await fh.read(scan, 0, scan.length, 0);
  return found(scan.subarray(0, bytesRead));
}

const MAX_PART_BYTES = 1024 * 1024;
/** How much of the file is read at once while walking the central directory. */
const WINDOW_BYTES = 64 * 1024;
/** Deflated parts up to this size are inflated in one call; longer ones (only odd or hostile files) are streamed. */
const ONE_SHOT_COMPRESSED_BYTES = 2 * MAX_PART_BYTES;

const odfTypes: Record<string, string> = {
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.text-template': 'ott',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.spreadsheet-template': 'ots',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/vnd.oasis.opendocument.presentation-template': 'otp',
  'application/vnd.oasis.opendocument.graphics': 'odg',
};

async function fromZip(fh: FileHandle, head: Buffer): Promise<string | null> {
  try {
    const reader = new ZipReader(fh, (await fh.stat()).size, head);
    const names = await readCentralDirectory(reader);
    if (!names) return null; // not a readable ZIP (truncated, damaged): nothing to tell
    const mimetype = names.get('mimetype');
    if (mimetype) {
      const type = (await readPart(reader, mimetype)).trim();
      if (odfTypes[type]) return odfTypes[type];
    }
    const types = names.get('[Content_Types].xml');
    if (!types) return null;
    const ct = await readPart(reader, types);
    const has = (s: string) => ct.includes(s);
    if (names.has('word/document.xml') || has('wordprocessingml.document.main')) {
      if (has('ms-word.document.macroEnabled')) return 'docm';
      if (has('wordprocessingml.template.main')) return 'dotx';
      return 'docx';
    }
    if (has('ms-word.template.macroEnabledTemplate')) return 'docm';
    if (has('wordprocessingml.template.main')) return 'dotx';
    if (has('spreadsheetml.sheet.main') || has('ms-excel.sheet.macroEnabled') || has('spreadsheetml.template.main')) {
      if (has('ms-excel.sheet.macroEnabled')) return 'xlsm';
      if (has('spreadsheetml.template.main')) return 'xltx';
      return 'xlsx';
    }
    if (has('presentationml.slideshow.main')) return 'ppsx';
    if (has('presentationml.template.main')) return 'potx';
    if (has('ms-powerpoint.presentation.macroEnabled')) return 'pptm';
    if (has('presentationml.presentation.main')) return 'pptx';
    return null;
  } catch {
    return null;
  }
}

// The ZIP is read by hand rather than through a ZIP library: detection runs on every upload, and
// walking the central directory entry by entry with a read each (as yauzl does) cost about a
// quarter of a small DOCX upload. The rules below are yauzl 3's (same files accepted and rejected),
// but the directory comes from the file's tail and the parts from its head, usually with no further read.

interface ZipEntry {
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

class ZipError extends Error {}

/** Bounded reads from the file, served from the head and tail already read when they cover the range. */
class ZipReader {
  readonly fh: FileHandle;
  readonly size: number;
  private readonly head: Buffer;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(fh: FileHandle, size: number, head: Buffer) {
    this.fh = fh;
    this.size = size;
    this.head = head;
  }

  /** Exactly `len` bytes at `pos`, or a ZipError if the file ends first. */
  async bytes(pos: number, len: number): Promise<Buffer> {
    if (len === 0) return Buffer.alloc(0);
    if (pos + len <= this.head.length) return this.head.subarray(pos, pos + len);
    const w = pos - this.windowStart;
    if (w >= 0 && w + len <= this.window.length) return this.window.subarray(w, w + len);
    const buf = Buffer.allocUnsafe(Math.max(len, WINDOW_BYTES));
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, pos);
    if (bytesRead < len) throw new ZipError('unexpected end of file');
    this.window = buf.subarray(0, bytesRead);
    this.windowStart = pos;
    return this.window.subarray(0, len);
  }
}

/** Entry names → entries (as yauzl lists them: backslashes as slashes, the last of duplicates, at most 10000 names), or null if the ZIP is unreadable. */
async function readCentralDirectory(r: ZipReader, onEntry?: (e: ZipEntrySizes) => void): Promise<Map<string, ZipEntry> | null> {
  // End of central directory record: 22 bytes + a comment of up to 64 KB, maybe preceded by a ZIP64 locator.
  const tailLength = Math.min(20 + 22 + 0xffff, r.size);
  const tail = await r.bytes(r.size - tailLength, tailLength);
  let i = tailLength - 22;
  while (i >= 0 && tail.readUInt32LE(i) !== 0x06054b50) i--;
  if (i < 0) return null;
  if (tail.readUInt16LE(i + 20) !== tailLength - i - 22) return null; // bytes after the record
  let entryCount = tail.readUInt16LE(i + 10);
  let cursor = tail.readUInt32LE(i + 16);
  if (i >= 20 && tail.readUInt32LE(i - 20) === 0x07064b50) {
    const z = await r.bytes(readUInt64LE(tail, i - 20 + 8), 56);
    if (z.readUInt32LE(0) !== 0x06064b50 || z.readUInt32LE(16) !== 0) return null;
    entryCount = readUInt64LE(z, 32);
    cursor = readUInt64LE(z, 48);
  } else if (tail.readUInt16LE(i + 4) !== 0) {
    return null; // multi-disk
  }

  const names = new Map<string, ZipEntry>();
  // Each entry is at least 46 bytes, so a huge claimed count runs out of file (and fails) soon.
  for (let n = 0; n < entryCount; n++) {
    const h = await r.bytes(cursor, 46);
    if (h.readUInt32LE(0) !== 0x02014b50) return null;
    const entry: ZipEntry = {
      flags: h.readUInt16LE(8),
      method: h.readUInt16LE(10),
      compressedSize: h.readUInt32LE(20),
      uncompressedSize: h.readUInt32LE(24),
      localHeaderOffset: h.readUInt32LE(42),
    };
    if (entry.flags & 0x40) return null; // strong encryption
    const nameLength = h.readUInt16LE(28);
    const extraLength = h.readUInt16LE(30);
    const commentLength = h.readUInt16LE(32);
    const vars = await r.bytes(cursor + 46, nameLength + extraLength + commentLength);
    cursor += 46 + vars.length;
    const rawName = vars.subarray(0, nameLength);
    const extras = parseExtraFields(vars.subarray(nameLength, nameLength + extraLength));
    if (!extras) return null;
    const name = entryName(entry.flags, rawName, extras);
    if (/^[a-zA-Z]:/.test(name) || name.startsWith('/') || name.split('/').includes('..')) return null;
    const zip64 = extras.find((e) => e.id === 0x0001);
    if (zip64) {
      let at = 0;
      for (const field of ['uncompressedSize', 'compressedSize', 'localHeaderOffset'] as const) {
        if (entry[field] !== 0xffffffff) continue;
        if (at + 8 > zip64.data.length) return null;
        entry[field] = readUInt64LE(zip64.data, at);
        at += 8;
      }
    }
    // A stored entry's sizes must agree (12 more bytes when traditionally encrypted).
    if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize + (entry.flags & 0x1 ? 12 : 0)) return null;
    if (names.size < 10000) names.set(name, entry);
    onEntry?.({ name, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize });
  }
  return names;
}

function parseExtraFields(b: Buffer): { id: number; data: Buffer }[] | null {
  const fields: { id: number; data: Buffer }[] = [];
  for (let i = 0; i < b.length - 3; ) {
    const end = i + 4 + b.readUInt16LE(i + 2);
    if (end > b.length) return null;
    fields.push({ id: b.readUInt16LE(i), data: b.subarray(i + 4, end) });
    i = end;
  }
  return fields;
}

function entryName(flags: number, raw: Buffer, extras: { id: number; data: Buffer }[]): string {
  // Info-ZIP Unicode Path field, used only when it matches the plain name's CRC.
  const unicode = extras.find((e) => e.id === 0x7075 && e.data.length >= 6 && e.data[0] === 1 && e.data.readUInt32LE(1) === crc32(raw));
  // Not UTF-8 means CP437. Only ASCII names are looked up and validated, and latin1 maps bytes one to
  // one as CP437 does, so latin1 gives the same lookups and the same count of distinct names.
  const name = unicode ? unicode.data.subarray(5).toString('utf8') : raw.toString(flags & 0x800 ? 'utf8' : 'latin1');
  return name.replaceAll('\\', '/');
}

function readUInt64LE(b: Buffer, at: number): number {
  return b.readUInt32LE(at + 4) * 0x100000000 + b.readUInt32LE(at);
}

async function readPart(r: ZipReader, entry: ZipEntry): Promise<string> {
  // Small parts only: a zip bomb's [Content_Types].xml is not read past this size.
  if (entry.uncompressedSize > MAX_PART_BYTES) return '';
  if (entry.flags & 0x1) throw new ZipError('encrypted');
  if (entry.method !== 0 && entry.method !== 8) throw new ZipError('unsupported compression method');
  const local = await r.bytes(entry.localHeaderOffset, 30);
  if (local.readUInt32LE(0) !== 0x04034b50) throw new ZipError('bad local header');
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + entry.compressedSize > r.size) throw new ZipError('data past the end of the file');
  if (entry.method === 0) return (await r.bytes(start, entry.compressedSize)).toString('utf8');
  const out =
    entry.compressedSize <= ONE_SHOT_COMPRESSED_BYTES
      ? inflateRawSync(await r.bytes(start, entry.compressedSize), { maxOutputLength: Math.max(1, entry.uncompressedSize) })
      : await inflateStreamed(r, start, entry.compressedSize, entry.uncompressedSize);
  // The declared size must be exact, as yauzl checks.
  if (out.length !== entry.uncompressedSize) throw new ZipError('size mismatch');
  return out.toString('utf8');
}

/** Inflates a long deflate stream chunk by chunk, stopping as soon as it yields more than `limit` bytes. */
async function inflateStreamed(r: ZipReader, start: number, length: number, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const input = async function* () {
    for (let at = 0; at < length; at += WINDOW_BYTES) {
      const n = Math.min(WINDOW_BYTES, length - at);
      const buf = Buffer.allocUnsafe(n);
      const { bytesRead } = await r.fh.read(buf, 0, n, start + at);
      if (bytesRead < n) throw new ZipError('unexpected end of file');
      yield buf;
    }
  };
  await pipeline(input, createInflateRaw(), async (inflated: AsyncIterable<Buffer>) => {
    for await (const chunk of inflated) {
      total += chunk.length;
      if (total > limit) throw new ZipError('size mismatch');
      chunks.push(chunk);
    }
  });
  return Buffer.concat(chunks);
}
