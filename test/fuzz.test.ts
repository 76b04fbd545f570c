// Property-based fuzzing of every route of both dialects with fast-check, against one started Quire.
// Path ids (unicode, traversal, very long, empty, with and without the `u` prefix), query parameters,
// JSON bodies (arbitrary values and mutations of valid ones), raw uploads, and Office Integrator
// forms (multipart with random part names, JSON-string parts that are not JSON, wrong types;
// urlencoded and JSON variants). Properties of every answer:
//   - no 5xx, except the documented 580 with a JSON errorCode and the status an owner chose when it
//     stopped a session (SessionStopped/SessionErrored take 400–599);
//   - every error is JSON in its dialect's documented shape: PrizmDoc {errorCode, errorDetails?},
//     Office Integrator HTTP 400 {code, message, parameter_name?, key_name?} with a documented code
//     (never 1801, the internal error); the Office session links answer HTML 404/410 as documented;
//   - every answer arrives within ANSWER_LIMIT_MS (no hang);
// and afterwards the process is alive, healthy and still renders a new document.
// The seed is fixed (QUIRE_FUZZ_SEED overrides it) and printed; a failure prints the request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { call, startQuire, type Quire } from './helpers/quire.ts';
import { DOCX, DOCX2, V1, V2, bytesOf, createSession, createWorkFile, uploadSlot, uploadSource } from './helpers/prizmdoc.ts';
import { V1 as OV1, multipart, postForm, type Part } from './helpers/officeapi.ts';

const SEED = Number(process.env.QUIRE_FUZZ_SEED ?? 20_260_611);
/** QUIRE_FUZZ_RUNS_SCALE=10 runs ten times as many requests (a longer hunt); 1 keeps the file at about 30 s. */
const SCALE = Number(process.env.QUIRE_FUZZ_RUNS_SCALE ?? 1);
/** Generous: two shared cores, and some requests legitimately convert a document. */
const ANSWER_LIMIT_MS = 15_000;
const KEY = 'fuzz-key-0123456789';
const H = { 'Acs-Api-Key': KEY };

let q: Quire;
let slowest = { ms: 0, what: '' };
let requests = 0;
/** Answers by status, printed at the end: a fuzz that only ever hears 404 reaches nothing. */
const statuses = new Map<number, number>();

/** The objects the fuzz aims at (besides random ids): valid ids reach deeper into the handlers. */
const ids = {
  sid: '',
  cid: '',
  fileId: '',
  searchPid: '',
  convertPid: '',
  officeDocument: 'fuzz-doc',
  officeSession: '',
};

