// Writer documents and user sessions: create (edit / co-edit), preview, compare, session details and
// deletion, document details, its sessions, and deletion.
import type { FastifyInstance } from 'fastify';
import { QuireError } from '../../domain/errors.ts';
import { V1, allSessionsAnswer, compareAnswer, createAnswer, documentAnswer, previewAnswer, sessionAnswer } from './answers.ts';
import { caller, callerWithForm } from './caller.ts';
import type { OfficeApiDeps } from './deps.ts';
import { sourceOf } from './form.ts';
import { compareOptions, documentDefaults, documentInfo, sessionSettings, userInfo } from './params.ts';
import { baseUrlOf } from './request.ts';

type IdParams = { id: string };

export function documentRoutes(app: FastifyInstance, deps: OfficeApiDeps): void {
  const { documents } = deps;
  const base = (req: Parameters<typeof baseUrlOf>[0]) => baseUrlOf(req, deps);

  app.post(`${V1}/documents`, async (req) => {
    const { tenant, form } = await callerWithForm(req, deps);
    const info = documentInfo(form.fields, true);
    const defaults = documentDefaults(form.fields);
    const view = await documents.create(tenant, {
      source: sourceOf(form, 'document', 'url'),
      documentId: info.documentId,
      documentName: info.documentName,
      user: userInfo(form.fields),
      defaults,
      // Kept with the session too, for the editor to come.
      settings: { ...sessionSettings(form.fields), ...(defaults ? { document_defaults: defaults } : {}) },
    });
    return createAnswer(base(req), view);
  });

  app.post(`${V1}/document/preview`, async (req) => {
    const { tenant, form } = await callerWithForm(req, deps);
    const info = documentInfo(form.fields, false);
    const settings = sessionSettings(form.fields);
    const view = await documents.preview(tenant, { source: sourceOf(form, 'document', 'url'), documentName: info.documentName, settings });
    return previewAnswer(base(req), view);
  });

  app.post(`${V1}/document/compare`, async (req) => {
    const { tenant, form } = await callerWithForm(req, deps);
    const session = await documents.compare(tenant, {
      original: sourceOf(form, 'document1', 'url1'),
      revised: sourceOf(form, 'document2', 'url2'),
      ...compareOptions(form.fields),
    });
    return compareAnswer(base(req), session);
  });

  app.get<{ Params: IdParams }>(`${V1}/sessions/:id`, async (req) => sessionAnswer(base(req), await documents.session(caller(req, deps), req.params.id)));

  app.delete<{ Params: IdParams }>(`${V1}/sessions/:id`, async (req) => {
    await documents.deleteSession(caller(req, deps), req.params.id);
    return { session_deleted: true };
  });

  // The session list and details of a document the caller named (its own document_id or ours).
  app.get<{ Params: IdParams }>(`${V1}/documents/:id/sessions`, async (req) => allSessionsAnswer(base(req), await documents.document(caller(req, deps), req.params.id)));
  app.get<{ Params: IdParams }>(`${V1}/documents/:id`, async (req) => documentAnswer(await documents.document(caller(req, deps), req.params.id)));
  app.delete<{ Params: IdParams }>(`${V1}/documents/:id`, async (req) => {
    await documents.deleteDocument(caller(req, deps), req.params.id);
    return { document_deleted: true };
  });

  // Writer operations the SDK knows but Quire does not offer (yet): a clear answer instead of a 404
  // the SDK would hand over as a null object.
  for (const path of ['templates', 'fields', 'document/merge', 'document/merge/webhook', 'fillabletemplates', 'fillabletemplates/fillablelink', 'document/combine']) {
    app.post(`${V1}/${path}`, async () => {
      throw new QuireError('input', 'UnsupportedOperation', `Quire does not offer POST ${V1}/${path}`);
    });
  }
}

