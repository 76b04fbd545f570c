// The only module that reads process.env. Every setting is declared once here with its default
// and description; the README's configuration table is generated from the same list.
import { resolve } from 'node:path';

export interface ApiKey {
  key: string;
  tenant: string;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Empty: Quire runs open (one tenant, "default"). */
  apiKeys: ApiKey[];
  logLevel: string;
  maxUploadBytes: number;
  maxJsonBytes: number;
  sessionLifetimeSeconds: number;
  workFileLifetimeSeconds: number;
  /** How long an expired session keeps answering 403 before it is forgotten (then 404). */
  expiredSessionMemorySeconds: number;
  sweepIntervalSeconds: number;
  fetch: FetchConfig;
  engines: EngineConfig;
  office: OfficeConfig;
}

export interface OfficeConfig {
  /** A user session ends this long after it was created. */
  sessionLifetimeSeconds: number;
  /** A document lives this long after its latest activity (a new session, a save), and at least as long as its sessions. */
  documentLifetimeSeconds: number;
  /** The address clients reach Quire at (document_url etc. are built on it); null: from the request's Host. */
  publicUrl: string | null;
  /** Whether X-Forwarded-Proto / X-Forwarded-Host may say where the client reached Quire (only behind a proxy that sets them). */
  trustForwardedHeaders: boolean;
}

export interface EngineConfig {
  /** Warm LibreOffice instances; 0 = one per CPU core. */
  officeInstances: number;
  /** Any one conversion or page drawing is stopped after this long. */
  jobTimeoutMs: number;
  /** Shared renditions unused for this long are removed by the sweep. */
  renditionIdleSeconds: number;
}

export interface FetchConfig {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  /** Hosts and CIDR ranges that may be fetched even though they are loopback/private/link-local. */
  allow: string[];
}

export class ConfigError extends Error {}

interface Setting<T> {
  env: string;
  default: string;
  description: string;
  parse: (raw: string, env: string) => T;
}

function integer(min: number, max: number) {
  return (raw: string, env: string): number => {
    if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${env} must be a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(`${env} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

function list(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function apiKeys(raw: string, env: string): ApiKey[] {
  return list(raw).map((entry) => {
    const colon = entry.indexOf(':');
    const key = colon < 0 ? entry : entry.slice(0, colon);
    const tenant = colon < 0 ? entry : entry.slice(colon + 1);
    if (!/^[\x21-\x7e]{8,}$/.test(key)) {
      throw new ConfigError(`${env}: every key must be at least 8 printable characters without spaces`);
    }
    if (tenant.length === 0) throw new ConfigError(`${env}: empty tenant after "${key}:"`);
    // A bare key is a tenant of its own; its name is derived so the key itself is never stored.
    return { key, tenant: colon < 0 ? `key-${tenantHash(key)}` : tenant };
  });
}

function tenantHash(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function publicUrl(raw: string, env: string): string | null {
  if (raw === '') return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`${env} must be an absolute http or https URL, got "${raw}"`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash || u.username || u.password) {
    throw new ConfigError(`${env} must be an http or https URL without query, fragment or credentials, got "${raw}"`);
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

function boolean(raw: string, env: string): boolean {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${env} must be true or false, got "${raw}"`);
}

function logLevel(raw: string, env: string): string {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(raw)) throw new ConfigError(`${env} must be one of ${levels.join(', ')}`);
  return raw;
}

function host(raw: string, env: string): string {
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(raw)) throw new ConfigError(`${env} is not a host name or address: "${raw}"`);
  return raw;
}