before(async () => {
  console.log(`fuzz seed ${SEED} (set QUIRE_FUZZ_SEED to replay another)`);
  q = await startQuire({ env: { QUIRE_API_KEYS: `${KEY}:fuzz`, QUIRE_JOB_TIMEOUT_SECONDS: '10' } });
  ids.sid = await createSession(q, {}, H);
  assert.equal((await uploadSource(q, ids.sid, Buffer.from('Fuzz target document.\nSecond line.\n'), { ext: 'txt', headers: H })).status, 200);
  assert.equal((await call(q, 'GET', `/PCCIS/V1/Page/q/0?DocumentID=u${ids.sid}`)).status, 200);
  ids.cid = await createSession(q, {}, H);
  assert.equal((await uploadSlot(q, ids.cid, 'original', bytesOf(DOCX), H)).status, 200);
  assert.equal((await uploadSlot(q, ids.cid, 'revised', bytesOf(DOCX2), H)).status, 200);
  ids.fileId = (await createWorkFile(q, Buffer.from('work file text\n'), { ext: 'txt', headers: H })).fileId;
  const search = await call(q, 'POST', `${V2}/${ids.sid}/searchTasks`, { json: { input: { searchTerms: [{ type: 'simple', pattern: 'line' }] } } });
  assert.equal(search.status, 200, JSON.stringify(search.body));
  ids.searchPid = search.body.processId;
  const conversion = await call(q, 'POST', '/v2/contentConverters', { json: { input: { sources: [{ fileId: ids.fileId }], dest: { format: 'png' } } }, headers: H });
  assert.equal(conversion.status, 200, JSON.stringify(conversion.body));
  ids.convertPid = conversion.body.processId;
  const o = await postForm(q, `${OV1}/documents?apikey=${KEY}`, [{ name: 'document_info', value: JSON.stringify({ document_id: ids.officeDocument }) }]);
  assert.equal(o.status, 200, JSON.stringify(o.body));
  ids.officeSession = o.body.session_id;
});
after(async () => {
  console.log(`fuzz: ${requests} requests, slowest ${slowest.ms} ms (${slowest.what}); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  await q?.dispose();
});

function assertOffice(r: Awaited<ReturnType<typeof call>>, code: number): void {
  assert.equal(r.status, 400, `${r.status} ${r.bytes.toString().slice(0, 300)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.body.code, code, JSON.stringify(r.body));
}

// ---- the request model --------------------------------------------------------------------------

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; type?: string }
  | { kind: 'text'; text: string; type?: string }
  | { kind: 'bytes'; bytes: Uint8Array; type?: string }
  | { kind: 'multipart'; parts: Part[] };

interface Req {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body: Body;
}

type Dialect = 'prizmdoc' | 'office' | 'officeLink';

function dialectOf(path: string): Dialect {
  if (/^\/writer\/officeapi\/v1\/documents\/[^/]*\/(edit|preview|compare)$/i.test(path)) return 'officeLink';
  if (/^\/(writer\/officeapi|api\/v1)\//i.test(path)) return 'office';
  return 'prizmdoc';
}

function describeReq(r: Req): string {
  const b = r.body;
  const body = b.kind === 'none' ? '' : b.kind === 'multipart' ? ` multipart ${JSON.stringify(b.parts.map((p) => ('file' in p ? { name: p.name, file: p.file.length } : p)))}` : b.kind === 'bytes' ? ` ${b.bytes.length} bytes` : ` ${b.kind} ${JSON.stringify(b.kind === 'json' ? b.value : b.text).slice(0, 300)}`;
  return `${r.method} ${urlOf(r).slice(0, 300)}${body}`;
}

function urlOf(r: Req): string {
  const qs = r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return r.path + (qs ? `?${qs}` : '');
}

/** Sends the request and checks every property of the answer. */
async function send(r: Req): Promise<void> {
  const headers: Record<string, string> = { ...r.headers };
  let body: BodyInit | undefined;
  const b = r.body;
  if (b.kind === 'json') {
    headers['content-type'] = b.type ?? 'application/json';
    body = JSON.stringify(b.value) ?? 'null';
  } else if (b.kind === 'text') {
    if (b.type) headers['content-type'] = b.type;
    body = b.text;
  } else if (b.kind === 'bytes') {
    if (b.type) headers['content-type'] = b.type;
    body = b.bytes as BodyInit;
  } else if (b.kind === 'multipart') {
    const m = multipart(b.parts);
    Object.assign(headers, m.headers);
    body = m.body as BodyInit;
  }
  const what = describeReq(r);
  const t0 = Date.now();
  let res: Response;
  let bytes: Buffer;
  try {
    res = await fetch(q.baseUrl + urlOf(r), { method: r.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(ANSWER_LIMIT_MS) });
    bytes = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    throw new Error(`no answer within ${ANSWER_LIMIT_MS} ms (or connection failed) for ${what}: ${(err as Error).message}`);
  }
  const ms = Date.now() - t0;
  requests++;
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  if (ms > slowest.ms) slowest = { ms, what: what.slice(0, 160) };
  checkAnswer(r, res.status, res.headers, bytes, what);
}

const OFFICE_CODES = new Set([1831, 1832, 1833, 1834, 1837, 1838, 1844, 1846, 1852, 1861]);

function checkAnswer(r: Req, status: number, headers: Headers, bytes: Buffer, what: string): void {
  const ctx = () => `${what}\n  → ${status} ${headers.get('content-type')} ${bytes.toString('utf8').slice(0, 400)}`;
  assert.ok(status >= 200 && status < 600, `status ${status}: ${ctx()}`);
  if (status < 400) return;
  const type = headers.get('content-type') ?? '';
  const dialect = dialectOf(r.path);
  if (dialect === 'officeLink' && (status === 404 || status === 410)) {
    assert.match(type, /^text\/html/, `an ended-session page: ${ctx()}`);
    return;
  }
  assert.match(type, /^application\/json/, `an error must be JSON: ${ctx()}`);
  let body: any;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    assert.fail(`an error body must parse as JSON: ${ctx()}`);
  }
  assert.ok(body && typeof body === 'object' && !Array.isArray(body), `an error body is an object: ${ctx()}`);
  if (dialect === 'office' || dialect === 'officeLink') {
    assert.equal(status, 400, `Office Integrator errors are HTTP 400: ${ctx()}`);
    assert.ok(OFFICE_CODES.has(body.code), `a documented Office code (1801 is the internal error): ${ctx()}`);
    assert.equal(typeof body.message, 'string', ctx());
    if ('parameter_name' in body) assert.equal(typeof body.parameter_name, 'string', ctx());
    if ('key_name' in body) assert.equal(typeof body.key_name, 'string', ctx());
    return;
  }
  assert.equal(typeof body.errorCode, 'string', `PrizmDoc errors carry errorCode: ${ctx()}`);
  assert.ok(body.errorCode.length > 0, ctx());
  assert.notEqual(body.errorCode, 'InternalError', ctx());
  if ('errorDetails' in body) {
    assert.ok(body.errorDetails && typeof body.errorDetails === 'object' && !Array.isArray(body.errorDetails), `errorDetails is an object: ${ctx()}`);
    if ('in' in body.errorDetails) assert.ok(['body', 'query', 'path', 'header'].includes(body.errorDetails.in), ctx());
    if ('at' in body.errorDetails) assert.equal(typeof body.errorDetails.at, 'string', ctx());
  }
  if (status >= 500) {
    // 580 with an errorCode, or the status a session's owner chose when stopping it (400–599).
    const ownerChosen = (body.errorCode === 'SessionStopped' || body.errorCode === 'SessionErrored') && headers.get('accusoft-status-number') === String(status);
    assert.ok(status === 580 || ownerChosen, `no 5xx but 580: ${ctx()}`);
  }
}

// ---- value generators ---------------------------------------------------------------------------

const SPECIAL_SEGMENTS = ['', '..', '.', '%2e%2e', '..%2f..%2fetc%2fpasswd', '%00', 'u%00', '%ZZ', '%E0%A4%A', '%C0%AF', '%FF', 'u', 'U', '~', '%20', 'null', 'undefined', '[object Object]', '-1', '0', '1e309', 'NaN'];

/** An id as it could appear in a path, already URL-encoded. */
const pathId = (valid: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...valid) },
    { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_SEGMENTS) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{16,128}$/) },
    { weight: 1, arbitrary: fc.constantFrom(...valid).map((v) => v.slice(0, -1)) },
    { weight: 1, arbitrary: fc.constantFrom(...valid).map((v) => v.toUpperCase()) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 6000 }).map((n) => 'a'.repeat(n)) },
  );

