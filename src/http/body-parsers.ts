// How request bodies are read. JSON routes parse any content type as JSON (clients often omit the
// header) and treat an empty body as "no body". Upload routes leave the body unread so handlers
// can stream it to storage.
import type { FastifyInstance } from 'fastify';
import { nestsDeeperThan, tooDeepError } from './json-depth.ts';

export function jsonBodies(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body !== 'string' || body.trim() === '') return done(null, undefined);
    json(request, body, (err: Error | null, value?: unknown) => (err ? done(err) : nestsDeeperThan(value) ? done(tooDeepError()) : done(null, value)));
  });
}

export function streamedBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
}
