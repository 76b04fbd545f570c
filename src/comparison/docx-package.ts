// A DOCX as the comparison sees it: the zip's parts in memory, its main document part and that
// part's relationships. Reading refuses what is not a transitional WordprocessingML package with the
// usual `w:` prefix (strict OOXML, odd prefixes): the caller then lets LibreOffice rewrite it.
import { createHash } from 'node:crypto';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { inflationProblem } from '../formats/zip-limits.ts';
import { parseXml, serializeDocument, type XmlDocument, type XmlElement } from './xml.ts';

export const W_NS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const OFFICE_DOC_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument';

/** Zip bombs: no single part, nor the whole, may inflate beyond these. */
const MAX_PART_BYTES = 256 * 1024 * 1024;
const MAX_TOTAL_BYTES = 512 * 1024 * 1024;

export class NotComparableDocx extends Error {
  override name = 'NotComparableDocx';
}

export interface Relationship {
  id: string;
  type: string;
  target: string;
  external: boolean;
}

export interface DocxPackage {
  parts: Map<string, Uint8Array>;
  /** e.g. "word/document.xml" */
  mainPath: string;
  main: XmlDocument;
  rels: Map<string, Relationship>;
}

export function readDocx(bytes: Uint8Array): DocxPackage {
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        if (f.originalSize > MAX_PART_BYTES) throw new NotComparableDocx(`part ${f.name} is too large`);
        const bomb = inflationProblem([{ name: f.name, compressedSize: f.size, uncompressedSize: f.originalSize }]);
        if (bomb) throw new NotComparableDocx(bomb);
        total += f.originalSize;
        if (total > MAX_TOTAL_BYTES) throw new NotComparableDocx('package is too large');
        return !f.name.endsWith('/');
      },
    });
  } catch (e) {
    if (e instanceof NotComparableDocx) throw e;
    throw new NotComparableDocx(`not a zip package: ${(e as Error).message}`);
  }
  const parts = new Map(Object.entries(entries));
  const rootRels = parts.get('_rels/.rels');
  if (!rootRels) throw new NotComparableDocx('no _rels/.rels');
  const officeDoc = [...readRels(strFromU8(rootRels)).values()].find((r) => r.type === OFFICE_DOC_REL);
  if (!officeDoc) throw new NotComparableDocx('no officeDocument relationship (strict OOXML or not a document)');
  const mainPath = resolveTarget('', officeDoc.target);
  const mainBytes = parts.get(mainPath);
  if (!mainBytes) throw new NotComparableDocx(`main part ${mainPath} is missing`);
  const main = parseXml(strFromU8(mainBytes));
  if (main.root.name !== 'w:document' || main.root.attrs['xmlns:w'] !== W_NS) {
    throw new NotComparableDocx(`main part is ${main.root.name} in ${main.root.attrs['xmlns:w'] ?? 'no w namespace'}`);
  }
  const relsBytes = parts.get(relsPathOf(mainPath));
  const rels = relsBytes ? readRels(strFromU8(relsBytes)) : new Map<string, Relationship>();
  return { parts, mainPath, main, rels };
}

export function readRels(xml: string): Map<string, Relationship> {
  const out = new Map<string, Relationship>();
  for (const r of parseXml(xml).root.children) {
    if (typeof r === 'string' || !r.name.endsWith('Relationship')) continue;
    const id = r.attrs.Id;
    if (id === undefined) continue;
    out.set(id, { id, type: r.attrs.Type ?? '', target: r.attrs.Target ?? '', external: r.attrs.TargetMode === 'External' });
  }
  return out;
}

export function relsPathOf(partPath: string): string {
  const slash = partPath.lastIndexOf('/');
  return `${partPath.slice(0, slash + 1)}_rels/${partPath.slice(slash + 1)}.rels`;
}

/** A relationship target (relative to the source part's folder, or absolute) as a zip path. */
export function resolveTarget(sourcePart: string, target: string): string {
  const base = target.startsWith('/') ? [] : sourcePart.split('/').slice(0, -1);
  for (const seg of target.replace(/^\//, '').split('/')) {
    if (seg === '..') base.pop();
    else if (seg !== '.' && seg !== '') base.push(decodeURIComponent(seg));
  }
  return base.join('/');
}

/** What a relationship points at, as a comparable key: the bytes' hash for a part, the URL for a link. */
export function relKey(pkg: DocxPackage, id: string): string {
  const rel = pkg.rels.get(id);
  if (!rel) return `missing:${id}`;
  if (rel.external) return `url:${rel.target}`;
  const bytes = pkg.parts.get(resolveTarget(pkg.mainPath, rel.target));
  return bytes ? `part:${createHash('sha1').update(bytes).digest('base64')}` : `missing:${rel.target}`;
}

export function writeDocx(pkg: DocxPackage, extraRels: Relationship[], extraParts: Map<string, Uint8Array>): Uint8Array {
  const files: Zippable = {};
  for (const [name, data] of pkg.parts) files[name] = data;
  for (const [name, data] of extraParts) files[name] = data;
  files[pkg.mainPath] = strToU8(serializeDocument(pkg.main));
  if (extraRels.length > 0) {
    const relsPath = relsPathOf(pkg.mainPath);
    const existing = pkg.parts.get(relsPath);
    const doc: XmlDocument = existing ? parseXml(strFromU8(existing)) : { prolog: '', root: { name: 'Relationships', attrs: { xmlns: REL_NS }, children: [] } };
    for (const r of extraRels) {
      const attrs: Record<string, string> = { Id: r.id, Type: r.type, Target: r.target };
      if (r.external) attrs.TargetMode = 'External';
      doc.root.children.push({ name: 'Relationship', attrs, children: [] });
    }
    files[relsPath] = strToU8(serializeDocument(doc));
  }
  if (extraParts.size > 0) files['[Content_Types].xml'] = strToU8(withDefaults(pkg.parts.get('[Content_Types].xml'), [...extraParts.keys()]));
  // Level 1: a redline is written once and read by LibreOffice right away; size matters little.
  return zipSync(files, { level: 1 });
}

const MEDIA_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', bmp: 'image/bmp', tif: 'image/tiff', tiff: 'image/tiff',
  emf: 'image/x-emf', wmf: 'image/x-wmf', svg: 'image/svg+xml', bin: 'application/vnd.openxmlformats-officedocument.oleObject',
};

/** [Content_Types].xml with a Default for every new part's extension it lacks. */
function withDefaults(existing: Uint8Array | undefined, names: string[]): string {
  const doc = parseXml(existing ? strFromU8(existing) : '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  const have = new Set(
    doc.root.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === 'Default').map((c) => (c.attrs.Extension ?? '').toLowerCase()),
  );
  for (const name of names) {
    const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
    if (have.has(ext)) continue;
    have.add(ext);
    doc.root.children.unshift({ name: 'Default', attrs: { Extension: ext, ContentType: MEDIA_TYPES[ext] ?? 'application/octet-stream' }, children: [] });
  }
  return serializeDocument(doc);
}