/** A viewing session id for /PCCIS/V1 routes: with the u prefix, or without. */
const uId = (): fc.Arbitrary<string> => fc.oneof({ weight: 3, arbitrary: pathId([ids.sid, ids.cid]).map((s) => `u${s}`) }, { weight: 1, arbitrary: pathId([ids.sid, ids.cid]) });

const wildString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '0', '-1', '1.5', '1e3', '1e309', 'NaN', 'Infinity', '0x10', '007', '99999999999999999999', '8', '8.0001', '0.001', 'true', '[]', '{}', '%', '\u0000', 'u', 'png', 'jpeg', 'svgb', 'svg', 'JPG', 'docx', 'pdf', 'txt', '.txt', 'a/b', '../x'),
  fc.integer({ min: -5, max: 20000 }).map(String),
  fc.double({ noNaN: false }).map(String),
);

const QUERY_NAMES = ['ContentType', 'contenttype', 'Scale', 'Quality', 'DocumentID', 'DesiredPageCountConfidence', 'limit', 'continueToken', 'FileExtension', 'ContentDispositionFilename', 'contentDispositionFilename', 'MinSecondsAvailable', 'format', 'apikey'];

/** Query parameters: the documented names with wild values, repeats, random names; the key usually right. */
const queryParams = (extra: fc.Arbitrary<[string, string]>[] = []): fc.Arbitrary<[string, string][]> =>
  fc
    .tuple(
      fc.array(fc.oneof(fc.tuple(fc.constantFrom(...QUERY_NAMES), wildString), fc.tuple(fc.string({ maxLength: 10 }), wildString), ...extra), { maxLength: 5 }),
      fc.oneof({ weight: 5, arbitrary: fc.constant(KEY) }, { weight: 1, arbitrary: fc.constantFrom('', 'wrong', KEY.toUpperCase()) }, { weight: 1, arbitrary: fc.constant(undefined) }),
    )
    .map(([qs, key]) => (key === undefined ? qs : [...qs, ['apikey', key] as [string, string]]));

const documentId = (): fc.Arbitrary<[string, string]> => fc.oneof(fc.constant(['DocumentID', `u${ids.sid}`] as [string, string]), fc.constant(['DocumentID', `u${ids.cid}`] as [string, string]), fc.tuple(fc.constant('DocumentID'), wildString));

/** Header sets: the key (header) usually right; affinity headers; odd content types. */
const headerSet = fc.record(
  {
    'Acs-Api-Key': fc.constantFrom(KEY, KEY, KEY, 'nope', ''),
    'Accusoft-Affinity-Token': fc.constantFrom('x', 'not-a-token=='),
    'If-None-Match': fc.constantFrom('*', '"x"', 'W/"y"'),
  },
  { requiredKeys: [] },
);

