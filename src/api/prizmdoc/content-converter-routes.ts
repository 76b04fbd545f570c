// Content conversion: POST /v2/contentConverters starts one, GET /v2/contentConverters/{processId}
// reports it. Management routes: the API key decides the tenant whose work files are read and made.
import type { FastifyInstance } from 'fastify';
import type { Tenants } from '../../auth/tenants.ts';
import type { ContentConverters, ConversionProcess } from '../../conversion/content-converters.ts';
import { parseConversionRequest } from '../../conversion/request.ts';
import { jsonBodies } from '../../http/body-parsers.ts';
import { tenantOf } from './request.ts';

export interface ContentConverterRouteDeps {
  converters: ContentConverters;
  tenants: Tenants;
  affinityToken: string;
}

export function contentConverterRoutes(app: FastifyInstance, deps: ContentConverterRouteDeps): void {
  app.register(async (r) => {
    jsonBodies(r);
    r.post('/v2/contentConverters', async (req) => {
      const tenant = tenantOf(req, deps.tenants);
      const p = await deps.converters.start(tenant, parseConversionRequest(req.body));
      return status(p, deps.affinityToken);
    });
    r.get<{ Params: { pid: string } }>('/v2/contentConverters/:pid', async (req) => status(deps.converters.get(tenantOf(req, deps.tenants), req.params.pid), deps.affinityToken));
  });
}

function status(p: ConversionProcess, affinityToken: string) {
  return {
    processId: p.processId,
    expirationDateTime: new Date(p.expiresAt).toISOString(),
    input: p.input,
    state: p.state,
    percentComplete: p.percentComplete,
    ...(p.errorCode ? { errorCode: p.errorCode } : {}),
    ...(p.errorDetails ? { errorDetails: p.errorDetails } : {}),
    ...(p.state === 'complete' ? { output: { results: p.results } } : {}),
    affinityToken,
  };
}
