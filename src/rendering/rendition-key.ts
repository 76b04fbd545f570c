// Which renditions a session may share. With serverCaching "full" and no watermark, sessions of
// one tenant share the renditions of the same bytes (and password); never across tenants, so
// timing cannot tell one tenant what another uploaded. Otherwise the renditions are the session's
// own, keyed by its id alone so they can be dropped when it ends. A watermarked session (single or
// comparison) always draws its pages under its own key; only the document beneath them (the
// converted PDF, the redline) is shared, when serverCaching is "full".
import { createHash } from 'node:crypto';
import { inputError } from '../domain/errors.ts';
import { reusesCachedOutput } from '../domain/session-properties.ts';
import type { SessionRecord } from '../storage/ports.ts';
import type { RenderTarget } from './renderer.ts';
import { parseWatermarks, type Watermark } from '../watermarks/spec.ts';

const sha = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

/** A document's renditions as one tenant shares them: its bytes read as its format, with its password. */
export function sharedKey(tenant: string, doc: { hash: string; extension: string }, password: string | null): string {
  return sha('tenant', tenant, doc.hash, doc.extension, password ?? '');
}

export function privateKey(sessionId: string): string {
  return sha('session', sessionId);
}

export function renderTargetOf(s: SessionRecord): RenderTarget {
  if (s.mode === 'comparison') {
    const { original, revised } = s.slots;
    if (typeof original !== 'object' || typeof revised !== 'object') {
      throw inputError('DocumentNotProvidedYet', 'Both the original and the revised document must be provided first');
    }
    const shared = sha('tenant', s.tenant, 'compare', original.hash, revised.hash);
    const comparison = { original, revised };
    const watermarks = watermarksOf(s);
    if (watermarks.length === 0) {
      return { key: reusesCachedOutput(s.properties) ? shared : privateKey(s.id), doc: revised, password: null, comparison };
    }
    // As for a single document: the redline is shared when caching allows, its watermarked pages are the session's own.
    const key = s.properties.serverCaching === 'full' ? shared : privateKey(s.id);
    return { key, pagesKey: privateKey(s.id), doc: revised, password: null, comparison, watermarks: { list: watermarks, tenant: s.tenant } };
  }
  const doc = s.slots.source;
  if (typeof doc !== 'object') throw inputError('DocumentNotProvidedYet', 'The source document has not been provided yet');
  const password = s.properties.password;
  const watermarks = watermarksOf(s);
  if (watermarks.length === 0) {
    const key = reusesCachedOutput(s.properties) ? sharedKey(s.tenant, doc, password) : privateKey(s.id);
    return { key, doc, password };
  }
  // Watermarked pages are the session's own; the converted document under them is still shared
  // within the tenant when caching allows, so a watermark does not cost a second conversion.
  const key = s.properties.serverCaching === 'full' ? sharedKey(s.tenant, doc, password) : privateKey(s.id);
  return { key, pagesKey: privateKey(s.id), doc, password, watermarks: { list: watermarks, tenant: s.tenant } };
}

const parsed = new Map<string, Watermark[]>();

/** The session's watermarks, normalised (parsed once per session; `watermarkText` is a plain text one). */
function watermarksOf(s: SessionRecord): Watermark[] {
  const { watermarks, watermarkText } = s.properties;
  if (watermarks.length === 0 && !watermarkText) return [];
  let list = parsed.get(s.id);
  if (!list) {
    list = parseWatermarks([...watermarks, ...(watermarkText ? [{ type: 'text', text: watermarkText }] : [])]);
    if (parsed.size >= 1000) parsed.delete(parsed.keys().next().value!);
    parsed.set(s.id, list);
  }
  return list;
}