/** Values that are never a reachable address: loopback (refused by the address guard) or not URLs at all. */
const SAFE_URLS = ['http://127.0.0.1:9/x.docx', 'http://[::1]:9/a', 'ftp://127.0.0.1/x', 'not a url', '', 'http://user:pw@127.0.0.1:9/', 'javascript:alert(1)', 'file:///etc/passwd', 'data:text/plain,hi'];

/** Replaces anything that could make Quire download from a non-loopback address. */
function neuter(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(neuter);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = /^(url[12]?|externalId)$/i.test(k) ? SAFE_URLS[0] : neuter(x);
    if (o.documentSource === 'http') o.externalId = SAFE_URLS[0];
    return o;
  }
  return v;
}

/** JSON bodies: arbitrary values, odd texts, and mutations of a valid body. */
function jsonBody(valid: unknown[]): fc.Arbitrary<Body> {
  const mutated = fc.tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('__proto__', 'constructor'))), { minLength: 1, maxLength: 3 })).map(([v, edits]) => {
    const copy = structuredClone(v) as any;
    for (const [n, value] of edits) mutateAt(copy, n, value);
    return copy;
  });
  // Deeply nested JSON, as text (a value that deep would overflow the stack of whoever prints it).
  const deep = fc.tuple(fc.integer({ min: 1000, max: 20000 }), fc.constantFrom('[', '{"a":')).map(([n, open]) => `{"origin":${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}}`);
  return fc.oneof(
    { weight: 4, arbitrary: mutated.map((value) => ({ kind: 'json', value: neuter(value) }) as Body) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'json', value: neuter(value) }) as Body) },
    { weight: 1, arbitrary: fc.constantFrom(...valid).map((value) => ({ kind: 'json', value: neuter(value) }) as Body) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '{"a":', 'null', '[]', '"x"', '{"__proto__": {"x": 1}}', '{"constructor": {"prototype": {}}}', '\u0000', 'not json').map((text) => ({ kind: 'text', text, type: 'application/json' }) as Body) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...valid), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=zz', 'application/json; charset=latin1', 'image/png')).map(([v, type]) => ({ kind: 'json', value: neuter(v), type }) as Body) },
    { weight: 1, arbitrary: deep.map((text) => ({ kind: 'text', text, type: 'application/json' }) as Body) },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' } as Body) },
  );
}

/** Sets (or with undefined deletes) the n-th key found walking the object, or adds a key. */
function mutateAt(root: any, n: number, value: unknown): void {
  const slots: [any, string | number][] = [];
  const walk = (v: any) => {
    if (Array.isArray(v)) v.forEach((x, i) => (slots.push([v, i]), walk(x)));
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) slots.push([v, k]), walk(v[k]);
  };
  walk(root);
  if (slots.length === 0 || n % (slots.length + 1) === slots.length) {
    if (root && typeof root === 'object' && !Array.isArray(root)) root[`extra${n % 5}`] = value;
    return;
  }
  const [parent, key] = slots[n % slots.length]!;
  if (value === undefined && !Array.isArray(parent)) delete parent[key];
  else parent[key] = value;
}

const rawBytes = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
  fc.constantFrom(Buffer.from('%PDF-1.4\n%garbage'), Buffer.from('PK\u0003\u0004garbage'), Buffer.from('<html><script>x</script>'), Buffer.from('\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1', 'latin1'), Buffer.alloc(0)),
);

// ---- the valid bodies the mutations start from -------------------------------------------------

const CREATE_BODIES = () => [
  {},
  { serverCaching: 'none', minSecondsAvailable: 60, password: 'x', countOfInitialPages: 2, startConverting: 'initialPages', contentType: 'png', render: { html5: { alwaysUseRaster: true, rasterResolution: 96 } } },
  { watermarks: [{ type: 'text', text: 'W', opacity: 0.5, color: 'red', fontSize: '16pt', rotation: 45 }, { type: 'image', imageWorkFileId: ids.fileId }] },
  { origin: { a: 1 }, externalId: 'x', documentSource: 'api', documentExtension: 'txt', tenantId: 't', attachmentIndex: 0, watermarkText: 'w' },
];
const STOP_BODIES = [{ httpStatus: 410, endUserMessage: 'gone' }, { httpStatus: 599, endUserMessage: 'ü' }];
const REPLACEMENT_BODIES = [{ password: 'p' }, { password: null }];
const SOURCE_REFS = () => [
  { refType: 'workFile', fileId: ids.fileId },
  { refType: 'comparison', original: { refType: 'workFile', fileId: ids.fileId }, revised: { refType: 'workFile', fileId: ids.fileId } },
];
const SEARCH_BODIES = [{ input: { searchTerms: [{ type: 'simple', pattern: 'line', caseSensitive: true, wholeWord: false, termId: 't', contextPadding: 5 }] } }];
const CONVERTER_BODIES = () => [
  { input: { sources: [{ fileId: ids.fileId, pages: '1', password: null }], dest: { format: 'png', pngOptions: { maxWidth: '80px' } } } },
  { input: { sources: [{ fileId: ids.fileId }], dest: { format: 'pdf', pdfOptions: { forceOneFilePerPage: true } } }, minSecondsAvailable: 60 },
  { input: { sources: [{ fileId: ids.fileId, pages: '1-1' }], dest: { format: 'jpeg', jpegOptions: { quality: 10, maxHeight: '50px' } } } },
];

