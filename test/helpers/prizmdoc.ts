// Small PrizmDoc-dialect helpers shared by the integration tests: create a session, upload to it,
// read corpus files. Everything goes through real HTTP via call().
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS, call } from './quire.ts';

type Target = { baseUrl: string };
export type Headers = Record<string, string>;

export const V1 = '/PCCIS/V1/ViewingSession';
export const V2 = '/v2/viewingSessions';

export const DOCX = join(CORPUS, 'docx/pydocx-test.docx');
export const DOCX2 = join(CORPUS, 'docx/mammoth-simple-list.docx');
export const PDF = join(CORPUS, 'pdf/simple1.pdf');
export const PPTX = join(CORPUS, 'pptx/pypptx-shp-shapes.pptx');
export const XLSX = join(CORPUS, 'xlsx/pypptx-chart-data.xlsx');

export const bytesOf = (path: string): Buffer => readFileSync(path);

/** The watermark of the seed page's creation example, exactly. */
export const SEED_WATERMARK = {
  type: 'text',
  opacity: 0.6,
  text: 'jdoe\n67.79.169.114\n11/13/2014 2:24 PM\nNOT FOR DISTRIBUTION',
  color: 'red',
  fontFamily: 'Consolas',
  fontSize: '16pt',
  fontWeight: 'bold',
  verticalAlign: 'bottom',
  horizontalAlign: 'right',
};

/** Bytes no detector recognises: no magic number, not a ZIP, not OLE2, not a PDF. */
export const UNRECOGNIZABLE = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 251 || 1));

/** POST /ViewingSession and return the id; fails the test unless it answered 200. */
export async function createSession(q: Target, body: unknown = {}, headers: Headers = {}): Promise<string> {
  const r = await call(q, 'POST', V1, { json: body, headers });
  assert.equal(r.status, 200, `create answered ${r.status}: ${JSON.stringify(r.body)}`);
  assert.equal(typeof r.body.viewingSessionId, 'string');
  return r.body.viewingSessionId as string;
}

/** A session id that does not itself start with "u", so dropping the prefix is unambiguous. */
export async function createSessionNotStartingWithU(q: Target, body: unknown = {}, headers: Headers = {}): Promise<string> {
  for (;;) {
    const id = await createSession(q, body, headers);
    if (!id.startsWith('u')) return id;
  }
}

export function uploadSource(q: Target, id: string, bytes: Uint8Array, opts: { ext?: string; headers?: Headers } = {}) {
  const qs = opts.ext === undefined ? '' : `?FileExtension=${encodeURIComponent(opts.ext)}`;
  return call(q, 'PUT', `${V1}/u${id}/SourceFile${qs}`, { body: bytes, headers: opts.headers ?? {} });
}

export function uploadSlot(q: Target, id: string, slot: 'original' | 'revised', bytes: Uint8Array, headers: Headers = {}) {
  return call(q, 'PUT', `${V2}/${id}/sourceFile/${slot}`, { body: bytes, headers });
}

export async function createWorkFile(q: Target, bytes: Uint8Array, opts: { ext?: string; headers?: Headers; query?: string } = {}) {
  const params = new URLSearchParams();
  if (opts.ext !== undefined) params.set('FileExtension', opts.ext);
  const qs = (params.size ? `?${params}` : '') + (opts.query ? `${params.size ? '&' : '?'}${opts.query}` : '');
  const r = await call(q, 'POST', `/PCCIS/V1/WorkFile${qs}`, { body: bytes, headers: opts.headers ?? {} });
  assert.equal(r.status, 200, `work file answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as { fileId: string; fileExtension: string; affinityToken: string };
}

/** Asserts a PrizmDoc input error: 480 with JSON errorCode (and errorDetails.at when given). */
export function assert480(r: { status: number; body: any; headers: globalThis.Headers }, errorCode: string, at?: string): void {
  assert.equal(r.status, 480, `expected 480 ${errorCode}, got ${r.status} ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(r.body?.errorCode, errorCode, JSON.stringify(r.body));
  if (at !== undefined) assert.equal(r.body?.errorDetails?.at, at, JSON.stringify(r.body));
}
