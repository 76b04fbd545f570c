// The Office Integrator (Zoho Writer) dialect: /writer/officeapi/v1/... and /api/v1/plan, with
// multipart bodies whose settings are JSON-string parts, and the vendor's error shape.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { browserRoutes } from './browser-routes.ts';
import type { OfficeApiDeps } from './deps.ts';
import { documentRoutes } from './document-routes.ts';
import { sendOfficeError } from './errors.ts';
import { fileRoutes } from './file-routes.ts';
import { multipartOptions } from './form.ts';
import { planRoutes } from './plan-routes.ts';
import { nestsDeeperThan, tooDeepError } from '../../http/json-depth.ts';

export type { OfficeApiDeps } from './deps.ts';

export async function officeApi(app: FastifyInstance, deps: OfficeApiDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  await app.register(multipart, multipartOptions(deps.maxUploadBytes, deps.maxFieldBytes));
  const fields = (_request: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => done(null, Object.fromEntries(new URLSearchParams(String(body))));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: deps.maxFieldBytes }, fields);
  // JSON objects are taken as the same parameters (nested objects given as objects, not strings).
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: deps.maxFieldBytes }, (_req, body, done) => {
    if (String(body).trim() === '') return done(null, undefined);
    let value: unknown;
    try {
      value = JSON.parse(String(body));
    } catch (e) {
      return done(Object.assign(e as Error, { statusCode: 400 }));
    }
    done(nestsDeeperThan(value) ? tooDeepError() : null, value);
  });
  // Anything else is left unread: save_url streams it; the other routes refuse a body they cannot read.
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));
  app.setErrorHandler((err, req, reply) => sendOfficeError(err, req, reply));

  documentRoutes(app, deps);
  fileRoutes(app, deps);
  browserRoutes(app, deps);
  planRoutes(app, deps);

  // Sessions past their expiry stop their viewing sessions even if nobody asks about them again.
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      deps.documents.sweep().catch((err: unknown) => app.log.error({ err }, 'office sweep failed'));
    }, deps.sweepIntervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}