// ---- PrizmDoc route families -------------------------------------------------------------------

function prizmdocRequests(): fc.Arbitrary<Req> {
  const req = (method: string, path: fc.Arbitrary<string>, body: fc.Arbitrary<Body> = fc.constant({ kind: 'none' } as Body), query = queryParams()) =>
    fc.record({ method: fc.constant(method), path, query, headers: headerSet, body }) as fc.Arbitrary<Req>;
  const sid = uId();
  const id = pathId([ids.sid, ids.cid]);
  const file = pathId([ids.fileId]);
  const pageN = fc.oneof(fc.constantFrom('0', '1', '00', '-1', '1000001', '999999999', '4294967296'), pathId(['0']));
  const pageQuery = queryParams([documentId(), documentId()]);
  const upload = fc.oneof(rawBytes.map((bytes) => ({ kind: 'bytes', bytes }) as Body), fc.constant({ kind: 'none' } as Body));
  return fc.oneof(
    req('POST', fc.constant(V1), jsonBody(CREATE_BODIES())),
    req('GET', sid.map((s) => `${V1}/${s}`)),
    req('DELETE', sid.map((s) => `${V1}/${s}`)),
    req('PUT', sid.map((s) => `${V1}/${s}/SourceFile`), upload),
    req('PUT', fc.tuple(id, fc.constantFrom('original', 'revised', 'Original', 'other')).map(([s, slot]) => `${V2}/${s}/sourceFile/${slot}`), upload),
    req('PUT', sid.map((s) => `${V1}/${s}/SourceRef`), jsonBody(SOURCE_REFS())),
    req('GET', sid.map((s) => `${V1}/${s}/SourceFile`)),
    req('GET', fc.tuple(id, fc.constantFrom('original', 'revised')).map(([s, slot]) => `${V2}/${s}/sourceFile/${slot}`)),
    req('GET', sid.map((s) => `${V1}/${s}/FileId`)),
    req('POST', sid.map((s) => `${V1}/${s}/Notification/SessionStarted`), jsonBody([{}])),
    req('POST', fc.tuple(sid, fc.constantFrom('SessionStopped', 'SessionErrored')).map(([s, n]) => `${V1}/${s}/Notification/${n}`), jsonBody(STOP_BODIES)),
    req('POST', sid.map((s) => `${V1}/${s}/Replacement`), jsonBody(REPLACEMENT_BODIES)),
    req('POST', fc.constant('/PCCIS/V1/WorkFile'), upload),
    req('GET', file.map((f) => `/PCCIS/V1/WorkFile/${f}`)),
    req('GET', file.map((f) => `/PCCIS/V1/WorkFile/${f}/Info`)),
    req('DELETE', file.map((f) => `/PCCIS/V1/WorkFile/${f}`)),
    req('GET', fc.tuple(fc.constantFrom('/PCCIS/V1', ''), pageN).map(([p, n]) => `${p}/Page/q/${n}`), undefined, pageQuery),
    req('GET', fc.tuple(pageN, fc.array(fc.oneof(fc.constantFrom('0', '1', '64', '8192', '8193', '-1', '1000001', 'x'), fc.nat().map(String)), { minLength: 4, maxLength: 4 })).map(([n, t]) => `/PCCIS/V1/Page/q/${n}/Tile/${t.join('/')}`), undefined, pageQuery),
    req('GET', fc.tuple(pageN, fc.oneof(fc.constantFrom('60x80', '0x0', '2049x10', '1x1', '10', 'x', '10x', 'x10', '99999x1'), wildString.map(encodeURIComponent))).map(([n, s]) => `/Page/q/${n}/${s}`), undefined, pageQuery),
    req('GET', pageN.map((n) => `/PCCIS/V1/Page/q/${n}/Attributes`), undefined, pageQuery),
    req('GET', fc.constantFrom('/PCCIS/V1/Document/q/Attributes', '/Document/q/Attributes'), undefined, pageQuery),
    req('GET', fc.oneof(fc.constantFrom('0-0', '0-1', '1-0', '0-999999', '0', '-', 'a-b', '999999-999999'), wildString.map(encodeURIComponent)).map((r) => `/PCCIS/V1/Document/q/${r}/Text`), undefined, pageQuery),
    req('POST', id.map((s) => `${V2}/${s}/searchTasks`), jsonBody(SEARCH_BODIES)),
    req('GET', pathId([ids.searchPid]).map((p) => `/v2/searchTasks/${p}`)),
    req('GET', pathId([ids.searchPid]).map((p) => `/v2/searchTasks/${p}/results`)),
    req('DELETE', pathId([ids.searchPid]).map((p) => `/v2/searchTasks/${p}`)),
    req('GET', id.map((s) => `${V2}/${s}/revisionData`)),
    req('GET', id.map((s) => `${V2}/${s}/redline`)),
    req('POST', fc.constant('/v2/contentConverters'), jsonBody(CONVERTER_BODIES())),
    req('GET', pathId([ids.convertPid]).map((p) => `/v2/contentConverters/${p}`)),
    req('GET', pathId([ids.sid]).map((s) => `/viewer/${s}`)),
    req('GET', fc.oneof(fc.constantFrom('quire-viewer.js', 'viewer-page.js', 'quire-viewer.css', 'favicon.svg'), pathId(['x'])).map((s) => `/viewer/assets/${s}`)),
    req('GET', fc.constant('/PCCIS/V1/Service/Current/Health')),
  );
}

