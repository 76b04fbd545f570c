// The routes of the PrizmDoc seed page (Viewing Sessions). Each handler reads the request, calls
// the domain and shapes the answer; errors go to errors.ts through the scope's error handler.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { jsonBodies, streamedBodies } from '../../http/body-parsers.ts';
import { parseSessionProperties } from '../../domain/session-properties.ts';
import type { SessionRecord, Slot } from '../../storage/ports.ts';
import type { PrizmdocDeps } from './deps.ts';
import { sendDocument } from './downloads.ts';
import { withUploadBody } from './uploads.ts';
import { fileExtensionOf, prefixedSessionId, queryParam, tenantOf } from './request.ts';
import { parseSourceRef, parseStartNotice, parseStopNotice } from './schemas.ts';

type SidParams = { sid: string };
type IdParams = { id: string };

const V1 = '/PCCIS/V1/ViewingSession';
const V2 = '/v2/viewingSessions';

export function viewingSessionRoutes(app: FastifyInstance, deps: PrizmdocDeps): void {
  const { sessions, tenants } = deps;
  const tenant = (req: FastifyRequest) => tenantOf(req, tenants);

  app.register(async (json) => {
    jsonBodies(json);

    json.post(V1, async (req) => {
      const t = tenant(req);
      const created = await sessions.create(t, parseSessionProperties(req.body));
      return { viewingSessionId: created.id, affinityToken: deps.affinityToken };
    });

    json.get<{ Params: SidParams }>(`${V1}/:sid`, async (req) => {
      const s = await sessions.use(tenant(req), prefixedSessionId(req.params.sid));
      return describe(s);
    });

    json.put<{ Params: SidParams }>(`${V1}/:sid/SourceRef`, async (req, reply) => {
      const t = tenant(req);
      const id = prefixedSessionId(req.params.sid);
      await sessions.attachRef(t, id, parseSourceRef(req.body));
      return reply.code(200).send();
    });

    json.get<{ Params: SidParams }>(`${V1}/:sid/FileId`, async (req) => {
      const wf = await sessions.sourceWorkFile(tenant(req), prefixedSessionId(req.params.sid));
      return { fileId: wf.id, affinityToken: deps.affinityToken };
    });

    json.post<{ Params: SidParams }>(`${V1}/:sid/Notification/SessionStarted`, async (req, reply) => {
      const t = tenant(req);
      parseStartNotice(req.body ?? {});
      await sessions.start(t, prefixedSessionId(req.params.sid));
      return reply.code(200).send();
    });

    for (const [name, how] of [['SessionStopped', 'stopped'], ['SessionErrored', 'errored']] as const) {
      json.post<{ Params: SidParams }>(`${V1}/:sid/Notification/${name}`, async (req, reply) => {
        const t = tenant(req);
        const id = prefixedSessionId(req.params.sid);
        const notice = parseStopNotice(req.body);
        await sessions.stop(t, id, how, notice.httpStatus, notice.endUserMessage);
        return reply.code(200).send();
      });
    }

    json.post<{ Params: SidParams }>(`${V1}/:sid/Replacement`, async (req) => {
      const t = tenant(req);
      const created = await sessions.replace(t, prefixedSessionId(req.params.sid), req.body);
      return { viewingSessionId: created.id, affinityToken: deps.affinityToken };
    });

    json.delete<{ Params: SidParams }>(`${V1}/:sid`, async (req, reply) => {
      await sessions.delete(tenant(req), prefixedSessionId(req.params.sid));
      return reply.code(204).send();
    });

    const download = (slot: Slot, defaultName: string, nameParam: string) => async (req: FastifyRequest, reply: FastifyReply, id: string) => {
      const doc = await sessions.document(tenant(req), id, slot);
      return sendDocument(reply, doc, deps.workFiles.open(doc), queryParam(req, nameParam) || defaultName);
    };
    const v1Source = download('source', 'SourceFile', 'ContentDispositionFilename');
    json.get<{ Params: SidParams }>(`${V1}/:sid/SourceFile`, (req, reply) => v1Source(req, reply, prefixedSessionId(req.params.sid)));
    for (const [slot, name] of [['original', 'OriginalSourceFile'], ['revised', 'RevisedSourceFile']] as const) {
      const handler = download(slot, name, 'contentDispositionFilename');
      json.get<{ Params: IdParams }>(`${V2}/:id/sourceFile/${slot}`, (req, reply) => handler(req, reply, req.params.id));
    }
  });

  app.register(async (raw) => {
    streamedBodies(raw);
    const upload = (slot: Slot) => async (req: FastifyRequest, reply: FastifyReply, id: string) => {
      await withUploadBody(req, deps.maxUploadBytes, (body) => sessions.upload(tenant(req), id, slot, body, fileExtensionOf(req)));
      return reply.code(200).send();
    };
    const source = upload('source');
    raw.put<{ Params: SidParams }>(`${V1}/:sid/SourceFile`, (req, reply) => source(req, reply, prefixedSessionId(req.params.sid)));
    for (const slot of ['original', 'revised'] as const) {
      const handler = upload(slot);
      raw.put<{ Params: IdParams }>(`${V2}/:id/sourceFile/${slot}`, (req, reply) => handler(req, reply, req.params.id));
    }
  });
}

/** GET /ViewingSession/u{id}: the creation properties with defaults, plus creationTime. */
function describe(s: SessionRecord): Record<string, unknown> {
  return { ...s.properties, creationTime: new Date(s.createdAt).toISOString() };
}