export const settings = {
  port: { env: 'PORT', default: '18681', description: 'TCP port to listen on (PrizmDoc Server\'s port by default)', parse: integer(0, 65535) },
  host: { env: 'HOST', default: '127.0.0.1', description: 'Address to listen on; use 0.0.0.0 to serve other machines (set API keys first)', parse: host },
  dataDir: { env: 'QUIRE_DATA_DIR', default: './data', description: 'Folder for the SQLite metadata and the document bytes', parse: (raw: string) => resolve(raw) },
  apiKeys: { env: 'QUIRE_API_KEYS', default: '', description: 'Comma list of `key` or `key:tenant`. When set, management routes need a key (`Acs-Api-Key` header or `apikey` query)', parse: apiKeys },
  logLevel: { env: 'QUIRE_LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent', parse: logLevel },
  maxUploadBytes: { env: 'QUIRE_MAX_UPLOAD_BYTES', default: String(200 * 1024 * 1024), description: 'Largest document accepted by an upload (413 past it)', parse: integer(1, Number.MAX_SAFE_INTEGER) },
  maxJsonBytes: { env: 'QUIRE_MAX_JSON_BYTES', default: String(1024 * 1024), description: 'Largest JSON request body (413 past it)', parse: integer(1024, 64 * 1024 * 1024) },
  sessionLifetimeSeconds: { env: 'QUIRE_SESSION_LIFETIME_SECONDS', default: '1200', description: 'A viewing session stays usable this long after its last use (PrizmDoc: 20 minutes); `minSecondsAvailable` can ask for more', parse: integer(1, 10 * 365 * 86400) },
  workFileLifetimeSeconds: { env: 'QUIRE_WORKFILE_LIFETIME_SECONDS', default: '86400', description: 'Default lifetime of a work file (24 hours)', parse: integer(1, 10 * 365 * 86400) },
  expiredSessionMemorySeconds: { env: 'QUIRE_EXPIRED_SESSION_MEMORY_SECONDS', default: '86400', description: 'How long an expired session still answers 403 before it is forgotten', parse: integer(0, 365 * 86400) },
  sweepIntervalSeconds: { env: 'QUIRE_SWEEP_INTERVAL_SECONDS', default: '60', description: 'How often expired sessions, work files and unreferenced bytes are removed', parse: integer(1, 86400) },
  fetchMaxBytes: { env: 'QUIRE_FETCH_MAX_BYTES', default: String(200 * 1024 * 1024), description: 'Largest document downloaded for `documentSource: "http"`', parse: integer(1, Number.MAX_SAFE_INTEGER) },
  fetchTimeoutMs: { env: 'QUIRE_FETCH_TIMEOUT_MS', default: '30000', description: 'Time limit of such a download, redirects included', parse: integer(100, 3600_000) },
  fetchMaxRedirects: { env: 'QUIRE_FETCH_MAX_REDIRECTS', default: '5', description: 'Redirects followed by such a download (each target is checked again)', parse: integer(0, 20) },
  fetchAllow: { env: 'QUIRE_FETCH_ALLOW', default: '', description: 'Comma list of host names or CIDR ranges that downloads may reach although they are loopback, private or link-local', parse: (raw: string) => list(raw) },
  officeInstances: { env: 'QUIRE_OFFICE_INSTANCES', default: '0', description: 'Warm LibreOffice instances converting office documents; 0 means one per CPU core', parse: integer(0, 64) },
  jobTimeoutSeconds: { env: 'QUIRE_JOB_TIMEOUT_SECONDS', default: '60', description: 'Time limit of one conversion or page rendering; past it the engine is killed and the request answers 580', parse: integer(1, 3600) },
  officeSessionLifetimeSeconds: { env: 'QUIRE_OFFICE_SESSION_LIFETIME_SECONDS', default: '86400', description: 'An Office Integrator user session ends this long after it was created (then its calls answer 1834)', parse: integer(1, 10 * 365 * 86400) },
  officeDocumentLifetimeSeconds: { env: 'QUIRE_OFFICE_DOCUMENT_LIFETIME_SECONDS', default: '86400', description: 'An Office Integrator document is kept this long after its latest new session or save (and at least as long as its sessions)', parse: integer(1, 10 * 365 * 86400) },
  publicUrl: { env: 'QUIRE_PUBLIC_URL', default: '', description: 'The address clients reach Quire at (e.g. https://docs.example.com/quire); document_url and the other links are built on it. Unset: taken from the request\'s Host header', parse: publicUrl },
  trustForwardedHeaders: { env: 'QUIRE_TRUST_FORWARDED_HEADERS', default: 'false', description: 'true behind a reverse proxy that sets X-Forwarded-Proto and X-Forwarded-Host: links are then built from those headers (ignored when QUIRE_PUBLIC_URL is set)', parse: boolean },
  renditionIdleSeconds: { env: 'QUIRE_RENDITION_IDLE_SECONDS', default: String(7 * 86400), description: 'Cached pages and converted documents unused for this long are removed', parse: integer(60, 10 * 365 * 86400) },
} satisfies Record<string, Setting<unknown>>;

type Parsed = { [K in keyof typeof settings]: ReturnType<(typeof settings)[K]['parse']> };

/** Reads and validates every setting; throws ConfigError with a one-line reason. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Partial<Record<keyof typeof settings, unknown>> = {};
  for (const [name, s] of Object.entries(settings) as [keyof typeof settings, Setting<unknown>][]) {
    const raw = env[s.env];
    out[name] = s.parse(raw === undefined || raw === '' ? s.default : raw, s.env);
  }
  const p = out as Parsed;
  return {
    port: p.port,
    host: p.host,
    dataDir: p.dataDir,
    apiKeys: p.apiKeys,
    logLevel: p.logLevel,
    maxUploadBytes: p.maxUploadBytes,
    maxJsonBytes: p.maxJsonBytes,
    sessionLifetimeSeconds: p.sessionLifetimeSeconds,
    workFileLifetimeSeconds: p.workFileLifetimeSeconds,
    expiredSessionMemorySeconds: p.expiredSessionMemorySeconds,
    sweepIntervalSeconds: p.sweepIntervalSeconds,
    fetch: { maxBytes: p.fetchMaxBytes, timeoutMs: p.fetchTimeoutMs, maxRedirects: p.fetchMaxRedirects, allow: p.fetchAllow },
    engines: { officeInstances: p.officeInstances, jobTimeoutMs: p.jobTimeoutSeconds * 1000, renditionIdleSeconds: p.renditionIdleSeconds },
    office: {
      sessionLifetimeSeconds: p.officeSessionLifetimeSeconds,
      documentLifetimeSeconds: p.officeDocumentLifetimeSeconds,
      publicUrl: p.publicUrl,
      trustForwardedHeaders: p.trustForwardedHeaders,
    },
  };
}
