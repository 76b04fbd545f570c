// Tells a document's format from its bytes: magic numbers, the streams of an OLE2 compound file
// (doc/xls/ppt) and the parts of a ZIP package (OOXML by its content types, ODF by its mimetype).
// Text formats have no signature: the caller's FileExtension decides those.
import { open } from 'node:fs/promises';
import yauzl from 'yauzl';
import { formatOf } from './formats.ts';

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
    if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return await fromZip(path);
    return null;
  } finally {
    await fh.close();
  }
}

/** Resolves the format of an upload: the bytes first, then FileExtension for text formats. */
export function resolveFormat(detected: string | null, fileExtension: string | undefined): string | null {
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

// OLE2: the directory holds the names of the streams; the main stream's name tells the program.
const oleStreams: [string, string][] = [
  ['WordDocument', 'doc'],
  ['Workbook', 'xls'],
  ['Book', 'xls'],
  ['PowerPoint Document', 'ppt'],
];

async function fromCompoundFile(fh: import('node:fs/promises').FileHandle, head: Buffer): Promise<string | null> {
  const found = (buf: Buffer) => {
    for (const [name, ext] of oleStreams) if (buf.includes(Buffer.from(name + '\0', 'utf16le'))) return ext;
    return null;
  };
  // The first directory sector usually names the main stream; else scan the first 8 MB.
  const sectorShift = head.readUInt16LE(0x1e);
  const dirStart = head.readUInt32LE(0x30);
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

async function fromZip(path: string): Promise<string | null> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(path, { lazyEntries: true, autoClose: false }, (e, z) => (e ? rej(e) : res(z))));
  } catch {
    return null; // not a readable ZIP (truncated, damaged): nothing to tell
  }
  try {
    const names = new Map<string, yauzl.Entry>();
    await new Promise<void>((res, rej) => {
      zip.on('entry', (e: yauzl.Entry) => {
        if (names.size < 10000) names.set(e.fileName, e);
        zip.readEntry();
      });
      zip.on('end', () => res());
      zip.on('error', rej);
      zip.readEntry();
    });
    const mimetype = names.get('mimetype');
    if (mimetype) {
      const type = (await readPart(zip, mimetype)).trim();
      const odf: Record<string, string> = {
        'application/vnd.oasis.opendocument.text': 'odt',
        'application/vnd.oasis.opendocument.text-template': 'ott',
        'application/vnd.oasis.opendocument.spreadsheet': 'ods',
        'application/vnd.oasis.opendocument.spreadsheet-template': 'ots',
        'application/vnd.oasis.opendocument.presentation': 'odp',
        'application/vnd.oasis.opendocument.presentation-template': 'otp',
        'application/vnd.oasis.opendocument.graphics': 'odg',
      };
      if (odf[type]) return odf[type];
    }
    const types = names.get('[Content_Types].xml');
    if (!types) return null;
    const ct = await readPart(zip, types);
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
  } finally {
    zip.close();
  }
}

async function readPart(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  // Small parts only: a zip bomb's [Content_Types].xml is not read past this size.
  if (entry.uncompressedSize > MAX_PART_BYTES) return '';
  const stream = await new Promise<NodeJS.ReadableStream>((res, rej) => zip.openReadStream(entry, (e, s) => (e ? rej(e) : res(s))));
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_PART_BYTES) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
