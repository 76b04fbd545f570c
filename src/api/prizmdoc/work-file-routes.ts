// Work files: POST raw bytes, GET them back, GET their Info, DELETE them.
import type { FastifyInstance } from 'fastify';
import { jsonBodies, streamedBodies } from '../../http/body-parsers.ts';
import type { WorkFileRecord } from '../../storage/ports.ts';
import type { PrizmdocDeps } from './deps.ts';
import { sendDocument } from './downloads.ts';
import { withUploadBody } from './uploads.ts';
import { fileExtensionOf, positiveIntParam, queryParam, tenantOf } from './request.ts';

type IdParams = { id: string };
const BASE = '/PCCIS/V1/WorkFile';

export function workFileRoutes(app: FastifyInstance, deps: PrizmdocDeps): void {
  const { workFiles, tenants } = deps;

  app.register(async (raw) => {
    streamedBodies(raw);
    raw.post(BASE, async (req) => {
      const wf = await withUploadBody(req, deps.maxUploadBytes, (body) => {
        const tenant = tenantOf(req, tenants);
        const fileExtension = fileExtensionOf(req);
        const lifetimeSeconds = positiveIntParam(req, 'MinSecondsAvailable');
        return workFiles.create(tenant, body, { fileExtension, lifetimeSeconds });
      });
      return { fileId: wf.id, fileExtension: wf.extension, affinityToken: deps.affinityToken };
    });
  });

  app.register(async (json) => {
    jsonBodies(json);
    json.get<{ Params: IdParams }>(`${BASE}/:id`, async (req, reply) => {
      const wf = await workFiles.get(tenantOf(req, tenants), req.params.id);
      return sendDocument(reply, wf, workFiles.open(wf), queryParam(req, 'ContentDispositionFilename') || 'WorkFile');
    });
    json.get<{ Params: IdParams }>(`${BASE}/:id/Info`, async (req) => info(await workFiles.get(tenantOf(req, tenants), req.params.id), deps.affinityToken));
    json.delete<{ Params: IdParams }>(`${BASE}/:id`, async (req, reply) => {
      await workFiles.delete(tenantOf(req, tenants), req.params.id);
      return reply.code(204).send();
    });
  });
}

function info(wf: WorkFileRecord, affinityToken: string) {
  return {
    fileId: wf.id,
    fileExtension: wf.extension,
    fileSize: wf.size,
    contentHash: wf.hash,
    creationDateTime: new Date(wf.createdAt).toISOString(),
    expirationDateTime: new Date(wf.expiresAt).toISOString(),
    affinityToken,
  };
}
