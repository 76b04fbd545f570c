// The routes a viewer reads pages through: page content (SVG, PNG, JPEG), tiles, thumbnails,
// page and document attributes, and page text. Authorized by the session id in DocumentID alone
// (it is unguessable); served with and without the /PCCIS/V1 prefix, as proxies often strip it.
// An answer that cannot change for its session (a page, a page size, the exact page count, the text
// of pages that are all ready) has an ETag and may be cached; one that can (an estimate, text still
// missing pages) is `no-store`, so the client's poll reaches the server. Errors are never cached.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inputError, missingInput } from '../../domain/errors.ts';
import type { ViewingSessions } from '../../domain/viewing-sessions.ts';
import type { Renderer } from '../../rendering/renderer.ts';
import { renderTargetOf } from '../../rendering/rendition-key.ts';
import type { PageRequest } from '../../rendering/page-request.ts';
import { jsonBodies } from '../../http/body-parsers.ts';
import { prefixedSessionId, queryParam } from './request.ts';

export interface PageDeps {
  sessions: ViewingSessions;
  renderer: Renderer;
}

type PageParams = { n: string };
const PREFIXES = ['/PCCIS/V1', ''];
/** How long a text request waits for its first page while the document converts, before answering without it. */
const TEXT_WAIT_MS = 2000;
const CACHE_FOR = 'private, max-age=86400';

