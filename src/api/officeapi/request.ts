// Who is calling and where they reached us: the apikey (query parameter or form field) mapped to a
// tenant, and the base URL the links in answers are built on.
import type { FastifyRequest } from 'fastify';
import type { Tenants } from '../../auth/tenants.ts';

type Query = Record<string, string | string[] | undefined>;

export function queryApiKey(request: FastifyRequest): string | undefined {
  const v = (request.query as Query).apikey;
  const key = Array.isArray(v) ? v[0] : v;
  return key === '' ? undefined : key;
}

/**
 * The caller's tenant. With QUIRE_API_KEYS unset Quire runs open: every caller (any apikey or none)
 * is the one tenant "default", as on the PrizmDoc routes.
 */
export function tenantOf(tenants: Tenants, apikey: string | undefined): string {
  return tenants.resolve(apikey);
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The address the client reached Quire at: QUIRE_PUBLIC_URL when set; else X-Forwarded-Proto/Host
 * when QUIRE_TRUST_FORWARDED_HEADERS says a proxy sets them; else the Host header over the
 * connection's own protocol. A Host that is not a host name falls back to the socket's address.
 */
export function baseUrlOf(request: FastifyRequest, opts: { publicUrl: string | null; trustForwardedHeaders: boolean }): string {
  if (opts.publicUrl) return opts.publicUrl;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();
  let proto = (request.raw.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  let host = first(request.headers.host);
  if (opts.trustForwardedHeaders) {
    const fProto = first(request.headers['x-forwarded-proto'])?.toLowerCase();
    const fHost = first(request.headers['x-forwarded-host']);
    if (fProto === 'http' || fProto === 'https') proto = fProto;
    if (fHost && HOST.test(fHost)) host = fHost;
  }
  if (!host || !HOST.test(host)) {
    const addr = request.raw.socket.localAddress ?? '127.0.0.1';
    host = `${addr.includes(':') ? `[${addr}]` : addr}:${request.raw.socket.localPort}`;
  }
  return `${proto}://${host}`;
}
