// Hostile and broken inputs, made at test time from real corpus files or from nothing: nothing
// hostile is committed to the repository. Used by test/hostile-input.test.ts.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { PDFDocument, PDFName, PDFString, StandardFonts } from 'pdf-lib';

// ---- damage ---------------------------------------------------------------------------------------

/** A copy with `n` single bits flipped at places picked by a seeded generator (the first 64 bytes kept, so the format is still detected). */
export function flipBits(bytes: Buffer, n: number, seed: number): Buffer {
  const out = Buffer.from(bytes);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const at = 64 + (s % (out.length - 64));
    out[at]! ^= 1 << (s >>> 29);
  }
  return out;
}

export const truncate = (bytes: Buffer, fraction: number): Buffer => bytes.subarray(0, Math.floor(bytes.length * fraction));

/** Bytes from a seeded generator: the same "random" file every run. */
export function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

// ---- OOXML ----------------------------------------------------------------------------------------

/** The same package with word/document.xml rewritten. */
export function withDocumentXml(docx: Buffer, edit: (xml: string) => string): Buffer {
  const parts = unzipSync(new Uint8Array(docx));
  parts['word/document.xml'] = strToU8(edit(strFromU8(parts['word/document.xml']!)));
  return Buffer.from(zipSync(parts));
}

/** document.xml with a DOCTYPE after the XML declaration and a paragraph `text` (raw XML, may hold entity references) first in the body. */
export function withDoctype(docx: Buffer, doctype: string, text: string): Buffer {
  return withDocumentXml(docx, (xml) =>
    xml.replace(/^(<\?xml[^>]*\?>)?/, (decl) => `${decl}\n${doctype}`).replace('<w:body>', `<w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p>`),
  );
}

/** Ten levels of ten: &lol9; is 10^9 "lol"s (3 GB) if a parser expands it. */
export const BILLION_LAUGHS =
  '<!DOCTYPE w:document [<!ENTITY lol0 "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('') +
  ']>';

/** External general entities to a local file and to a loopback URL, and an external parameter entity. */
export const externalEntities = (url: string) =>
  `<!DOCTYPE w:document [<!ENTITY passwd SYSTEM "file:///etc/passwd"><!ENTITY remote SYSTEM "${url}/entity"><!ENTITY % dtd SYSTEM "${url}/dtd"> %dtd;]>`;

interface ZipPart {
  name: string;
  data: Buffer;
  crc: number;
  size: number;
}

const deflated = (name: string, raw: Uint8Array): ZipPart => ({ name, data: deflateRawSync(raw), crc: crc32(raw), size: raw.length });

/**
 * A deflate stream of `head`, then `fillBytes` (whole MiB) of `fill`, then `tail`, without ever
 * holding the filler: one MiB is compressed once with a full flush (byte-aligned, no references
 * back) and its compressed block repeated. 1 GiB of spaces costs about 1 MB.
 */
function bombStream(head: Buffer, fill: number, fillBytes: number, tail: Buffer): { data: Buffer; crc: number; size: number } {
  const MiB = 1 << 20;
  const chunk = Buffer.alloc(MiB, fill);
  const flushed = (b: Buffer) => deflateRawSync(b, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const packed = flushed(chunk);
  const n = Math.floor(fillBytes / MiB);
  let crc = crc32(head);
  for (let i = 0; i < n; i++) crc = crc32(chunk, crc);
  crc = crc32(tail, crc);
  return { data: Buffer.concat([flushed(head), ...Array<Buffer>(n).fill(packed), deflateRawSync(tail, { level: 9 })]), crc, size: head.length + n * MiB + tail.length };
}

/** A ZIP written by hand (fflate cannot hold a 2 GiB entry); `declared` overrides an entry's stated size. */
function writeZip(parts: (ZipPart & { declared?: number })[]): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const size = p.declared ?? p.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(p.crc >>> 0, 14);
    local.writeUInt32LE(p.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(p.crc >>> 0, 16);
    entry.writeUInt32LE(p.data.length, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    out.push(local, name, p.data);
    central.push(entry, name);
    offset += 30 + name.length + p.data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, dir, end]);
}

/**
 * The DOCX with `fillBytes` of spaces inside its body (valid XML whitespace), deflated 1000:1.
 * `declared`: state this size for the part instead of the true one (a lying bomb).
 */
export function zipBombDocx(docx: Buffer, fillBytes: number, declared?: number): { bytes: Buffer; unpacked: number } {
  const parts = unzipSync(new Uint8Array(docx));
  const xml = strFromU8(parts['word/document.xml']!);
  const at = xml.indexOf('<w:body>') + '<w:body>'.length;
  const bomb = bombStream(Buffer.from(xml.slice(0, at)), 0x20, fillBytes, Buffer.from(xml.slice(at)));
  const entries = Object.entries(parts)
    .filter(([name]) => !name.endsWith('/'))
    .map(([name, raw]) => (name === 'word/document.xml' ? { name, ...bomb, ...(declared !== undefined ? { declared } : {}) } : deflated(name, raw)));
  return { bytes: writeZip(entries), unpacked: bomb.size };
}