export function pageRoutes(app: FastifyInstance, deps: PageDeps): void {
  app.register(async (r) => {
    jsonBodies(r);
    for (const prefix of PREFIXES) {
      r.get<{ Params: PageParams }>(`${prefix}/Page/q/:n`, (req, reply) => servePage(deps, req, reply, contentRequest(req)));
      r.get<{ Params: PageParams & { x: string; y: string; w: string; h: string } }>(`${prefix}/Page/q/:n/Tile/:x/:y/:w/:h`, (req, reply) => {
        const base = contentRequest(req);
        const format = base.kind === 'raster' ? base.format : 'png';
        const tile = {
          x: intParam(req.params.x, 'x', 0, 1e6),
          y: intParam(req.params.y, 'y', 0, 1e6),
          w: intParam(req.params.w, 'w', 1, 8192),
          h: intParam(req.params.h, 'h', 1, 8192),
        };
        return servePage(deps, req, reply, { kind: 'raster', format, scale: scaleOf(req), quality: qualityOf(req), tile });
      });
      r.get<{ Params: PageParams & { size: string } }>(`${prefix}/Page/q/:n/:size`, (req, reply) => {
        const m = /^(\d{1,4})x(\d{1,4})$/.exec(req.params.size);
        if (!m) throw inputError('InvalidInput', 'Thumbnail size must be WIDTHxHEIGHT in pixels', { in: 'path', at: 'size', expected: '{W}x{H}' });
        const width = intParam(m[1]!, 'width', 1, 2048);
        const height = intParam(m[2]!, 'height', 1, 2048);
        const format = queryParam(req, 'ContentType')?.toLowerCase() === 'jpeg' ? 'jpeg' : 'png';
        return servePage(deps, req, reply, { kind: 'thumb', format, width, height, quality: qualityOf(req) });
      });
      r.get<{ Params: PageParams }>(`${prefix}/Page/q/:n/Attributes`, async (req, reply) => {
        const index = pageIndex(req.params.n);
        const { session, target } = await sessionOf(deps, req);
        const etag = `"${session.id}-pageattributes-${index}"`;
        if (notModified(req, reply, etag)) return reply.send();
        const raster = session.properties.render.html5.alwaysUseRaster;
        const answer = (size: { width: number; height: number }, pageCount: number) => ({
          imageWidth: Math.round(size.width),
          imageHeight: Math.round(size.height),
          imageXResolution: 96,
          imageYResolution: 96,
          pageCount,
          isRaster: raster ? 'true' : 'false',
          contentType: raster ? 'png' : 'png,svg',
        });
        // A page exported ahead of the whole document is answered at once, so a viewer can draw it:
        // its size is final, the count only the best estimate so far (not kept: it will change).
        const early = await deps.renderer.pageSize(target, index);
        const ready = deps.renderer.available(target);
        if (early && !ready.final) {
          const estimate = await deps.renderer.pageCount(target, 0);
          if (estimate.confidence < 100) {
            reply.header('Cache-Control', 'no-store');
            return answer(early, Math.max(estimate.pageCount, ready.pageCount));
          }
        }
        // Other pages, and the exact count, wait for the whole document.
        const p = await deps.renderer.prepare(target);
        const size = p.pages[index];
        if (!size) throw outOfRange(index, p.pageCount);
        cacheable(reply, etag);
        return answer(size, p.pageCount);
      });
      r.get(`${prefix}/Document/q/Attributes`, async (req, reply) => {
        const { session, target } = await sessionOf(deps, req);
        const wanted = intParam(queryParam(req, 'DesiredPageCountConfidence') ?? '100', 'DesiredPageCountConfidence', 0, 100);
        const etag = `"${session.id}-documentattributes"`;
        if (notModified(req, reply, etag)) return reply.send();
        // A content request: starts the conversion; an estimate as confident as asked is answered at once.
        const answer = await deps.renderer.pageCount(target, wanted);
        // An estimate changes while the document converts: only the exact count may be kept.
        if (answer.confidence >= 100) cacheable(reply, etag);
        else reply.header('Cache-Control', 'no-store');
        return { pageCount: answer.pageCount, pageCountConfidence: answer.confidence };
      });
      r.get<{ Params: { range: string } }>(`${prefix}/Document/q/:range/Text`, async (req, reply) => {
        const m = /^(\d{1,6})-(\d{1,6})$/.exec(req.params.range);
        if (!m || Number(m[1]) > Number(m[2])) {
          throw inputError('InvalidInput', 'The page range must be FIRST-LAST, 0-based and inclusive', { in: 'path', at: 'pageRange', expected: '{a}-{b}' });
        }
        const { session, target } = await sessionOf(deps, req);
        const first = Number(m[1]);
        const wantedLast = Number(m[2]);
        const etag = `"${session.id}-text-${first}-${wantedLast}"`;
        if (notModified(req, reply, etag)) return reply.send();
        // Starts the conversion if needed and waits a little for the first page asked for; a failed conversion is thrown here.
        await deps.renderer.pageWithin(target, first, TEXT_WAIT_MS);
        // Pages not converted yet are left out; the client polls.
        const ready = deps.renderer.available(target);
        // Once the count is final, a range past the end is the client's mistake, not "not ready yet".
        if (ready.final && first >= ready.pageCount) throw outOfRange(first, ready.pageCount);
        const last = Math.min(wantedLast, ready.pageCount - 1, first + 499);
        const pages = [];
        for (let n = first; n <= last; n++) pages.push({ number: n, ...(await deps.renderer.text(target, n)) });
        // Complete: every page asked for that exists is in the answer.
        const complete = last === wantedLast || (ready.final && last === ready.pageCount - 1);
        if (complete) cacheable(reply, etag);
        else reply.header('Cache-Control', 'no-store');
        return { pages };
      });
    }
  });
}

async function sessionOf(deps: PageDeps, req: FastifyRequest) {
  const documentId = queryParam(req, 'DocumentID');
  if (!documentId) throw missingInput('DocumentID', 'query');
  const session = await deps.sessions.use(null, prefixedSessionId(documentId));
  // countOfInitialPages decides how the conversion a content request starts is scheduled.
  return { session, target: { ...renderTargetOf(session), firstPages: session.properties.countOfInitialPages } };
}

