// Reading and writing the parts of a DOCX (a ZIP of XML parts) in memory, for the small edits the
// Office Integrator routes make: a new blank document, a watermark, accepting changes, dropping
// comments. Sizes are bounded by what the entries declare, so a ZIP bomb is refused before inflating.
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { QuireError } from '../domain/errors.ts';
import { inflationProblem } from '../formats/zip-limits.ts';

/** Part name (no leading slash) → bytes. */
export type DocxParts = Map<string, Uint8Array>;

const MAX_ENTRIES = 10_000;
const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;

export const notADocx = (why: string) => new QuireError('input', 'NotADocx', `The document is not a readable DOCX: ${why}`);

export function readDocx(bytes: Uint8Array): DocxParts {
  let entries = 0;
  let total = 0;
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(bytes, {
      filter: (f) => {
        entries++;
        total += f.originalSize;
        if (entries > MAX_ENTRIES || total > MAX_UNPACKED_BYTES) throw notADocx('it unpacks to more than Quire edits in memory');
        const bomb = inflationProblem([{ name: f.name, compressedSize: f.size, uncompressedSize: f.originalSize }]);
        if (bomb) throw notADocx(bomb);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof QuireError) throw e;
    throw notADocx('it is not a ZIP package');
  }
  const parts: DocxParts = new Map(Object.entries(unzipped).filter(([name]) => !name.endsWith('/')));
  if (!parts.has('[Content_Types].xml') || !parts.has('word/document.xml')) throw notADocx('it has no word/document.xml');
  return parts;
}

export function writeDocx(parts: DocxParts): Buffer {
  const z: Zippable = {};
  // [Content_Types].xml first, as Word writes it (some readers sniff the first entry).
  const names = [...parts.keys()].sort((a, b) => (a === '[Content_Types].xml' ? -1 : b === '[Content_Types].xml' ? 1 : 0));
  for (const name of names) z[name] = [parts.get(name)!, { level: 6 }];
  return Buffer.from(zipSync(z));
}

export const textOf = (parts: DocxParts, name: string): string | undefined => {
  const b = parts.get(name);
  return b === undefined ? undefined : strFromU8(b);
};

export const setText = (parts: DocxParts, name: string, xml: string): void => {
  parts.set(name, strToU8(xml));
};

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

/** The relationships part that belongs to a part: word/document.xml → word/_rels/document.xml.rels. */
export function relsNameOf(part: string): string {
  const slash = part.lastIndexOf('/');
  return `${part.slice(0, slash + 1)}_rels/${part.slice(slash + 1)}.rels`;
}

/** Adds a relationship to a .rels part (made if missing) and returns its new id. */
export function addRelationship(parts: DocxParts, relsName: string, type: string, target: string): string {
  let xml = textOf(parts, relsName) ?? '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>';
  const used = new Set([...xml.matchAll(/\bId="([^"]*)"/g)].map((m) => m[1]));
  let n = used.size + 1;
  while (used.has(`rIdQ${n}`)) n++;
  const id = `rIdQ${n}`;
  xml = xml.replace(/<\/Relationships>\s*$/, `<Relationship Id="${id}" Type="${type}" Target="${escapeXml(target)}"/></Relationships>`);
  setText(parts, relsName, xml);
  return id;
}

/** Declares a part's content type in [Content_Types].xml (an Override for its name). */
export function addOverride(parts: DocxParts, partName: string, contentType: string): void {
  let xml = textOf(parts, '[Content_Types].xml')!;
  if (xml.includes(`PartName="/${partName}"`)) return;
  xml = xml.replace(/<\/Types>\s*$/, `<Override PartName="/${escapeXml(partName)}" ContentType="${contentType}"/></Types>`);
  setText(parts, '[Content_Types].xml', xml);
}

/** The main document part's name, from the package relationships (almost always word/document.xml). */
export function mainPartName(parts: DocxParts): string {
  const rels = textOf(parts, '_rels/.rels') ?? '';
  const m = /<Relationship\b[^>]*Type="[^"]*\/officeDocument"[^>]*>/.exec(rels);
  const target = m ? /Target="([^"]*)"/.exec(m[0])?.[1] : undefined;
  const name = target?.replace(/^\//, '');
  return name && parts.has(name) ? name : 'word/document.xml';
}
