// Small readers shared by the PrizmDoc routes: who is calling, which session, which extension.
import type { FastifyRequest } from 'fastify';
import { inputError } from '../../domain/errors.ts';
import type { Tenants } from '../../auth/tenants.ts';
import { parseFileExtension } from '../../formats/formats.ts';

type Query = Record<string, string | string[] | undefined>;

/** A query parameter by its documented name, matched case-insensitively (clients vary). */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const q = request.query as Query;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(q)) {
    if (k.toLowerCase() === lower) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

export function tenantOf(request: FastifyRequest, tenants: Tenants): string {
  const header = request.headers['acs-api-key'];
  return tenants.resolve((Array.isArray(header) ? header[0] : header) ?? queryParam(request, 'apikey'));
}

/** PCCIS/V1 routes name a session as u{id}; the vendor answers 500 without the prefix, Quire 480. */
export function prefixedSessionId(raw: string): string {
  if (!raw.startsWith('u') || raw.length < 2) {
    throw inputError('InvalidInput', 'The viewing session id in this URL must carry the "u" prefix: /ViewingSession/u{viewingSessionId}', {
      in: 'path',
      at: 'viewingSessionId',
      expected: 'u{viewingSessionId}',
    });
  }
  return raw.slice(1);
}

export function fileExtensionOf(request: FastifyRequest): string | undefined {
  const parsed = parseFileExtension(queryParam(request, 'FileExtension'));
  if (!parsed.ok) throw inputError('InvalidInput', parsed.reason, { in: 'query', at: 'FileExtension', message: parsed.reason });
  return parsed.value;
}

export function positiveIntParam(request: FastifyRequest, name: string): number | undefined {
  const raw = queryParam(request, name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) {
    throw inputError('InvalidInput', `${name} must be a positive whole number`, { in: 'query', at: name, expected: { type: 'integer', minimum: 1 } });
  }
  return Number(raw);
}

/** An optional whole-number query parameter within [min, max], or `dflt` when absent. */
export function boundedIntParam(request: FastifyRequest, name: string, min: number, max: number, dflt: number): number {
  const raw = queryParam(request, name);
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw inputError('InvalidInput', `${name} must be a whole number from ${min} to ${max}`, { in: 'query', at: name, expected: { minimum: min, maximum: max } });
  }
  return Number(raw);
}