async function servePage(deps: PageDeps, req: FastifyRequest<{ Params: PageParams }>, reply: FastifyReply, want: PageRequest) {
  const index = pageIndex(req.params.n);
  const { session, target } = await sessionOf(deps, req);
  if (want.kind === 'svg' && session.properties.render.html5.alwaysUseRaster) {
    const p = await deps.renderer.prepare(target);
    const size = p.pages[index];
    if (!size) throw outOfRange(index, p.pageCount);
    return reply.send({ errorCode: 'SvgNotAvailable', pageAttributes: { imageWidth: Math.round(size.width), imageHeight: Math.round(size.height), pageCount: p.pageCount, isRaster: 'true' } });
  }
  const etag = pageEtag(session.id, index, want);
  if (notModified(req, reply, etag)) return reply.header('X-Content-Type-Options', 'nosniff').send();
  const { data, contentType } = await deps.renderer.page(target, index, want);
  cacheable(reply, etag).header('X-Content-Type-Options', 'nosniff');
  // An SVG page opened on its own must not be able to run or fetch anything.
  if (want.kind === 'svg') reply.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
  return reply.type(contentType).send(data);
}

/**
 * The vendor's form `{sessionId}-pagerender-{n}-{scale, 2 decimals}-{contentType}`, followed by
 * whatever else changes the bytes: a finer scale, the thumbnail box, the tile, JPEG quality.
 */
function pageEtag(sessionId: string, index: number, want: PageRequest): string {
  const scale = want.kind === 'raster' ? want.scale : 1;
  const parts = [`${sessionId}-pagerender-${index}-${scale.toFixed(2)}-${want.kind === 'svg' ? 'svg' : want.format}`];
  if (scale.toFixed(3) !== `${scale.toFixed(2)}0`) parts.push(`s${scale.toFixed(3)}`);
  if (want.kind === 'thumb') parts.push(`${want.width}x${want.height}`);
  if (want.kind === 'raster' && want.tile) parts.push(`${want.tile.x}_${want.tile.y}_${want.tile.w}_${want.tile.h}`);
  if (want.kind !== 'svg' && want.format === 'jpeg') parts.push(`q${want.quality}`);
  return `"${parts.join('-')}"`;
}

/** Headers go on only with content (or 304): an error answer must never be cached. */
function cacheable(reply: FastifyReply, etag: string): FastifyReply {
  return reply.header('ETag', etag).header('Cache-Control', CACHE_FOR);
}

/** Sets up a 304 when If-None-Match names this ETag (alone, in a list, or weak). */
function notModified(req: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  const tags = header.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (!tags.includes(etag)) return false;
  cacheable(reply, etag).code(304);
  return true;
}

function contentRequest(req: FastifyRequest): PageRequest {
  const ct = (queryParam(req, 'ContentType') ?? 'svgb').toLowerCase();
  if (ct === 'svg' || ct === 'svgb' || ct === 'svga') return { kind: 'svg' };
  if (ct === 'png' || ct === 'jpeg' || ct === 'jpg') return { kind: 'raster', format: ct === 'png' ? 'png' : 'jpeg', scale: scaleOf(req), quality: qualityOf(req) };
  throw inputError('InvalidInput', 'ContentType must be svgb, svg, png or jpeg', { in: 'query', at: 'ContentType', expected: { enum: ['svgb', 'svg', 'png', 'jpeg'] } });
}

function scaleOf(req: FastifyRequest): number {
  const raw = queryParam(req, 'Scale') ?? '1';
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(n > 0) || n > 8) {
    throw inputError('InvalidInput', 'Scale must be a number above 0 and at most 8', { in: 'query', at: 'Scale', expected: { exclusiveMinimum: 0, maximum: 8 } });
  }
  return Math.round(n * 1000) / 1000;
}

function qualityOf(req: FastifyRequest): number {
  return intParam(queryParam(req, 'Quality') ?? '85', 'Quality', 1, 100);
}

function pageIndex(raw: string): number {
  return intParam(raw, 'pageNumber', 0, 1_000_000);
}

function intParam(raw: string, at: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw inputError('InvalidInput', `${at} must be a whole number from ${min} to ${max}`, { in: 'path', at, expected: { type: 'integer', minimum: min, maximum: max } });
  }
  return Number(raw);
}

function outOfRange(index: number, count: number) {
  return inputError('InvalidInput', `Page ${index} does not exist; the document has ${count} pages (0-based)`, {
    in: 'path',
    at: 'pageNumber',
    expected: { minimum: 0, maximum: count - 1 },
  });
}