// ---- PDF ------------------------------------------------------------------------------------------

export async function manyPagesPdf(pages: number, word: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([200, 200]);
    if (i === 0 || i === pages - 1) page.drawText(`${word} ${i}`, { x: 10, y: 100, size: 12, font });
  }
  return Buffer.from(await doc.save());
}

/** One page of `size` × `size` points (14,400 is the PDF maximum; larger MediaBoxes exist in the wild). */
export async function hugePagePdf(size: number, word: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([size, size]).drawText(word, { x: 20, y: 20, size: 48, font });
  return Buffer.from(await doc.save());
}

/** A PDF that runs JavaScript when opened, carries an embedded file, and a link with a javascript: URI. */
export async function scriptedPdf(word: string, attachment: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([300, 300]);
  page.drawText(word, { x: 20, y: 150, size: 20, font });
  await doc.attach(Buffer.from(attachment), 'secret.txt', { mimeType: 'text/plain' });
  const js = doc.context.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of('app.alert("pwned"); this.exportDataObject({cName: "secret.txt", nLaunch: 2});') });
  doc.catalog.set(PDFName.of('OpenAction'), doc.context.register(js));
  const link = doc.context.obj({
    Type: 'Annot',
    Subtype: 'Link',
    Rect: [0, 0, 300, 100],
    Border: [0, 0, 0],
    A: { Type: 'Action', S: 'URI', URI: PDFString.of('javascript:alert(document.cookie)') },
  });
  page.node.set(PDFName.of('Annots'), doc.context.obj([doc.context.register(link)]));
  return Buffer.from(await doc.save());
}

// ---- images ---------------------------------------------------------------------------------------


/** A little-endian baseline greyscale TIFF claiming width × height pixels in one 16-byte strip. */
export function tiffClaiming(width: number, height: number): Buffer {
  const tags: [tag: number, type: 3 | 4, value: number][] = [
    [256, 4, width], // ImageWidth
    [257, 4, height], // ImageLength
    [258, 3, 8], // BitsPerSample
    [259, 3, 1], // no compression
    [262, 3, 1], // BlackIsZero
    [273, 4, 0], // StripOffsets (set below)
    [277, 3, 1], // SamplesPerPixel
    [278, 4, height], // RowsPerStrip
    [279, 4, 16], // StripByteCounts
  ];
  const ifd = Buffer.alloc(2 + 12 * tags.length + 4);
  const stripAt = 8 + ifd.length;
  ifd.writeUInt16LE(tags.length, 0);
  tags.forEach(([tag, type, value], i) => {
    const o = 2 + 12 * i;
    ifd.writeUInt16LE(tag, o);
    ifd.writeUInt16LE(type, o + 2);
    ifd.writeUInt32LE(1, o + 4);
    const v = tag === 273 ? stripAt : value;
    if (type === 3) ifd.writeUInt16LE(v, o + 8);
    else ifd.writeUInt32LE(v, o + 8);
  });
  return Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), ifd, Buffer.alloc(16, 0x80)]);
}

// ---- markup ---------------------------------------------------------------------------------------

/** HTML that would run script and fetch from `url` in every way a browser or LibreOffice might. */
export const hostileHtml = (url: string, word: string) =>
  `<!doctype html><html><head><base href="${url}/base/"><script>document.write('SCRIPT-RAN')</script>` +
  `<link rel="stylesheet" href="${url}/css"><style>@import url("${url}/import"); body { background: url(${url}/bg) }</style></head>` +
  `<body onload="fetch('${url}/onload')"><p>${word}</p><iframe src="${url}/frame"></iframe><img src="${url}/x">` +
  `<img srcset="${url}/srcset 2x"><object data="${url}/object"></object><embed src="${url}/embed">` +
  `<svg><image href="${url}/svgimage"/></svg><a href="javascript:alert(1)">link</a></body></html>`;

/** An SVG with script, an event handler and a remote image. */
export const scriptedSvg = (url: string, word: string) =>
  `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="300" height="200" onload="alert(1)">` +
  `<script>alert(document.cookie)</script><image xlink:href="${url}/svg-image" width="10" height="10"/><text x="10" y="50">${word}</text></svg>`;

// ---- a loopback listener that counts what reaches it ------------------------------------------

export interface Listener {
  url: string;
  hits: string[];
  close(): Promise<void>;
}

/** Records every request; `routes` answer some paths (a redirector), everything else gets a canary body. */
export async function listen(host: string, routes: Record<string, (res: http.ServerResponse) => void> = {}): Promise<Listener> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const route = routes[(req.url ?? '').split('?')[0]!];
    if (route) route(res);
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('CANARY-FETCHED');
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    hits,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}