// ---- Office Integrator route families ----------------------------------------------------------

const OFFICE_JSON_PARTS: Record<string, unknown[]> = {
  document_info: [{ document_name: 'n', document_id: 'fuzz-doc' }, { document_id: '..' }],
  user_info: [{ user_id: 'u1', display_name: 'U' }, { user_id: 5 }],
  permissions: [{ 'document.edit': false, 'document.print': true }],
  editor_settings: [{ unit: 'mm', language: 'en-US', view: 'pageview' }],
  ui_options: [{ save_button: 'hide', dark_mode: 'show' }],
  callback_settings: [{ save_format: 'docx', save_url: 'http://127.0.0.1:9/save', retries: 1, timeout: 10, save_url_params: { a: 'b' }, save_url_headers: { 'X-A': 'b' } }],
  document_defaults: [{ orientation: 'landscape', paper_size: 'A4', font_name: 'Arial', font_size: 12, track_changes: 'enabled', language: 'en', margin: { top: '1in', left: '2cm' } }],
  output_options: [{ format: 'pdf', document_name: 'out', include_changes: 'none', include_comments: 'none' }, { format: 'txt' }],
  watermark_settings: [{ type: 'text', text: 'W', orientation: 'horizontal', font_name: 'Arial', font_size: 20, font_color: '#f00', opacity: 40 }],
};
const OFFICE_TEXT_PARTS = ['password', 'output_format', 'title', 'lang', 'apikey'];
const FILE_PART_NAMES = ['document', 'document1', 'document2', 'content', 'file'];

/** A part's text: a valid or mutated JSON object, another JSON value, or text that is not JSON. */
const jsonPartValue = (name: string): fc.Arbitrary<string> => {
  const valid = OFFICE_JSON_PARTS[name] ?? [{}];
  return fc.oneof(
    { weight: 3, arbitrary: jsonBody(valid).map((b) => (b.kind === 'json' ? JSON.stringify(b.value) ?? '' : b.kind === 'text' ? b.text : '')) },
    { weight: 1, arbitrary: wildString },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":1', '[1,2]', 'null', '"str"', '42', 'true', '{"__proto__":{"polluted":1}}', '{"constructor":1,"toString":2}') },
  );
};

const filePart = (name: fc.Arbitrary<string>): fc.Arbitrary<Part> =>
  fc.record({
    name,
    file: fc.oneof({ weight: 4, arbitrary: rawBytes.map((b) => Buffer.from(b)) }, { weight: 1, arbitrary: fc.constant(bytesOf(DOCX)) }),
    filename: fc.option(fc.constantFrom('a.docx', 'a.txt', 'a.pdf', '../../x.docx', 'ü.odt', 'noext', ''), { nil: undefined }),
    type: fc.constantFrom('application/octet-stream', 'text/plain', 'application/pdf'),
  });

