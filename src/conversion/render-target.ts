// A work file as something the renderer draws. The key is made exactly as a viewing session's with
// serverCaching "full" (rendering/rendition-key.ts): tenant, bytes and password. So a document the
// tenant already viewed is not converted again for a content conversion, nor the other way round,
// and never across tenants.
import { createHash } from 'node:crypto';
import type { RenderTarget } from '../rendering/renderer.ts';
import type { WorkFileRecord } from '../storage/ports.ts';

export function workFileTarget(tenant: string, wf: WorkFileRecord, password: string | null): RenderTarget {
  const key = createHash('sha256').update(['tenant', tenant, wf.hash, password ?? ''].join('\0')).digest('hex');
  return { key, doc: { hash: wf.hash, size: wf.size, extension: wf.extension, workFileId: wf.id }, password };
}
