// State shared while one redline is built: the two packages, revision ids, the display text (what
// the redline PDF will show, in order, which is how changes are found on its pages later), the
// change list, and the relationships that deleted content brings over from the original.
import { resolveTarget, type DocxPackage, type Relationship } from './docx-package.ts';
import type { ChangeDraft, ChangeType } from './types.ts';
import { el, isEl, type XmlElement, type XmlNode } from './xml.ts';

export type Mark = 'ins' | 'del' | 'moveFrom' | 'moveTo';

export class RedlineContext {
  readonly orig: DocxPackage;
  readonly rev: DocxPackage;
  readonly changes: ChangeDraft[] = [];
  readonly extraRels: Relationship[] = [];
  readonly extraParts = new Map<string, Uint8Array>();
  private readonly author: string;
  private readonly date: string;
  private nextRevisionId: number;
  private moves = 0;
  private readonly chunks: string[] = [];
  private length = 0;
  private readonly importedRels = new Map<string, string>();
  private nextRel = 1;
  /** Above any id a word processor hands out in an ordinary document. */
  private nextDrawingId = 1_000_000;

  constructor(orig: DocxPackage, rev: DocxPackage, author: string, date: string) {
    this.orig = orig;
    this.rev = rev;
    this.author = author;
    this.date = date;
    this.nextRevisionId = maxId(rev.main.root) + 1;
  }

  /** Current offset in the display text. */
  get offset(): number {
    return this.length;
  }

  emitText(text: string): void {
    if (text === '') return;
    this.chunks.push(text);
    this.length += text.length;
  }

  displayText(): string {
    return this.chunks.join('');
  }

  addChange(type: ChangeType, start: number, end: number, text: string, originalText?: string): number {
    this.changes.push({ type, start, end, text, ...(originalText !== undefined ? { originalText } : {}) });
    return this.changes.length - 1;
  }

  /** A tracked-change element (w:ins, w:del, w:rPrChange, …) with a fresh id, author and date. */
  mark(name: string, children: XmlNode[] = []): XmlElement {
    return el(`w:${name}`, { 'w:id': String(this.nextRevisionId++), 'w:author': this.author, 'w:date': this.date }, children);
  }

  moveName(): string {
    return `quireMove${++this.moves}`;
  }

  /**
   * Makes content copied from the original fit the redline: r:* attributes point at relationships of
   * the redline (parts copied over), drawing ids are made unique, paragraph ids dropped (Word
   * regenerates them; duplicates it may not forgive).
   */
  importRels(node: XmlNode): void {
    if (!isEl(node)) return;
    for (const k in node.attrs) {
      if (k.startsWith('r:')) node.attrs[k] = this.importRel(node.attrs[k]!);
    }
    if ((node.name === 'wp:docPr' || node.name === 'pic:cNvPr') && node.attrs.id !== undefined) node.attrs.id = String(this.nextDrawingId++);
    delete node.attrs['w14:paraId'];
    delete node.attrs['w14:textId'];
    for (const c of node.children) this.importRels(c);
  }

  private importRel(origId: string): string {
    const known = this.importedRels.get(origId);
    if (known) return known;
    const rel = this.orig.rels.get(origId);
    if (!rel) return origId;
    let id: string;
    do id = `rIdQuire${this.nextRel++}`;
    while (this.rev.rels.has(id));
    let target = rel.target;
    if (!rel.external) {
      const bytes = this.orig.parts.get(resolveTarget(this.orig.mainPath, rel.target));
      if (bytes) {
        const ext = rel.target.includes('.') ? rel.target.slice(rel.target.lastIndexOf('.')) : '';
        const name = `media/quire-original-${this.nextRel}${ext}`;
        const mainDir = this.rev.mainPath.slice(0, this.rev.mainPath.lastIndexOf('/') + 1);
        this.extraParts.set(mainDir + name, bytes);
        target = name;
      }
    }
    this.extraRels.push({ id, type: rel.type, target, external: rel.external });
    this.importedRels.set(origId, id);
    return id;
  }
}

function maxId(root: XmlElement): number {
  let max = 0;
  const walk = (e: XmlElement) => {
    const v = e.attrs['w:id'];
    if (v !== undefined) {
      const n = Number(v);
      if (Number.isInteger(n) && n > max && n < 1e9) max = n;
    }
    for (const c of e.children) if (isEl(c)) walk(c);
  };
  walk(root);
  return max;
}
