// buildApp: wires configuration, storage and domain services into a Fastify instance. main.ts
// calls it to serve; nothing here listens or installs signal handlers.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sendOfficeError } from './api/officeapi/errors.ts';
import { officeApi } from './api/officeapi/index.ts';
import { sendPrizmdocError } from './api/prizmdoc/errors.ts';
import { prizmdocApi } from './api/prizmdoc/index.ts';
import { Tenants } from './auth/tenants.ts';
import type { Config } from './config/config.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import { QuireError } from './domain/errors.ts';
import { OfficeConversions } from './domain/office-conversions.ts';
import { OfficeDocuments } from './domain/office-documents.ts';
import { OfficeSources } from './domain/office-sources.ts';
import { DocumentConverter } from './documents/convert.ts';
import { ViewingSessions } from './domain/viewing-sessions.ts';
import { WorkFiles } from './domain/work-files.ts';
import { startEngines } from './engines/index.ts';
import { RemoteFetcher } from './fetch/remote-fetch.ts';
import { Renderer } from './rendering/renderer.ts';
import { renderOnSessionEvents } from './rendering/session-hooks.ts';
import { RenditionStore } from './renditions/rendition-store.ts';
import { SearchTasks } from './search/search-tasks.ts';
import { ContentConverters } from './conversion/content-converters.ts';
import { viewerRoutes } from './viewer/routes.ts';
import { loadWorkFileImage } from './watermarks/work-file-images.ts';
import type { Storage } from './storage/ports.ts';

export interface AppDeps {
  config: Config;
  storage: Storage;
  clock?: Clock;
}

export interface App {
  http: FastifyInstance;
  sessions: ViewingSessions;
  workFiles: WorkFiles;
  tenants: Tenants;
  renditions: RenditionStore;
}

export async function buildApp({ config, storage, clock = systemClock }: AppDeps): Promise<App> {
  const http = Fastify({
    logger: { level: config.logLevel },
    // No per-request log lines and no per-request child logger: on the metadata hot path they cost
    // more than the handler itself (measured in bench/foundation). Errors are still logged by the dialects.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger) => logger,
    bodyLimit: config.maxJsonBytes,
    return503OnClosing: true,
    // Requests Node cannot even parse (bad bytes in the URL, oversized headers) still get JSON.
    clientErrorHandler: (err, socket) => {
      const status = (err as { code?: string }).code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = JSON.stringify({ errorCode: 'BadRequest', message: 'The HTTP request could not be parsed' });
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      }
    },
    // Real clients send /v2/ViewingSessions as well as /v2/viewingSessions.
    routerOptions: { caseSensitive: false, maxParamLength: 256 },
    // What the router refuses before any route is chosen still answers in the dialect's error shape.
    frameworkErrors: (err, req, reply) => {
      const e =
        err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new QuireError('notFound', 'NotFound', `No route ${req.method} matches: a path segment is longer than 256 characters`)
          : new QuireError('input', 'InvalidInput', 'The URL path could not be decoded', { details: { in: 'path', at: 'path', message: err.message } });
      return isOfficePath(req.url) ? sendOfficeError(e, req, reply) : sendPrizmdocError(e, req, reply);
    },
  });
  const tenants = new Tenants(config.apiKeys);
  const workFiles = new WorkFiles(storage, config, clock);
  const sessions = new ViewingSessions({
    storage,
    workFiles,
    fetcher: new RemoteFetcher(config.fetch),
    limits: { sessionLifetimeSeconds: config.sessionLifetimeSeconds, maxUploadBytes: config.maxUploadBytes, fetchMaxBytes: config.fetch.maxBytes },
    clock,
  });
  const affinityToken = await nodeToken(storage);

  const engines = startEngines(config.engines, http.log);
  http.addHook('onClose', () => engines.close());
  const renditions = new RenditionStore(join(config.dataDir, 'renditions'));
  const watermarkImage = async (tenant: string, fileId: string) =>
    loadWorkFileImage(await workFiles.get(tenant, fileId), async (wf) => readFile(await storage.blobs.localPath(wf.hash)), 'imageWorkFileId');
  const renderer = new Renderer({ store: renditions, engines, blobs: storage.blobs, clock, log: http.log, watermarkImage });
  renderOnSessionEvents(sessions, renderer, http.log);
  const searches = new SearchTasks(renderer);
  // Office Integrator: documents and user sessions over the same work files and viewing sessions.
  const officeSources = new OfficeSources({ storage, workFiles, fetcher: new RemoteFetcher(config.fetch), fetchMaxBytes: config.fetch.maxBytes });
  const officeDocuments = new OfficeDocuments({
    storage,
    workFiles,
    viewing: sessions,
    sources: officeSources,
    limits: { sessionLifetimeSeconds: config.office.sessionLifetimeSeconds, documentLifetimeSeconds: config.office.documentLifetimeSeconds, memorySeconds: config.expiredSessionMemorySeconds },
    clock,
  });
  const officeConversions = new OfficeConversions({ storage, sources: officeSources, converter: new DocumentConverter({ office: engines.office, timeoutMs: config.engines.jobTimeoutMs }) });

  http.setNotFoundHandler((req, reply) => {
    const route = `${req.method} ${req.url.split('?')[0]}`;
    // The Office Integrator SDK reads only 200 and 400 answers: an unknown Writer route is its "invalid method".
    if (isOfficePath(req.url)) return sendOfficeError(new QuireError('input', 'UnsupportedOperation', `Quire does not offer ${route}`), req, reply);
    return sendPrizmdocError(new QuireError('notFound', 'NotFound', `No route ${route}`), req, reply);
  });
  await http.register(viewerRoutes, { sessions });
  const converters = new ContentConverters({ renderer, workFiles, sessions, watermarkImage, pdf: engines.pdf, office: engines.office, log: http.log });
  await http.register(prizmdocApi, { sessions, workFiles, tenants, renderer, searches, converters, affinityToken, maxUploadBytes: config.maxUploadBytes });
  await http.register(officeApi, {
    documents: officeDocuments,
    conversions: officeConversions,
    tenants,
    storage,
    maxUploadBytes: config.maxUploadBytes,
    maxFieldBytes: config.maxJsonBytes,
    publicUrl: config.office.publicUrl,
    trustForwardedHeaders: config.office.trustForwardedHeaders,
    sweepIntervalMs: config.sweepIntervalSeconds * 1000,
  });
  return { http, sessions, workFiles, tenants, renditions };
}

/** The Office Integrator dialect's paths (everything else answers in the PrizmDoc shape). */
const isOfficePath = (url: string) => /^\/(?:writer\/officeapi|api\/v1)(?:[/?]|$)/i.test(url);

/** A stable token naming this server (its data folder), made once. */
async function nodeToken(storage: Storage): Promise<string> {
  const existing = await storage.metadata.getSetting('affinityToken');
  if (existing) return existing;
  const token = randomBytes(32).toString('base64');
  await storage.metadata.setSetting('affinityToken', token);
  return token;
}
