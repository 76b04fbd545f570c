// A work file as something the renderer draws. The key is made exactly as a viewing session's with
// serverCaching "full" (rendering/rendition-key.ts): tenant, bytes and password. So a document the
// tenant already viewed is not converted again for a content conversion, nor the other way round,
// and never across tenants.
import type { RenderTarget } from '../rendering/renderer.ts';
import { sharedKey } from '../rendering/rendition-key.ts';
import type { WorkFileRecord } from '../storage/ports.ts';

export function workFileTarget(tenant: string, wf: WorkFileRecord, password: string | null): RenderTarget {
  const doc = { hash: wf.hash, size: wf.size, extension: wf.extension, workFileId: wf.id };
  return { key: sharedKey(tenant, doc, password), doc, password };
}
