// A comparison session's results: the change list a viewer pages through (authorized by the session
// id, like page content) and the redline as a tracked-changes DOCX or as PDF (a download, so it needs
// the API key, like the source files).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { inputError } from '../../domain/errors.ts';
import { jsonBodies } from '../../http/body-parsers.ts';
import { renderTargetOf } from '../../rendering/rendition-key.ts';
import type { PrizmdocDeps } from './deps.ts';
import { sendDocument } from './downloads.ts';
import { boundedIntParam, queryParam, tenantOf } from './request.ts';

type IdParams = { id: string };
const V2 = '/v2/viewingSessions';

export function comparisonRoutes(app: FastifyInstance, deps: PrizmdocDeps): void {
  app.register(async (r) => {
    jsonBodies(r);

    r.get<{ Params: IdParams }>(`${V2}/:id/revisionData`, async (req) => {
      const session = await deps.sessions.use(null, req.params.id);
      if (session.mode === 'single') throw notComparison();
      const { changes } = await deps.renderer.redline(renderTargetOf(session));
      const limit = boundedIntParam(req, 'limit', 1, 10_000, 100);
      const start = boundedIntParam(req, 'continueToken', 0, Number.MAX_SAFE_INTEGER, 0);
      const next = start + limit;
      return { changes: changes.slice(start, next), ...(next < changes.length ? { continueToken: String(next) } : {}) };
    });

    // Quire's own route (the vendor has none): ?format=docx (default, real w:ins/w:del) or pdf.
    r.get<{ Params: IdParams }>(`${V2}/:id/redline`, async (req, reply) => {
      const session = await deps.sessions.use(tenantOf(req, deps.tenants), req.params.id);
      if (session.mode === 'single') throw notComparison();
      const format = (queryParam(req, 'format') ?? 'docx').toLowerCase();
      if (format !== 'docx' && format !== 'pdf') {
        throw inputError('InvalidInput', 'format must be docx or pdf', { in: 'query', at: 'format', expected: { enum: ['docx', 'pdf'] } });
      }
      const redline = await deps.renderer.redline(renderTargetOf(session));
      const path = format === 'docx' ? redline.docxPath : redline.pdfPath;
      const { size } = await stat(path);
      return sendDocument(reply, { hash: `${session.id}-${format}`, size, extension: format }, createReadStream(path), queryParam(req, 'ContentDispositionFilename') || 'Comparison');
    });
  });
}

function notComparison() {
  return inputError('IncorrectUsage', 'This viewing session views a single document; only comparison sessions have revision data');
}
