// The caller of an API route: its form (when the route takes one) and its tenant. A key in the query
// string is checked before any of the body is read; a key sent as a form field when its part arrives.
import type { FastifyRequest } from 'fastify';
import type { OfficeApiDeps } from './deps.ts';
import { type Form, readForm } from './form.ts';
import { queryApiKey, tenantOf } from './request.ts';

export async function callerWithForm(req: FastifyRequest, deps: OfficeApiDeps): Promise<{ tenant: string; form: Form }> {
  const fromQuery = queryApiKey(req);
  let tenant = fromQuery !== undefined ? tenantOf(deps.tenants, fromQuery) : undefined;
  const form = await readForm(req, deps.storage, deps.maxUploadBytes, (fields) => {
    if (tenant === undefined && fields.has('apikey')) tenant = tenantOf(deps.tenants, fields.get('apikey'));
  });
  tenant ??= tenantOf(deps.tenants, form.fields.get('apikey') || undefined);
  return { tenant, form };
}

/** GET and DELETE routes carry the key in the query only. */
export function caller(req: FastifyRequest, deps: OfficeApiDeps): string {
  return tenantOf(deps.tenants, queryApiKey(req));
}
