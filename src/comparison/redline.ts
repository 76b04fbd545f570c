// Builds the redline DOCX from two DOCX packages: the revised package with its main document's body
// replaced by the compared body (tracked changes against the original), plus the display text and
// the change list as spans of it. Headers, footers, styles, numbering and notes are the revised
// document's: Word's Compare does the same for a "show changes in the new document" comparison.
import { readDocx, writeDocx, type DocxPackage } from './docx-package.ts';
import { acceptRevisions } from './normalize.ts';
import { RedlineContext } from './redline-context.ts';
import { diffStory } from './story-diff.ts';
import type { ChangeDraft } from './types.ts';
import { isEl, type XmlElement } from './xml.ts';

export interface RedlineOptions {
  author: string;
  /** ISO 8601, e.g. 2026-01-31T12:00:00Z. */
  date: string;
}

export interface Redline {
  docx: Uint8Array;
  /** The text the redline shows, in order (inserted and deleted text both; '\n' ends a paragraph). */
  displayText: string;
  /** In document order. */
  changes: ChangeDraft[];
}

export function buildRedline(original: Uint8Array, revised: Uint8Array, opts: RedlineOptions): Redline {
  return buildRedlineFromPackages(readDocx(original), readDocx(revised), opts);
}

/** Takes the packages over: both are changed in place. */
export function buildRedlineFromPackages(orig: DocxPackage, rev: DocxPackage, opts: RedlineOptions): Redline {
  const bodyOf = (root: XmlElement) => root.children.find((c): c is XmlElement => isEl(c) && c.name === 'w:body');
  const origBody = bodyOf(orig.main.root);
  const revBody = bodyOf(rev.main.root);
  if (!origBody || !revBody) throw new Error('a document has no body');
  acceptRevisions(origBody);
  acceptRevisions(revBody);

  const ctx = new RedlineContext(orig, rev, opts.author, opts.date);
  const blocks = (body: XmlElement) => body.children.filter((c): c is XmlElement => isEl(c) && c.name !== 'w:sectPr');
  const sectPr = revBody.children.filter((c): c is XmlElement => isEl(c) && c.name === 'w:sectPr');
  revBody.children = [...diffStory(blocks(origBody), blocks(revBody), ctx), ...sectPr];
  mergeNamespaces(orig.main.root, rev.main.root);

  const changes = [...ctx.changes].map((c, i) => ({ c, i }));
  // Paragraph and table property changes are recorded when their block ends: put them in order.
  changes.sort((x, y) => x.c.start - y.c.start || x.i - y.i);
  const newIndex = new Map(changes.map(({ i }, k) => [i, k]));
  const ordered = changes.map(({ c }) => (c.pair === undefined ? c : { ...c, pair: newIndex.get(c.pair)! }));
  return { docx: writeDocx(rev, ctx.extraRels, ctx.extraParts), displayText: ctx.displayText(), changes: ordered };
}

/** Deleted content from the original may use prefixes only the original declares. */
function mergeNamespaces(from: XmlElement, to: XmlElement): void {
  for (const k in from.attrs) {
    if (k.startsWith('xmlns:') && to.attrs[k] === undefined) to.attrs[k] = from.attrs[k]!;
  }
  const ignorable = (e: XmlElement) => (e.attrs['mc:Ignorable'] ?? '').split(/\s+/).filter(Boolean);
  const merged = [...new Set([...ignorable(to), ...ignorable(from)])].filter((p) => to.attrs[`xmlns:${p}`] !== undefined);
  if (merged.length > 0 && to.attrs['xmlns:mc'] !== undefined) to.attrs['mc:Ignorable'] = merged.join(' ');
}
