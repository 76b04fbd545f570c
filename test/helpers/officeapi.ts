// Office Integrator helpers for the integration tests: pointing the vendor's SDK at a started Quire,
// building multipart requests by hand (for what the SDK cannot send), and reading answers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { CORPUS, call } from './quire.ts';

// The SDK ships no type declarations: it is used untyped (a specifier held in a variable keeps
// TypeScript from looking for them).
const SDK_MODULE = '@zoho-corp/office-integrator-sdk';
export const SDK: any = await import(SDK_MODULE);
type Sdk = any;

export const V1 = '/writer/officeapi/v1';
export const DOCX = join(CORPUS, 'docx/pydocx-test.docx');
export const DOCX2 = join(CORPUS, 'docx/mammoth-simple-list.docx');
export const DOCX_COMMENTS = join(CORPUS, 'docx/mammoth-comments.docx');
export const DOCX_HEADERS = join(CORPUS, 'docx/pydocx-hdr-header-footer.docx');
export const DOCX_ODD_EVEN = join(CORPUS, 'docx/pydocx-doc-odd-even-hdrs.docx');
export const PDF = join(CORPUS, 'pdf/simple1.pdf');

/** (Re)initialises the SDK's singleton against `baseUrl` with `apikey`; silent logger. */
export async function initSdk(baseUrl: string, apikey: string): Promise<Sdk> {
  const environment = new SDK.ApiServer.Production(baseUrl);
  const auth = new SDK.AuthBuilder()
    .addParam('apikey', apikey)
    .authenticationSchema(await new SDK.V1.Authentication().getTokenFlow())
    .build();
  const logger = new SDK.LogBuilder().level(SDK.Levels.OFF).build();
  await (await new SDK.InitializeBuilder()).environment(environment).tokens([auth]).logger(logger).initialize();
  return new SDK.V1.V1Operations();
}

/** A file for the SDK from a path (sent with its filename) or from bytes (sent without one). */
export const fromPath = (path: string) => new SDK.StreamWrapper(null, null, path);
export const fromBuffer = (bytes: Buffer) => new SDK.StreamWrapper(null, bytes, null);

/** What the SDK parsed an answer into, checked by class. */
export function expectClass(response: { statusCode: number; object: unknown } | null, cls: Sdk, status = 200): Sdk {
  assert.ok(response, 'the SDK returned no response');
  const name = (response.object as { constructor?: { name?: string } } | null)?.constructor?.name;
  assert.equal(response.statusCode, status, `status ${response.statusCode}, object ${name}: ${safeJson(response.object)}`);
  assert.ok(response.object instanceof cls, `expected ${cls.name as string}, got ${name}: ${safeJson(response.object)}`);
  return response.object;
}

/** An InvalidConfigurationException with this code (and parameter/key when given). */
export function expectError(response: { statusCode: number; object: unknown } | null, code: number, parameter?: string, key?: string): Sdk {
  const e = expectClass(response, SDK.V1.InvalidConfigurationException, 400);
  assert.equal(Number(e.getCode()), code, safeJson(e));
  if (parameter !== undefined) assert.equal(e.getParameterName(), parameter, safeJson(e));
  if (key !== undefined) assert.equal(e.getKeyName(), key, safeJson(e));
  return e;
}

export const safeJson = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x));

/** Reads the SDK's FileBodyWrapper content (a Buffer). */
export function fileBytes(w: Sdk): Buffer {
  return Buffer.from(w.getFile().getStream() as Uint8Array);
}

export type Part = { name: string; value: string } | { name: string; file: Buffer; filename?: string; type?: string };

/** A multipart body as a browser or curl sends it. */
export function multipart(parts: Part[]): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----quire${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if ('file' in p) {
      if (p.filename !== undefined) head += `; filename="${p.filename}"`;
      head += `\r\nContent-Type: ${p.type ?? 'application/octet-stream'}`;
    }
    chunks.push(Buffer.from(`${head}\r\n\r\n`), 'file' in p ? p.file : Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** POST a multipart form to an Office route. */
export function postForm(q: { baseUrl: string }, path: string, parts: Part[], headers: Record<string, string> = {}) {
  const m = multipart(parts);
  return call(q, 'POST', path, { body: m.body, headers: { ...m.headers, ...headers } });
}

/** Asserts the vendor's error shape: 400, JSON, code (and parameter_name / key_name when given). */
export function assertOfficeError(r: { status: number; body: any; headers: Headers }, code: number, parameter?: string, key?: string): void {
  assert.equal(r.status, 400, `expected 400 ${code}, got ${r.status} ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.body?.code, code, JSON.stringify(r.body));
  if (parameter !== undefined) assert.equal(r.body?.parameter_name, parameter, JSON.stringify(r.body));
  if (key !== undefined) assert.equal(r.body?.key_name, key, JSON.stringify(r.body));
}

/** The text poppler finds in a PDF (watermarks included). */
export function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-oi-'));
  const path = join(dir, 'doc.pdf');
  writeFileSync(path, pdf);
  try {
    // -raw: in content order, so rotated watermark text comes out (a character per line).
    return execFileSync('pdftotext', ['-raw', path, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The path of a URL Quire gave out (the tests reach it on the same server). */
export const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

/** Pixels of the first page (rendered small) that are clearly red: how a red watermark is seen. */
export function redPixels(pdf: Buffer): number {
  const dir = mkdtempSync(join(tmpdir(), 'quire-oi-'));
  const path = join(dir, 'doc.pdf');
  writeFileSync(path, pdf);
  let ppm: Buffer;
  try {
    ppm = execFileSync('pdftoppm', ['-r', '30', '-f', '1', '-l', '1', path], { maxBuffer: 64 * 1024 * 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // P6 header: magic, width, height, maxval, then RGB bytes.
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.subarray(0, 64).toString('latin1'))!;
  let n = 0;
  for (let i = header[0].length; i + 2 < ppm.length; i += 3) {
    const [r, g, b] = [ppm[i]!, ppm[i + 1]!, ppm[i + 2]!];
    if (r > g + 50 && r > b + 50) n++;
  }
  return n;
}

/** The text parts of a DOCX, by name. */
export function docxParts(docx: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(docx)))) if (name.endsWith('.xml') || name.endsWith('.rels')) out.set(name, strFromU8(bytes));
  return out;
}
