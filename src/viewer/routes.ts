// The browser viewer's routes: the page /viewer/{viewingSessionId} (for an iframe) and its assets
// /viewer/assets/{quire-viewer.js, viewer-page.js, quire-viewer.css}. The page only reads Quire's
// public viewer routes, so it needs nothing from the session here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ViewingSessions } from '../domain/viewing-sessions.ts';
import { pickEncoding, prepareAssets } from './assets.ts';
import { loadViewer } from './build.ts';
import { VIEWER_CSP, viewerHtml } from './page-html.ts';

export interface ViewerDeps {
  sessions: ViewingSessions;
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,256}$/;
const YEAR = 365 * 24 * 3600;

export async function viewerRoutes(app: FastifyInstance, _deps: ViewerDeps): Promise<void> {
  const built = await loadViewer(app.log);
  const assets = prepareAssets(built);

  app.get<{ Params: { id: string }; Querystring: { title?: unknown } }>('/viewer/:id', (req, reply) => {
    if (!SESSION_ID.test(req.params.id)) return notFound(req, reply);
    return reply
      .header('Content-Security-Policy', VIEWER_CSP)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer')
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(viewerHtml(built.version, req.params.id, typeof req.query.title === 'string' ? req.query.title : undefined));
  });

  app.get<{ Params: { name: string }; Querystring: { v?: string } }>('/viewer/assets/:name', (req, reply) => {
    const asset = assets.get(req.params.name);
    if (!asset) return notFound(req, reply);
    // Versioned URLs (what the page and the module ask for) never change; bare ones are revalidated.
    const versioned = req.query.v === built.version;
    reply
      .header('ETag', asset.etag)
      .header('Cache-Control', versioned ? `public, max-age=${YEAR}, immutable` : 'no-cache')
      .header('Vary', 'Accept-Encoding')
      .header('X-Content-Type-Options', 'nosniff')
      // Public code, no credentials: any app may import the module from another origin.
      .header('Access-Control-Allow-Origin', '*')
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .type(asset.type);
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    const encoding = pickEncoding(req.headers['accept-encoding']);
    if (encoding !== 'identity') reply.header('Content-Encoding', encoding);
    return reply.send(asset[encoding]);
  });
}

function notFound(req: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).type('application/json; charset=utf-8').send({ errorCode: 'NotFound', message: `No route ${req.method} ${req.url.split('?')[0]}` });
}
