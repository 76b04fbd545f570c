// A comparison session's document: the redline of its original and revised documents, made by the
// comparison engine (src/comparison/) into the rendition's folder — the PDF the pages are drawn
// from, the tracked-changes DOCX, and the change list (changes.json).
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Change } from '../comparison/compare.ts';
import type { RenditionStore } from '../renditions/rendition-store.ts';
import type { Engines } from './engines.ts';
import type { RenderTarget } from './renderer.ts';

export const REDLINE_DOCX = 'redline.docx';
export const CHANGES = 'changes.json';

/** Word formats the engine reads as DOCX packages (macros and templates are the same package). */
const asComparable = (ext: string) => (['docm', 'dotx', 'dotm'].includes(ext) ? 'docx' : ext);

/** Makes the redline; moves its PDF to `pdfName` in the rendition folder. */
export async function makeRedline(engines: Engines, store: RenditionStore, blobs: { localPath(hash: string): Promise<string> }, t: RenderTarget & { comparison: NonNullable<RenderTarget['comparison']> }, pdfName: string): Promise<void> {
  const { original, revised } = t.comparison;
  const dir = store.dir(t.key);
  const work = await mkdtemp(join(dir, 'compare-'));
  try {
    const result = await engines.compare({
      originalPath: await blobs.localPath(original.hash),
      originalExt: asComparable(original.extension),
      revisedPath: await blobs.localPath(revised.hash),
      revisedExt: asComparable(revised.extension),
      outDir: work,
    });
    await store.write(t.key, CHANGES, JSON.stringify(result.changes));
    await rename(result.redlineDocxPath, store.path(t.key, REDLINE_DOCX));
    await rename(result.redlinePdfPath, store.path(t.key, pdfName));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export type { Change };
