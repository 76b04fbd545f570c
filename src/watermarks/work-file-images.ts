// Image watermarks named by work file id are checked when the session is created, like every other
// watermark property: an unknown (or another tenant's, or expired) work file, or one that is not a
// PNG or JPEG, is refused then, naming the property, instead of failing every page later.
import { QuireError, invalidInput } from '../domain/errors.ts';
import type { WorkFileRecord } from '../storage/ports.ts';
import type { WatermarkImage } from './image-info.ts';
import { checkImage, MAX_IMAGE_DATA, parseWatermarks } from './spec.ts';

export interface WorkFileImageDeps {
  /** The tenant's live work file; throws QuireError WorkFileDoesNotExist otherwise. */
  get(tenant: string, id: string): Promise<WorkFileRecord>;
  read(rec: WorkFileRecord): Promise<Buffer>;
  /** Keeps the file alive as long as the session that draws it. */
  extend(rec: WorkFileRecord, until: number): Promise<void>;
}

/** `raw` is the creation body's `watermarks` as sent (already checked by parseWatermarks). */
export async function checkWorkFileImages(raw: unknown, tenant: string, until: number, deps: WorkFileImageDeps): Promise<void> {
  const list = parseWatermarks(raw);
  for (const [i, w] of list.entries()) {
    if (w.type !== 'image' || w.source.kind !== 'workFile') continue;
    const at = `input.watermarks[${i}].imageWorkFileId`;
    let rec: WorkFileRecord;
    try {
      rec = await deps.get(tenant, w.source.fileId);
    } catch (e) {
      if (e instanceof QuireError && e.code === 'WorkFileDoesNotExist') {
        throw invalidInput(at, 'the id of a live work file holding a PNG or JPEG image', 'body', `${at} names no work file (it does not exist or has expired)`);
      }
      throw e;
    }
    await loadWorkFileImage(rec, deps.read, at);
    await deps.extend(rec, until);
  }
}

/** A work file's image, checked; its size is looked at before any byte is read (the file may be huge). */
export async function loadWorkFileImage(rec: WorkFileRecord, read: (rec: WorkFileRecord) => Promise<Buffer>, at: string): Promise<WatermarkImage> {
  if (rec.size > MAX_IMAGE_DATA) {
    throw invalidInput(at, { maxBytes: MAX_IMAGE_DATA }, 'body', `${at} names a work file larger than ${MAX_IMAGE_DATA} bytes`);
  }
  return checkImage(await read(rec), at);
}

/**
 * The work files a session's image watermarks name (`raw`: its `watermarks` property as stored, so
 * already checked at creation). Read off the raw list: parsing would decode every inline image again.
 */
export function workFileImageIds(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const ids = raw.flatMap((w: { type?: unknown; imageWorkFileId?: unknown } | null) =>
    typeof w?.type === 'string' && w.type.toLowerCase() === 'image' && typeof w.imageWorkFileId === 'string' ? [w.imageWorkFileId] : [],
  );
  return [...new Set(ids)];
}