const formParts: fc.Arbitrary<Part[]> = fc
  .array(
    fc.oneof(
      fc.constantFrom(...Object.keys(OFFICE_JSON_PARTS)).chain((name) => jsonPartValue(name).map((value) => ({ name, value }))),
      fc.record({ name: fc.constantFrom(...OFFICE_TEXT_PARTS), value: wildString }),
      fc.record({ name: fc.constantFrom('url', 'url1', 'url2'), value: fc.constantFrom(...SAFE_URLS) }),
      fc.record({ name: fc.oneof(fc.string({ maxLength: 12 }).filter((s) => !/["\r\n\\]/.test(s) && !/^url/i.test(s)), fc.constantFrom(...FILE_PART_NAMES)), value: wildString }),
      filePart(fc.oneof(fc.constantFrom(...FILE_PART_NAMES), fc.constantFrom('attachment', 'x', 'document_info'))),
    ),
    { maxLength: 6 },
  )
  .chain((parts) => fc.constantFrom<Part[]>([{ name: 'apikey', value: KEY }, ...parts], parts, [...parts, { name: 'apikey', value: KEY }]));

/** The same parameters as a JSON object or urlencoded (no files): urls neutered again. */
const formBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 4, arbitrary: formParts.map((parts) => ({ kind: 'multipart', parts }) as Body) },
  {
    weight: 1,
    arbitrary: formParts.map((parts) => {
      const o: Record<string, unknown> = {};
      for (const p of parts) if ('value' in p) o[p.name] = /^url/.test(p.name) ? SAFE_URLS[0] : p.value;
      return { kind: 'text', text: new URLSearchParams(o as Record<string, string>).toString(), type: 'application/x-www-form-urlencoded' } as Body;
    }),
  },
  { weight: 1, arbitrary: jsonBody([{ document_info: { document_name: 'j' }, permissions: { 'document.edit': true } }, { output_options: { format: 'pdf' } }]) },
  { weight: 1, arbitrary: rawBytes.map((bytes) => ({ kind: 'bytes', bytes, type: 'application/octet-stream' }) as Body) },
);

function officeRequests(): fc.Arbitrary<Req> {
  const keyQuery = fc.oneof({ weight: 3, arbitrary: fc.constant<[string, string][]>([['apikey', KEY]]) }, { weight: 1, arbitrary: queryParams() });
  const req = (method: string, path: fc.Arbitrary<string>, body: fc.Arbitrary<Body> = fc.constant({ kind: 'none' } as Body), query: fc.Arbitrary<[string, string][]> = keyQuery) =>
    fc.record({ method: fc.constant(method), path, query, headers: fc.constant({}), body }) as fc.Arbitrary<Req>;
  const session = pathId([ids.officeSession]);
  const doc = pathId([ids.officeDocument]);
  const noKeyQuery = fc.oneof(fc.constant<[string, string][]>([]), queryParams());
  return fc.oneof(
    req('POST', fc.constantFrom('documents', 'document/preview', 'document/compare', 'document/convert', 'document/watermark').map((p) => `${OV1}/${p}`), formBody, fc.oneof(keyQuery, fc.constant<[string, string][]>([]))),
    req('POST', fc.constantFrom('templates', 'fields', 'document/merge', 'document/merge/webhook', 'fillabletemplates', 'fillabletemplates/fillablelink', 'document/combine').map((p) => `${OV1}/${p}`), formBody),
    req('GET', session.map((s) => `${OV1}/sessions/${s}`)),
    req('DELETE', session.map((s) => `${OV1}/sessions/${s}`)),
    req('GET', doc.map((d) => `${OV1}/documents/${d}`)),
    req('GET', doc.map((d) => `${OV1}/documents/${d}/sessions`)),
    req('DELETE', doc.map((d) => `${OV1}/documents/${d}`)),
    req('GET', fc.tuple(session, fc.constantFrom('edit', 'preview', 'compare')).map(([s, k]) => `${OV1}/documents/${s}/${k}`), undefined, noKeyQuery),
    req('POST', session.map((s) => `${OV1}/documents/${s}/save`), fc.oneof(formBody, rawBytes.map((bytes) => ({ kind: 'bytes', bytes }) as Body)), noKeyQuery),
    req('GET', fc.constant('/api/v1/plan')),
  );
}

// ---- the properties ------------------------------------------------------------------------------

describe('fuzz', () => {
  test('PrizmDoc routes: no 5xx but 580, JSON errors in the PrizmDoc shape, no hang', async () => {
    await fc.assert(fc.asyncProperty(prizmdocRequests(), send), { seed: SEED, numRuns: Math.round(900 * SCALE), endOnFailure: true });
  });

  test('Office Integrator routes: HTTP 400 with a documented code, HTML for ended links, no hang', async () => {
    await fc.assert(fc.asyncProperty(officeRequests(), send), { seed: SEED + 1, numRuns: Math.round(500 * SCALE), endOnFailure: true });
  });

  test('the answers behind the bugs this fuzz found, as fixed examples', async () => {
    const long = 'a'.repeat(300);
    // An id past the router's 256-character limit: Fastify answered 414 in its own shape.
    const tooLong = await call(q, 'GET', `${V1}/u${long}`, { headers: H });
    assert.equal(tooLong.status, 404);
    assert.equal(tooLong.body.errorCode, 'NotFound');
    assertOffice(await call(q, 'GET', `${OV1}/sessions/${long}?apikey=${KEY}`), 1831);
    // A path that is not valid percent-encoding: Fastify answered 400 in its own shape.
    const badUrl = await call(q, 'GET', `${V1}/u%E0%A4%A`, { headers: H });
    assert.equal(badUrl.status, 480);
    assert.equal(badUrl.body.errorCode, 'InvalidInput');
    assert.equal(badUrl.body.errorDetails.in, 'path');
    assertOffice(await call(q, 'GET', `${OV1}/sessions/%E0%A4%A?apikey=${KEY}`), 1831);
    // An unknown Writer route answered 404 in the PrizmDoc shape, which the SDK cannot read.
    assertOffice(await call(q, 'GET', `${OV1}/preview?apikey=${KEY}`), 1838);
    // A body that does not match its multipart header was an internal error (1801).
    assertOffice(await call(q, 'POST', `${OV1}/documents/${ids.officeSession}/save`, { body: '{"a":1}', headers: { 'content-type': 'multipart/form-data; boundary=zz' } }), 1831);
    assertOffice(await call(q, 'POST', `${OV1}/documents?apikey=${KEY}`, { body: '--zz\r\nContent-Disposition: form-data; name="x"\r\n\r\nunterminated', headers: { 'content-type': 'multipart/form-data; boundary=zz' } }), 1831);
    // JSON nested thousands of levels deep overflowed the stack where it was stored or re-serialised (500 / 1801).
    const deep = (n: number) => `{"origin":${'{"a":'.repeat(n)}{}${'}'.repeat(n)}}`;
    const created = await call(q, 'POST', V1, { body: deep(5000), headers: { ...H, 'content-type': 'application/json' } });
    assert.equal(created.status, 480, JSON.stringify(created.body));
    assert.equal(created.body.errorCode, 'InvalidInput');
    assert.equal((await call(q, 'POST', V1, { body: deep(20), headers: { ...H, 'content-type': 'application/json' } })).status, 200, 'ordinary nesting is fine');
    assertOffice(await call(q, 'POST', `${OV1}/document/convert?apikey=${KEY}`, { body: deep(5000), headers: { 'content-type': 'application/json' } }), 1831);
    // A file that is only the 8-byte OLE2 signature: detection read its header past the end (500 / 1801).
    const ole2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    const wf = await call(q, 'POST', '/PCCIS/V1/WorkFile', { body: ole2, headers: H });
    assert.equal(wf.status, 200, JSON.stringify(wf.body));
    const session = await createSession(q, {}, H);
    const upload = await uploadSource(q, session, ole2, { headers: H });
    assert.equal(upload.status, 580, JSON.stringify(upload.body));
    assert.equal(upload.body.errorCode, 'UnrecognizedFileFormat');
    assertOffice(await postForm(q, `${OV1}/documents?apikey=${KEY}`, [{ name: 'document', file: ole2 }]), 1852);
    // Keys named like Object.prototype's members found its members as "rules" and passed unchecked.
    for (const key of ['constructor', 'toString', 'hasOwnProperty']) {
      const r = await postForm(q, `${OV1}/documents?apikey=${KEY}`, [{ name: 'permissions', value: JSON.stringify({ [key]: true }) }]);
      assertOffice(r, 1832);
      assert.equal(r.body.key_name, key);
    }
  });

  test('afterwards the server is alive, healthy and converts a new document', async () => {
    // The generators reach past the routers and validators: a fair share of requests succeeded.
    const succeeded = [...statuses].filter(([s]) => s >= 200 && s < 300).reduce((n, [, c]) => n + c, 0);
    assert.ok(succeeded >= requests * 0.05, `only ${succeeded} of ${requests} requests succeeded`);
    assert.ok((statuses.get(480) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, JSON.stringify([...statuses]));
    assert.equal(q.process.exitCode, null, 'the process is still running');
    assert.equal(q.process.signalCode, null);
    assert.equal((await call(q, 'GET', '/PCCIS/V1/Service/Current/Health')).status, 200);
    const id = await createSession(q, { serverCaching: 'none' }, H);
    assert.equal((await uploadSource(q, id, Buffer.from(`After the fuzz ${Date.now()}\n`), { ext: 'txt', headers: H })).status, 200);
    const page = await call(q, 'GET', `/PCCIS/V1/Page/q/0?DocumentID=u${id}&ContentType=png`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'image/png');
    const o = await postForm(q, `${OV1}/documents?apikey=${KEY}`, []);
    assert.equal(o.status, 200, JSON.stringify(o.body));
    assert.doesNotMatch(q.output(), /"level":(50|60)[,}][^\n]*"msg":"internal error"/, 'no internal error was logged');
  });
});
