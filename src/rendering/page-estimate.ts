// How many pages a document will have, guessed from its package before LibreOffice has laid it out:
// what `Document/q/Attributes?DesiredPageCountConfidence=` answers while the document converts, and
// what tells the renderer a document is long enough to export its first pages ahead of the rest.
// Confidence is 0–100 as in the PrizmDoc API (100 = exact); each source's value says how far the
// number written by the last program that saved the file can be trusted for LibreOffice's layout.
import yauzl from 'yauzl';
import type { Readable } from 'node:stream';

export interface PageEstimate {
  pageCount: number;
  /** 0–100; 100 means exact. */
  confidence: number;
}

export const UNKNOWN: PageEstimate = { pageCount: 1, confidence: 0 };

/** Package parts read for an estimate; anything larger is not worth inflating for a guess. */
const MAX_META_BYTES = 1024 * 1024;
/** document.xml is read for a text-length guess only up to this size. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Characters of body text on a letter/A4 page at 11–12 pt. */
const CHARS_PER_PAGE = 3500;

const WORD = new Set(['docx', 'docm', 'dotx', 'dotm']);
const SLIDES = new Set(['pptx', 'pptm', 'ppsx', 'potx']);
const SHEETS = new Set(['xlsx', 'xlsm', 'xltx']);
const ODF = new Set(['odt', 'ods', 'odp', 'ott', 'odg']);

/** The estimate for an office package; UNKNOWN for anything else or any unreadable package. */
export async function estimatePages(path: string, extension: string): Promise<PageEstimate> {
  const ext = extension.toLowerCase();
  if (!WORD.has(ext) && !SLIDES.has(ext) && !SHEETS.has(ext) && !ODF.has(ext)) return UNKNOWN;
  try {
    return (await fromPackage(path, ext)) ?? UNKNOWN;
  } catch {
    return UNKNOWN; // a damaged package: the conversion will say what is wrong with it
  }
}

async function fromPackage(path: string, ext: string): Promise<PageEstimate | undefined> {
  const zip = await openZip(path);
  try {
    if (WORD.has(ext)) {
      // Word writes the page count of its own layout at every save; LibreOffice's fonts and layout differ a little.
      const pages = count(/<(?:\w+:)?Pages>\s*(\d+)\s*</, await zip.read('docProps/app.xml', MAX_META_BYTES));
      if (pages) return { pageCount: pages, confidence: 50 };
      const body = await zip.read('word/document.xml', MAX_BODY_BYTES);
      return body === undefined ? undefined : { pageCount: fromWordBody(body), confidence: 10 };
    }
    if (SLIDES.has(ext)) {
      // One page per slide part; hidden slides are not drawn, so this can be a few too many.
      const slides = zip.names.filter((n) => /^ppt\/slides\/slide\d+\.xml$/.test(n)).length;
      return slides > 0 ? { pageCount: slides, confidence: 80 } : undefined;
    }
    if (SHEETS.has(ext)) {
      // At least a page per sheet with content; a long sheet prints to many.
      const sheets = (await zip.read('xl/workbook.xml', MAX_META_BYTES))?.match(/<(?:\w+:)?sheet\s/g)?.length ?? 0;
      return sheets > 0 ? { pageCount: sheets, confidence: 10 } : undefined;
    }
    const meta = await zip.read('meta.xml', MAX_META_BYTES);
    if (ext === 'ods') {
      const tables = count(/meta:table-count="(\d+)"/, meta);
      return tables ? { pageCount: tables, confidence: 10 } : undefined;
    }
    // Written by the last office suite's layout (often LibreOffice's own); for presentations it is the slide count.
    const pages = count(/meta:page-count="(\d+)"/, meta);
    return pages ? { pageCount: pages, confidence: ext === 'odp' ? 80 : 60 } : undefined;
  } finally {
    zip.close();
  }
}

/** Explicit page breaks, and body text at a page's worth of characters per page, whichever is more. */
function fromWordBody(xml: string): number {
  let chars = 0;
  for (const m of xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)) chars += m[1]!.length;
  const breaks = (xml.match(/<w:br\s[^>]*w:type="page"/g)?.length ?? 0) + (xml.match(/<w:pageBreakBefore\s*\/>/g)?.length ?? 0);
  return Math.max(1, breaks + 1, Math.ceil(chars / CHARS_PER_PAGE));
}

function count(re: RegExp, text: string | undefined): number {
  const n = Number(text === undefined ? NaN : re.exec(text)?.[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

interface Zip {
  names: string[];
  /** The part as text, or undefined when absent or larger than `max` bytes. */
  read(name: string, max: number): Promise<string | undefined>;
  close(): void;
}

function openZip(path: string): Promise<Zip> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zf) => {
      if (err) return reject(err);
      const entries = new Map<string, yauzl.Entry>();
      // autoClose is off (parts are read after listing), so a damaged directory must close the file here.
      zf.on('error', (e: unknown) => {
        zf.close();
        reject(e);
      });
      const listed = () =>
        resolve({
          names: [...entries.keys()],
          read: async (name, max) => {
            const e = entries.get(name);
            if (!e || e.uncompressedSize > max) return undefined;
            const stream = await new Promise<Readable>((res, rej) => zf.openReadStream(e, (er, s) => (er ? rej(er) : res(s))));
            const chunks: Buffer[] = [];
            for await (const c of stream) chunks.push(c as Buffer);
            return Buffer.concat(chunks).toString('utf8');
          },
          close: () => zf.close(),
        });
      zf.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName, e);
        // The parts an estimate reads come first in real packages; a directory of millions is not read on.
        if (entries.size >= 10_000) listed();
        else zf.readEntry();
      });
      zf.on('end', listed);
      zf.readEntry();
    });
  });
}
