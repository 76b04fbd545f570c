// What browsers (and, later, the editor) call, authorized by the session id alone like the vendor's
// links: opening a session's document_url / preview_url / compare_url, and save_url.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { V1, links } from './answers.ts';
import type { OfficeApiDeps } from './deps.ts';
import { readForm, hasBody, putBlob } from './form.ts';
import { endedPage, readOnlyPage } from './pages.ts';
import { baseUrlOf } from './request.ts';
import { missingParameter } from '../../domain/office-errors.ts';
import { viewerPermissions } from '../../domain/office-permissions.ts';
import type { BlobRef } from '../../storage/ports.ts';

type IdParams = { id: string };

const HTML_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // The session id is in this page's URL: it must not leak to other sites.
  'Referrer-Policy': 'no-referrer',
};

export function browserRoutes(app: FastifyInstance, deps: OfficeApiDeps): void {
  for (const suffix of ['edit', 'preview', 'compare']) {
    app.get<{ Params: IdParams }>(`${V1}/documents/:id/${suffix}`, async (req, reply) => {
      const opened = await deps.documents.open(req.params.id);
      if (opened.state !== 'live') {
        return reply.code(opened.state === 'unknown' ? 404 : 410).headers(HTML_HEADERS).header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'").send(endedPage(opened.state));
      }
      const base = baseUrlOf(req, deps);
      const allowed = viewerPermissions(opened.session);
      const viewer = links(base).viewer(opened.viewingSessionId, { print: allowed.print, download: allowed.export, title: opened.title });
      if (opened.session.kind !== 'edit') return reply.code(302).header('Location', viewer).header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer').send();
      return reply
        .code(200)
        .headers(HTML_HEADERS)
        .header('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; frame-src ${new URL(base).origin}`)
        .send(readOnlyPage(opened.title, viewer));
    });
  }

  // The new content: a multipart part named content (or document / file), or the raw DOCX bytes.
  app.post<{ Params: IdParams }>(`${V1}/documents/:id/save`, async (req) => {
    const blob = await savedBytes(req, deps);
    const doc = await deps.documents.save(req.params.id, blob);
    return { document_id: doc.documentId, saved: true, size: doc.content.size, saved_time: new Date().toISOString(), saved_time_ms: Date.now() };
  });
}

async function savedBytes(req: FastifyRequest, deps: OfficeApiDeps): Promise<BlobRef> {
  if (req.isMultipart()) {
    const form = await readForm(req, deps.storage, deps.maxUploadBytes);
    const f = form.files.get('content') ?? form.files.get('document') ?? form.files.get('file');
    if (!f) throw missingParameter('content', 'Send the document as a part named content');
    return f.blob;
  }
  if (!hasBody(req)) throw missingParameter('content', 'Send the document as the body or as a part named content');
  return putBlob(deps.storage, req.raw, deps.maxUploadBytes);
}
