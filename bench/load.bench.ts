// Load bench (hardening issue): a bounded load run on loopback. N virtual clients (default 100) loop a
// viewer's flow against one real Quire for a fixed time (default 60 s): create a session, upload a
// corpus document (mostly documents others already viewed, so cache hits; some fresh bytes that must be
// converted), then document attributes, page 0 as SVG, a PNG page or a thumbnail, page text, and now and
// then a search, the session's metadata, a work file round trip or SessionStopped. Every answer is
// checked against the codes docs/api-prizmdoc.md documents for its route; anything else (500, 503, a
// socket error, a timeout, an error body that is not JSON, a 200 whose body is wrong) fails the bench.
// Latencies are also given as a ratio to the same flow run by a single client just before the load,
// which moves less with the machine than absolute figures do.
//
// `npm run bench -- load [--connections=N] [--duration=S]`; without them 100 clients for 60 s.
// (Environment LOAD_CLIENTS / LOAD_SECONDS work too; LOAD_FRESH_SHARE=0..1 sets the share of sessions
// uploading never-seen bytes, default 0.1: 1 makes every session a conversion, to test back-pressure.) The run is bounded: no request starts after the
// deadline, each request has a time limit, and the whole phase has a hard cap.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { docxBytes } from '../test/helpers/comparison-docs.ts';
import { CORPUS, startQuire, type Quire } from '../test/helpers/quire.ts';
import { peakRssBytes, rssBytes, treeMemoryBytes } from './lib/memory.ts';
import { cpuSeconds, machineBusySeconds, onCleanup, track } from './lib/processes.ts';
import { treeCpuSeconds } from './lib/process-tree.ts';
import type { Bench, BenchContext, BenchReport } from './lib/types.ts';

const V1 = '/PCCIS/V1/ViewingSession';
const DEFAULT_CLIENTS = 100;
const DEFAULT_SECONDS = 60;
/** A request not answered completely within this is a failure (a conversion is limited to 60 s by default). */
const REQUEST_TIMEOUT_MS = 90_000;
/** Past deadline + this, whatever is still running is aborted and the run fails. */
const HARD_CAP_GRACE_MS = REQUEST_TIMEOUT_MS + 30_000;
const SEARCH_POLLS = 25;
const SEARCH_POLL_MS = 200;
const MEMORY_SAMPLE_MS = 1000;
/** Share of sessions uploading bytes nobody uploaded before (a conversion each); LOAD_FRESH_SHARE changes it. */
const DEFAULT_FRESH_SHARE = 0.1;
const P_SESSION_STARTED = 0.5;
const P_SEARCH = 0.4;
const P_SESSION_GET = 0.3;
const P_WORK_FILE = 0.1;
const P_STOP = 0.15;
/** Statuses docs/api-prizmdoc.md documents for failures on every route: always with a JSON body. 503 is
 *  back-pressure (a full engine queue) and must come with Retry-After, which the clients then honour. */
const DOCUMENTED_ERRORS = new Set([401, 403, 404, 413, 480, 503, 580]);
const CREATE_JSON = JSON.stringify({ render: { flash: { optimizationLevel: 1 }, html5: { alwaysUseRaster: false } } });

const POOL_FILES: { path: string; ext: string }[] = [
  { path: 'docx/pydocx-having-images.docx', ext: 'docx' },
  { path: 'docx/mammoth-tables.docx', ext: 'docx' },
  { path: 'docx/pydocx-test.docx', ext: 'docx' },
  { path: 'docx/pydocx-hdr-header-footer.docx', ext: 'docx' },
  { path: 'pdf/simple4.pdf', ext: 'pdf' },
  { path: 'pdf/contrib-pagelabels.pdf', ext: 'pdf' },
  { path: 'pdf/font-size-test.pdf', ext: 'pdf' },
  { path: 'pdf/scancode-patchelf.pdf', ext: 'pdf' },
  { path: 'xlsx/pypptx-chart-data.xlsx', ext: 'xlsx' },
  { path: 'pptx/pypptx-test_slides.pptx', ext: 'pptx' },
  { path: 'pptx/pypptx-shp-shapes.pptx', ext: 'pptx' },
];

const KINDS = [
  'create',
  'upload',
  'sessionStarted',
  'docAttributes',
  'pageSvg',
  'pagePng',
  'thumbnail',
  'text',
  'searchStart',
  'searchResults',
  'sessionGet',
  'workFileCreate',
  'workFileGet',
  'sessionStopped',
  'afterStop',
] as const;
type Kind = (typeof KINDS)[number];

const LABEL: Record<Kind, string> = {
  create: '`POST ViewingSession`',
  upload: '`PUT …/SourceFile`',
  sessionStarted: '`POST …/Notification/SessionStarted`',
  docAttributes: '`GET Document/q/Attributes`',
  pageSvg: '`GET Page/q/0` svgb',
  pagePng: '`GET Page/q/{0-2}` png',
  thumbnail: '`GET Page/q/0/200x200`',
  text: '`GET Document/q/0-0/Text`',
  searchStart: '`POST …/searchTasks`',
  searchResults: '`GET searchTasks/{pid}/results`',
  sessionGet: '`GET ViewingSession/u{id}`',
  workFileCreate: '`POST WorkFile`',
  workFileGet: '`GET WorkFile/{id}`',
  sessionStopped: '`POST …/Notification/SessionStopped`',
  afterStop: '`GET Page/q/0` after stop (403)',
};

/** What a route answers when all goes well (afterStop: the status SessionStopped chose). */
const EXPECTED: Record<Kind, number[]> = {
  create: [200],
  upload: [200],
  sessionStarted: [200],
  docAttributes: [200],
  pageSvg: [200, 304],
  pagePng: [200, 304],
  thumbnail: [200, 304],
  text: [200],
  searchStart: [200],
  searchResults: [200],
  sessionGet: [200],
  workFileCreate: [200],
  workFileGet: [200],
  sessionStopped: [200],
  afterStop: [403],
};

interface Doc {
  name: string;
  ext: string;
  bytes: Buffer;
  /** A word of its first page, for search tasks. */
  term: string;
  fresh: boolean;
}

interface Answer {
  status: number;
  type: string;
  retryAfter: string | undefined;
  body: Buffer;
  ms: number;
}

interface KindStats {
  latencies: number[];
  /** Answers that arrived before the deadline (the throughput's numerator). */
  inWindow: number;
  statuses: Map<string, number>;
}

interface Examples {
  count: number;
  examples: string[];
}

/** Everything a phase saw: per route kind, latencies and statuses; failures grouped with examples. */
class Recorder {
  readonly kinds = new Map<Kind, KindStats>(KINDS.map((k) => [k, { latencies: [], inWindow: 0, statuses: new Map() }]));
  /** Outside the documented codes, socket errors, timeouts, bad bodies: each fails the bench. */
  readonly failures = new Map<string, Examples>();
  /** Documented error answers the flow did not expect (a 580 for a good document, say). */
  readonly unexpected = new Map<string, Examples>();
  /** Back-pressure: 503 EngineBusy with Retry-After (documented; the client waits as told). */
  readonly busy = new Map<string, Examples>();
  readonly flows = { cached: [] as number[], fresh: [] as number[] };
  /** Latencies of the requests of sessions with fresh bytes (which wait for their conversion). */
  readonly freshLatencies = new Map<Kind, number[]>();
  started = 0;
  deadline = Infinity;

  answer(kind: Kind, a: Answer, end: number, fresh: boolean): void {
    const s = this.kinds.get(kind)!;
    s.latencies.push(a.ms);
    if (fresh) {
      const list = this.freshLatencies.get(kind);
      if (list) list.push(a.ms);
      else this.freshLatencies.set(kind, [a.ms]);
    }
    if (end <= this.deadline) s.inWindow++;
    const key = String(a.status);
    s.statuses.set(key, (s.statuses.get(key) ?? 0) + 1);
  }

  error(kind: Kind, what: string, ms: number): void {
    const s = this.kinds.get(kind)!;
    s.latencies.push(ms);
    s.statuses.set('error', (s.statuses.get('error') ?? 0) + 1);
    note(this.failures, `${kind}: ${what.split(':')[0]}`, what);
  }
}

function note(map: Map<string, Examples>, key: string, example: string): void {
  const e = map.get(key) ?? { count: 0, examples: [] };
  e.count++;
  if (e.examples.length < 3) e.examples.push(example.slice(0, 300));
  map.set(key, e);
}

/** The flow ends here (deadline passed, or an answer that leaves nothing to view). */
class EndFlow extends Error {
  /** The server asked to come back later (Retry-After), ms. */
  readonly retryAfterMs: number;
  constructor(retryAfterMs = 0) {
    super('end of flow');
    this.retryAfterMs = retryAfterMs;
  }
}

interface Request {
  method: string;
  path: string;
  body?: Buffer | string;
  json?: boolean;
}

function send(agent: http.Agent, base: URL, r: Request): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const headers: Record<string, string | number> = {};
    if (r.body !== undefined) {
      headers['content-type'] = r.json ? 'application/json' : 'application/octet-stream';
      headers['content-length'] = Buffer.byteLength(r.body);
    }
    const req = http.request({ agent, host: base.hostname, port: base.port, method: r.method, path: r.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), retryAfter: res.headers['retry-after'], body: Buffer.concat(chunks), ms: performance.now() - t0 });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`timeout: no complete answer within ${REQUEST_TIMEOUT_MS / 1000} s`)), REQUEST_TIMEOUT_MS);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(r.body);
  });
}

/** Small deterministic generator per client, so a run's mix is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checks a 200's body for its route; returns a reason when it is wrong. */
function badBody(kind: Kind, a: Answer): string | undefined {
  if (a.status === 304) return undefined;
  const json = () => JSON.parse(a.body.toString('utf8')) as Record<string, unknown>;
  try {
    switch (kind) {
      case 'create':
        return typeof json().viewingSessionId === 'string' ? undefined : 'no viewingSessionId';
      case 'docAttributes': {
        const n = json().pageCount;
        return typeof n === 'number' && n >= 1 ? undefined : `pageCount ${String(n)}`;
      }
      case 'pageSvg':
        return a.type.startsWith('image/svg+xml') && a.body.includes('<svg') ? undefined : `not an SVG (${a.type}, ${a.body.length} B)`;
      case 'pagePng':
      case 'thumbnail':
        return a.type.startsWith('image/png') && a.body.subarray(1, 4).toString('latin1') === 'PNG' ? undefined : `not a PNG (${a.type}, ${a.body.length} B)`;
      case 'text':
        return Array.isArray(json().pages) ? undefined : 'no pages array';
      case 'searchStart':
        return typeof json().processId === 'string' ? undefined : 'no processId';
      case 'searchResults':
        return Array.isArray(json().results) && typeof json().state === 'string' ? undefined : 'no results/state';
      case 'sessionGet':
        return json().creationTime !== undefined ? undefined : 'no creationTime';
      case 'workFileCreate':
        return typeof json().fileId === 'string' ? undefined : 'no fileId';
      default:
        return undefined;
    }
  } catch {
    return `unparseable body (${a.type}, ${a.body.length} B)`;
  }
}

/** An error answer within the documented set must be JSON with an errorCode; returns that code. */
function documentedError(a: Answer): string | undefined {
  if (!DOCUMENTED_ERRORS.has(a.status) || !a.type.includes('json')) return undefined;
  try {
    const code = (JSON.parse(a.body.toString('utf8')) as { errorCode?: unknown }).errorCode;
    if (a.status === 503 && !(code === 'EngineBusy' && /^\d+$/.test(a.retryAfter ?? ''))) return undefined;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

interface Client {
  agent: http.Agent;
  base: URL;
  rec: Recorder;
  random: () => number;
  pool: Doc[];
  fresh: (random: () => number) => Doc;
  freshShare: number;
  /** The current flow uploaded fresh bytes. */
  inFresh: boolean;
  /** No request starts after this (performance.now() ms). */
  deadline: number;
}

/** One request of the flow: recorded, classified; returns the answer when it is the expected one. */
async function step(c: Client, kind: Kind, r: Request): Promise<Answer> {
  if (performance.now() >= c.deadline) throw new EndFlow();
  const t0 = performance.now();
  let a: Answer;
  try {
    a = await send(c.agent, c.base, r);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    c.rec.error(kind, `${e.code ?? e.message}: ${r.method} ${r.path.slice(0, 80)} after ${(performance.now() - t0).toFixed(0)} ms`, performance.now() - t0);
    throw new EndFlow();
  }
  c.rec.answer(kind, a, performance.now(), c.inFresh);
  const where = `${r.method} ${r.path.slice(0, 90)}`;
  if (EXPECTED[kind].includes(a.status)) {
    const bad = badBody(kind, a);
    if (bad) note(c.rec.failures, `${kind}: ${a.status} with a wrong body`, `${where}: ${bad}`);
    if (bad) throw new EndFlow();
    return a;
  }
  const code = documentedError(a);
  if (code === undefined) {
    const snippet = a.body.toString('utf8', 0, 160).replace(/\s+/g, ' ');
    const why = a.status === 503 ? ' without EngineBusy and Retry-After' : DOCUMENTED_ERRORS.has(a.status) ? ' without a JSON errorCode' : '';
    note(c.rec.failures, `${kind}: ${a.status}${why}`, `${where} → ${a.status} ${a.type} retry-after ${a.retryAfter ?? '-'} ${snippet}`);
  } else if (a.status === 503) {
    note(c.rec.busy, `${kind}: ${a.status} ${code}`, `${where} → Retry-After ${a.retryAfter}`);
    throw new EndFlow(Number(a.retryAfter) * 1000);
  } else {
    note(c.rec.unexpected, `${kind}: ${a.status} ${code}`, `${where} → ${a.body.toString('utf8', 0, 200)}`);
  }
  throw new EndFlow();
}

const jsonOf = (a: Answer) => JSON.parse(a.body.toString('utf8')) as Record<string, any>;

/** A viewer's session from creation to (sometimes) its end. */
async function flow(c: Client): Promise<void> {
  const r = c.random;
  const doc = r() < c.freshShare ? c.fresh(r) : c.pool[Math.floor(r() * c.pool.length)]!;
  c.inFresh = doc.fresh;
  const t0 = performance.now();
  const created = await step(c, 'create', { method: 'POST', path: V1, body: CREATE_JSON, json: true });
  const id = String(jsonOf(created).viewingSessionId);
  const q = `DocumentID=u${id}`;
  await step(c, 'upload', { method: 'PUT', path: `${V1}/u${id}/SourceFile?FileExtension=${doc.ext}`, body: doc.bytes });
  if (r() < P_SESSION_STARTED) await step(c, 'sessionStarted', { method: 'POST', path: `${V1}/u${id}/Notification/SessionStarted`, body: '{}', json: true });
  const attrs = await step(c, 'docAttributes', { method: 'GET', path: `/PCCIS/V1/Document/q/Attributes?${q}` });
  const pageCount = Number(jsonOf(attrs).pageCount);
  await step(c, 'pageSvg', { method: 'GET', path: `/PCCIS/V1/Page/q/0?${q}&ContentType=svgb` });
  (doc.fresh ? c.rec.flows.fresh : c.rec.flows.cached).push(performance.now() - t0);
  if (r() < 0.5) {
    const n = Math.floor(r() * Math.min(pageCount, 3));
    await step(c, 'pagePng', { method: 'GET', path: `/PCCIS/V1/Page/q/${n}?${q}&ContentType=png&Scale=0.5` });
  } else {
    await step(c, 'thumbnail', { method: 'GET', path: `/PCCIS/V1/Page/q/0/200x200?${q}` });
  }
  await step(c, 'text', { method: 'GET', path: `/PCCIS/V1/Document/q/0-0/Text?${q}` });
  if (r() < P_SEARCH) {
    const body = JSON.stringify({ input: { searchTerms: [{ type: 'simple', pattern: doc.term, caseSensitive: false }] } });
    const started = await step(c, 'searchStart', { method: 'POST', path: `/v2/viewingSessions/${id}/searchTasks`, body, json: true });
    const pid = String(jsonOf(started).processId);
    for (let i = 0; i < SEARCH_POLLS; i++) {
      const res = await step(c, 'searchResults', { method: 'GET', path: `/v2/searchTasks/${pid}/results` });
      if (jsonOf(res).state !== 'processing') break;
      await sleep(SEARCH_POLL_MS);
    }
  }
  if (r() < P_SESSION_GET) await step(c, 'sessionGet', { method: 'GET', path: `${V1}/u${id}` });
  if (r() < P_WORK_FILE) {
    const wf = await step(c, 'workFileCreate', { method: 'POST', path: `/PCCIS/V1/WorkFile?FileExtension=${doc.ext}`, body: doc.bytes });
    const got = await step(c, 'workFileGet', { method: 'GET', path: `/PCCIS/V1/WorkFile/${String(jsonOf(wf).fileId)}` });
    if (!got.body.equals(doc.bytes)) note(c.rec.failures, 'workFileGet: 200 with other bytes than uploaded', `${doc.name}: ${got.body.length} B back, ${doc.bytes.length} B sent`);
  }
  if (r() < P_STOP) {
    await step(c, 'sessionStopped', { method: 'POST', path: `${V1}/u${id}/Notification/SessionStopped`, body: JSON.stringify({ httpStatus: 403, endUserMessage: 'Closed by the load bench' }), json: true });
    await step(c, 'afterStop', { method: 'GET', path: `/PCCIS/V1/Page/q/0?${q}&ContentType=svgb` });
  }
}

async function clientLoop(c: Client, startDelayMs: number): Promise<number> {
  await sleep(startDelayMs);
  let flows = 0;
  while (performance.now() < c.deadline) {
    try {
      await flow(c);
      flows++;
    } catch (err) {
      if (!(err instanceof EndFlow)) throw err;
      // As a well-behaved client: wait as long as the server asked (but not past the deadline).
      if (err.retryAfterMs > 0) await sleep(Math.max(0, Math.min(err.retryAfterMs, c.deadline - performance.now())));
    }
  }
  return flows;
}

interface PhaseResult {
  rec: Recorder;
  seconds: number;
  wallSeconds: number;
  flows: number;
  clients: number;
  quireCpu: number;
  treeCpu: number;
  loadgenCpu: number;
  machineCpu: number;
  memory: { t: number; quireRss: number; tree: number; processes: number }[];
}

async function runPhase(quire: Quire, pool: Doc[], fresh: Client['fresh'], freshShare: number, clients: number, seconds: number, seed: number, log: (l: string) => void): Promise<PhaseResult> {
  const base = new URL(quire.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients });
  const rec = new Recorder();
  const pid = quire.process.pid!;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  rec.deadline = deadline;
  const cpu0 = { quire: cpuSeconds(pid), tree: treeCpuSeconds(pid), self: process.cpuUsage(), machine: machineBusySeconds() };
  const memory: PhaseResult['memory'] = [];
  const sample = () => {
    const t = treeMemoryBytes(pid);
    memory.push({ t: (performance.now() - start) / 1000, quireRss: rssBytes(pid) ?? 0, tree: t.bytes, processes: t.processes });
  };
  sample();
  const sampler = setInterval(sample, MEMORY_SAMPLE_MS);
  let lastLog = start;
  const progress = setInterval(() => {
    const done = [...rec.kinds.values()].reduce((n, k) => n + k.latencies.length, 0);
    const failed = [...rec.failures.values()].reduce((n, e) => n + e.count, 0);
    const now = performance.now();
    if (now - lastLog >= 9_500) {
      lastLog = now;
      log(`  ${((now - start) / 1000).toFixed(0)} s: ${done} answers, ${failed} failures, Quire RSS ${mb(rssBytes(pid) ?? 0)} MB`);
    }
  }, 1000);
  let hardCap: NodeJS.Timeout | undefined;
  try {
    // Clients start spread over the first second, as viewers arrive, not in one instant.
    const loops = Array.from({ length: clients }, (_, i) =>
      clientLoop({ agent, base, rec, random: rng(seed * 1000 + i), pool, fresh, freshShare, inFresh: false, deadline }, clients > 1 ? (i * 1000) / clients : 0),
    );
    const capped = new Promise<never>((_, rej) => {
      hardCap = setTimeout(() => rej(new Error(`the clients were still running ${HARD_CAP_GRACE_MS / 1000} s past the deadline`)), seconds * 1000 + HARD_CAP_GRACE_MS);
    });
    const flows = (await Promise.race([Promise.all(loops), capped])).reduce((a, b) => a + b, 0);
    const wallSeconds = (performance.now() - start) / 1000;
    const self = process.cpuUsage(cpu0.self);
    sample();
    return {
      rec,
      seconds,
      wallSeconds,
      flows,
      clients,
      quireCpu: cpuSeconds(pid) - cpu0.quire,
      treeCpu: treeCpuSeconds(pid) - cpu0.tree,
      loadgenCpu: (self.user + self.system) / 1e6,
      machineCpu: machineBusySeconds() - cpu0.machine,
      memory,
    };
  } finally {
    clearTimeout(hardCap);
    clearInterval(sampler);
    clearInterval(progress);
    agent.destroy();
  }
}

/** A small PNG that looks like a scanned page: text on white. */
async function pagePng(): Promise<Buffer> {
  const lines = Array.from({ length: 12 }, (_, i) => `<text x="60" y="${120 + i * 44}" font-family="DejaVu Sans" font-size="26">Quarterly review line ${i + 1}: figures and notes</text>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="850" height="1100"><rect width="850" height="1100" fill="#fff"/><text x="60" y="70" font-family="DejaVu Sans" font-size="36" font-weight="bold">Scanned page</text>${lines.join('')}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Bytes nobody uploaded before: a TXT or a generated DOCX carrying a nonce, so each is converted. */
function freshDoc(random: () => number): Doc {
  const nonce = randomBytes(8).toString('hex');
  if (random() < 0.5) {
    const text = `Load bench document ${nonce}\n\n${'The quick brown fox jumps over the lazy dog. '.repeat(40)}\n`;
    return { name: `fresh.txt`, ext: 'txt', bytes: Buffer.from(text), term: 'lazy dog', fresh: true };
  }
  const bytes = docxBytes(
    [
      { p: [`Load bench document ${nonce}`], heading: true },
      { p: ['A paragraph with a ', { text: 'bold', bold: true }, ' word and some searchable text about invoices.'] },
      { table: [['item', 'amount'], ['paper', '12'], ['ink', '30']] },
    ],
    { header: `nonce ${nonce}` },
  );
  return { name: 'fresh.docx', ext: 'docx', bytes: Buffer.from(bytes), term: 'invoices', fresh: true };
}

/** Uploads every pool document once and draws what the flow asks for (so the load finds them converted, as a busy server would); picks a search term from its text. */
async function preparePool(quire: Quire, log: (l: string) => void): Promise<Doc[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const base = new URL(quire.baseUrl);
  const docs: Doc[] = [
    ...POOL_FILES.map((f) => ({ name: f.path.split('/').pop()!, ext: f.ext, bytes: readFileSync(join(CORPUS, f.path)), term: '', fresh: false })),
    { name: 'generated-page.png', ext: 'png', bytes: await pagePng(), term: 'review', fresh: false },
  ];
  try {
    for (const d of docs) {
      const t0 = performance.now();
      const must = async (r: Request) => {
        const a = await send(agent, base, r);
        if (a.status !== 200) throw new Error(`${d.name}: ${r.method} ${r.path} answered ${a.status} ${a.body.toString('utf8', 0, 200)}`);
        return a;
      };
      const id = String(jsonOf(await must({ method: 'POST', path: V1, body: CREATE_JSON, json: true })).viewingSessionId);
      await must({ method: 'PUT', path: `${V1}/u${id}/SourceFile?FileExtension=${d.ext}`, body: d.bytes });
      const pages = Number(jsonOf(await must({ method: 'GET', path: `/PCCIS/V1/Document/q/Attributes?DocumentID=u${id}` })).pageCount);
      await must({ method: 'GET', path: `/PCCIS/V1/Page/q/0?DocumentID=u${id}&ContentType=svgb` });
      // Every page variant the flow asks for, so the single-client reference measures cache hits too.
      for (let n = 0; n < Math.min(pages, 3); n++) await must({ method: 'GET', path: `/PCCIS/V1/Page/q/${n}?DocumentID=u${id}&ContentType=png&Scale=0.5` });
      await must({ method: 'GET', path: `/PCCIS/V1/Page/q/0/200x200?DocumentID=u${id}` });
      const text = String(jsonOf(await must({ method: 'GET', path: `/PCCIS/V1/Document/q/0-0/Text?DocumentID=u${id}` })).pages?.[0]?.text ?? '');
      if (!d.term) d.term = /[A-Za-z]{5,}/.exec(text)?.[0] ?? 'page';
      log(`  ${d.name}: ${pages} pages, ${d.bytes.length} B, search term "${d.term}", ready in ${(performance.now() - t0).toFixed(0)} ms`);
    }
  } finally {
    agent.destroy();
  }
  return docs;
}

/** After the load: still healthy, and a new document still converts (no engine left wedged). */
async function afterLoad(quire: Quire): Promise<string[]> {
  const problems: string[] = [];
  const agent = new http.Agent({ keepAlive: false });
  const base = new URL(quire.baseUrl);
  try {
    const health = await send(agent, base, { method: 'GET', path: '/PCCIS/V1/Service/Current/Health' });
    if (health.status !== 200) problems.push(`health answered ${health.status}`);
    const doc = freshDoc(rng(7));
    const t0 = performance.now();
    const id = String(jsonOf(await send(agent, base, { method: 'POST', path: V1, body: CREATE_JSON, json: true })).viewingSessionId);
    const put = await send(agent, base, { method: 'PUT', path: `${V1}/u${id}/SourceFile?FileExtension=${doc.ext}`, body: doc.bytes });
    const page = await send(agent, base, { method: 'GET', path: `/PCCIS/V1/Page/q/0?DocumentID=u${id}&ContentType=svgb` });
    if (put.status !== 200 || page.status !== 200) problems.push(`a fresh document after the load: upload ${put.status}, page ${page.status} ${page.body.toString('utf8', 0, 200)}`);
    else if (performance.now() - t0 > 30_000) problems.push(`a fresh document after the load took ${((performance.now() - t0) / 1000).toFixed(1)} s to its first page`);
  } catch (err) {
    problems.push(`after the load: ${(err as Error).message}`);
  } finally {
    agent.destroy();
  }
  return problems;
}

/** Setting given on the command line wins, then the environment, then the load bench's own default. */
function setting(flag: string, given: number, env: string, fallback: number): number {
  if (process.argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`))) return given;
  const raw = process.env[env];
  if (raw !== undefined) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`${env} must be a whole number from 1 to 1000, not "${raw}"`);
    return n;
  }
  return fallback;
}

function share(env: string, fallback: number): number {
  const raw = process.env[env];
  if (raw === undefined) return fallback;
  const x = Number(raw);
  if (!(x >= 0 && x <= 1)) throw new Error(`${env} must be a number from 0 to 1, not "${raw}"`);
  return x;
}

const bench: Bench = {
  name: 'load',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const clients = setting('connections', ctx.settings.connections, 'LOAD_CLIENTS', DEFAULT_CLIENTS);
    const seconds = setting('duration', ctx.settings.durationSeconds, 'LOAD_SECONDS', DEFAULT_SECONDS);
    const idleSeconds = Math.max(5, Math.min(15, Math.round(seconds / 4)));
    const freshShare = share('LOAD_FRESH_SHARE', DEFAULT_FRESH_SHARE);
    const quire = await startQuire({ env: { QUIRE_LOG_LEVEL: 'warn' } });
    track(quire.process);
    const forget = onCleanup(() => quire.dispose());
    const t0 = performance.now();
    try {
      ctx.log(`preparing ${POOL_FILES.length + 1} documents`);
      const pool = await preparePool(quire, ctx.log);
      ctx.log(`single client, ${idleSeconds} s (the idle reference)`);
      const idle = await runPhase(quire, pool, freshDoc, freshShare, 1, idleSeconds, 1, ctx.log);
      const logBefore = quire.output().length;
      ctx.log(`${clients} clients, ${seconds} s`);
      const load = await runPhase(quire, pool, freshDoc, freshShare, clients, seconds, 2, ctx.log);
      const logged = quire.output().slice(logBefore);
      const alive = quire.process.exitCode === null && quire.process.signalCode === null;
      const after = alive ? await afterLoad(quire) : [`Quire exited (${quire.process.exitCode ?? quire.process.signalCode}) during the load:\n${quire.output().slice(-2000)}`];
      const peak = peakRssBytes(quire.process.pid!) ?? 0;
      const report = buildReport(ctx, { idle, load, pool, peak, logged, after, freshShare, totalSeconds: (performance.now() - t0) / 1000 });
      const failures = [...idle.rec.failures, ...load.rec.failures];
      if (failures.length > 0 || after.length > 0) {
        ctx.log(`\n${report.rows.map((r) => r.join(' | ')).join('\n')}`);
        for (const n of report.notes) ctx.log(`- ${n}`);
        throw new Error(
          `answers outside the documented codes or a broken server:\n${[...failures.map(([k, e]) => `${e.count} × ${k}, e.g. ${e.examples.join(' | ')}`), ...after].join('\n')}`,
        );
      }
      return report;
    } finally {
      forget();
      await quire.dispose();
    }
  },
};
export default bench;

// ---- report -----------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const sortedOf = (xs: number[]) => [...xs].sort((a, b) => a - b);
const ms = (x: number) => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(1) : x.toFixed(0));
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function codes(s: KindStats): string {
  return [...s.statuses].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}×${n}`).join(', ') || '—';
}

function countOf(map: Map<string, Examples>): number {
  return [...map.values()].reduce((n, e) => n + e.count, 0);
}

function listOf(map: Map<string, Examples>): string {
  return [...map].map(([k, e]) => `${e.count} × ${k} (e.g. \`${e.examples[0]!.replace(/`/g, "'")}\`)`).join('; ');
}

/** "3 × warn \"…\"" for pino JSON lines; anything else is quoted by its start. */
function summarizeLog(text: string): string {
  const counts = new Map<string, number>();
  for (const line of text.trim().split('\n')) {
    let key = line.slice(0, 120);
    try {
      const j = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      const level = ({ 40: 'warn', 50: 'error', 60: 'fatal' } as Record<number, string>)[j.level ?? 0] ?? `level ${j.level}`;
      key = `${level} "${(j.err?.message ?? j.msg ?? '').slice(0, 120)}"`;
    } catch {
      // not a pino line
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${n} × ${k}`).join(', ');
}

function freshKinds(rec: Recorder): string {
  const parts: string[] = [];
  for (const kind of ['upload', 'docAttributes', 'pageSvg', 'pagePng', 'thumbnail', 'text'] as const) {
    const xs = sortedOf(rec.freshLatencies.get(kind) ?? []);
    if (xs.length > 0) parts.push(`${LABEL[kind]} ${ms(percentile(xs, 50))} / ${ms(percentile(xs, 99))} (${xs.length})`);
  }
  return parts.join(', ') || 'none';
}

interface Measured {
  idle: PhaseResult;
  load: PhaseResult;
  pool: Doc[];
  peak: number;
  logged: string;
  after: string[];
  freshShare: number;
  totalSeconds: number;
}

function buildReport(ctx: BenchContext, m: Measured): BenchReport {
  const { idle, load } = m;
  const rows: string[][] = [];
  let total = 0;
  let totalInWindow = 0;
  const all: number[] = [];
  for (const kind of KINDS) {
    const s = load.rec.kinds.get(kind)!;
    const i = idle.rec.kinds.get(kind)!;
    if (s.latencies.length === 0 && i.latencies.length === 0) continue;
    const ls = sortedOf(s.latencies);
    const is = sortedOf(i.latencies);
    total += ls.length;
    totalInWindow += s.inWindow;
    all.push(...ls);
    const ratio = is.length > 0 && ls.length > 0 ? `${(percentile(ls, 50) / percentile(is, 50)).toFixed(1)}×` : '—';
    const outside = [...load.rec.failures].filter(([k]) => k.startsWith(`${kind}:`)).reduce((n, [, e]) => n + e.count, 0);
    rows.push([LABEL[kind], String(ls.length), (s.inWindow / load.seconds).toFixed(1), ms(percentile(ls, 50)), ms(percentile(ls, 99)), ms(percentile(is, 50)), ratio, codes(s), String(outside)]);
  }
  const allSorted = sortedOf(all);
  const idleAll = sortedOf([...idle.rec.kinds.values()].flatMap((k) => k.latencies));
  const failures = countOf(load.rec.failures);
  rows.push([
    '**all requests**',
    String(total),
    (totalInWindow / load.seconds).toFixed(1),
    ms(percentile(allSorted, 50)),
    ms(percentile(allSorted, 99)),
    ms(percentile(idleAll, 50)),
    `${(percentile(allSorted, 50) / percentile(idleAll, 50)).toFixed(1)}×`,
    '',
    `**${failures}**`,
  ]);

  const peakTree = Math.max(...load.memory.map((x) => x.tree));
  const peakProcs = Math.max(...load.memory.map((x) => x.processes));
  const rssAt = (frac: number) => {
    const t = frac * load.seconds;
    const near = load.memory.reduce((best, x) => (Math.abs(x.t - t) < Math.abs(best.t - t) ? x : best));
    return mb(near.quireRss);
  };
  const flowP = (xs: number[]) => {
    const s = sortedOf(xs);
    return `${s.length} sessions, p50 ${ms(percentile(s, 50))} ms, p99 ${ms(percentile(s, 99))} ms`;
  };
  const idleFlow = (xs: number[]) => `p50 ${ms(percentile(sortedOf(xs), 50))} ms`;
  const notes = [
    `**Answers outside the documented codes: ${failures}** in the load${countOf(idle.rec.failures) > 0 ? ` and ${countOf(idle.rec.failures)} in the single-client run` : ''}${failures > 0 ? `: ${listOf(load.rec.failures)}` : ''}. After the load Quire was ${m.after.length === 0 ? 'healthy and converted a new document' : `**not well**: ${m.after.join('; ')}`}.`,
    `Documented error answers the flow did not expect: ${countOf(load.rec.unexpected) === 0 ? 'none' : listOf(load.rec.unexpected)}${countOf(idle.rec.unexpected) > 0 ? `; single client: ${listOf(idle.rec.unexpected)}` : ''}. Back-pressure (503 EngineBusy with Retry-After; the client then waits as told): ${countOf(load.rec.busy) === 0 ? 'none' : listOf(load.rec.busy)}.`,
    `Throughput: ${(totalInWindow / load.seconds).toFixed(1)} requests/s and ${(load.flows / load.seconds).toFixed(2)} viewer sessions/s over ${load.seconds} s with ${load.clients} clients (single client: ${(idle.flows / idle.seconds).toFixed(2)} sessions/s). The last requests ended ${(load.wallSeconds - load.seconds).toFixed(1)} s after the deadline.`,
    `Reading the ratios: ${load.clients} clients without pause keep up to ${load.clients} requests in flight, so under load a request mostly waits its turn (Little's law: mean latency ≈ clients ÷ throughput = ${ms((load.clients / Math.max(1e-9, totalInWindow / load.seconds)) * 1000)} ms here); a session with fresh bytes holds its client through the LibreOffice queue and then the poppler queue, which is where the p99s come from.`,
    `Create → first page (SVG) of a session: cached document ${flowP(load.rec.flows.cached)}; fresh bytes (converted) ${flowP(load.rec.flows.fresh)}; single client ${idleFlow(idle.rec.flows.cached)} cached, ${idleFlow(idle.rec.flows.fresh)} fresh.`,
    `Requests of the sessions with fresh bytes alone (they wait for their conversion; p50 / p99 ms): ${freshKinds(load.rec)}.`,
    `Memory: Quire's Node process peaked at ${mb(m.peak)} MB resident (VmHWM, whole run); its RSS at 0 / 25 / 50 / 75 / 100% of the load: ${[0, 0.25, 0.5, 0.75, 1].map(rssAt).join(' / ')} MB. Its process tree (LibreOffice instances, poppler tools) peaked at ${mb(peakTree)} MB proportional set size, ${peakProcs} processes.`,
    `CPU during the load: Quire's Node process ${(load.quireCpu / load.wallSeconds).toFixed(2)} cores, its whole tree ${(load.treeCpu / load.wallSeconds).toFixed(2)} cores, the load generator (the runner's process) ${(load.loadgenCpu / load.wallSeconds).toFixed(2)} cores, the rest of the machine ${Math.max(0, (load.machineCpu - load.treeCpu - load.loadgenCpu) / load.wallSeconds).toFixed(2)} cores. Quire tree CPU per viewer session: ${((load.treeCpu / Math.max(1, load.flows)) * 1000).toFixed(0)} ms.`,
    `Pool: ${m.pool.map((d) => d.name).join(', ')}. Whole bench ${m.totalSeconds.toFixed(0)} s.`,
  ];
  if (m.logged.trim() !== '') notes.push(`Quire logged (warn and above) during the load: ${summarizeLog(m.logged)}.`);

  return {
    title: 'Load: many viewers at once',
    description: `
A real Quire (\`node src/main.ts\`, log level warn, fresh data folder, LibreOffice pool of one instance per core) on 127.0.0.1
and ${load.clients} virtual clients in the runner's process (\`node:http\` with a keep-alive agent of ${load.clients} sockets),
each looping a viewer's flow without pause for ${load.seconds} s; no request starts after the deadline, each has a
${REQUEST_TIMEOUT_MS / 1000} s limit. One flow: \`POST ViewingSession\`, \`PUT SourceFile\` (${Math.round((1 - m.freshShare) * 100)}% one of the
${m.pool.length} pool documents — DOCX, PDF, XLSX, PPTX from the shared corpus and a generated PNG — which Quire has
converted before, so these are cache hits as for a document many people open; ${Math.round(m.freshShare * 100)}% fresh bytes that must be
converted: a TXT or a generated DOCX carrying a nonce), SessionStarted (${P_SESSION_STARTED * 100}%), \`Document/q/Attributes\`,
\`Page/q/0\` as SVG, then a PNG page (Scale 0.5) or a 200×200 thumbnail, \`Document/q/0-0/Text\`; then a search task
polled to its end (${P_SEARCH * 100}%), \`GET u{id}\` (${P_SESSION_GET * 100}%), a work file upload and download (${P_WORK_FILE * 100}%), and SessionStopped
(${P_STOP * 100}%, followed by a page request that must answer the 403 it chose).

Every answer is classified: the route's success status (with a body of the right kind), or one of the error statuses
\`docs/api-prizmdoc.md\` documents (401, 403, 404, 413, 480, 580) with a JSON \`errorCode\`, or back-pressure (503
\`EngineBusy\` with \`Retry-After\`, which the client honours before its next session). Anything else — another status,
an error body that is not JSON, a socket error, a timeout — is a failure and makes the bench fail. **Ratio** = the load's p50
÷ the p50 of the same flow run by a single client for ${idle.seconds} s just before the load, in the same run (it moves
less with the machine than the absolute figures). Throughput counts answers that arrived before the deadline; latencies
are of whole answers (body read), ms. This bench's own defaults are 100 clients and 60 s (\`--connections=N --duration=S\`
change them); \`LOAD_FRESH_SHARE=0..1\` sets the share of fresh bytes (1, with more clients than LibreOffice's queue holds,
shows the 503 back-pressure).`,
    header: ['request', 'answers', 'per s', 'p50 ms', 'p99 ms', '1 client p50 ms', 'ratio p50', 'codes', 'outside docs'],
    rows,
    notes,
    raw: {
      settings: { clients: load.clients, seconds: load.seconds, idleSeconds: idle.seconds, freshShare: m.freshShare, ...ctx.settings },
      load: phaseRaw(load),
      idle: phaseRaw(idle),
      peakRss: m.peak,
      after: m.after,
      logged: m.logged.slice(0, 20_000),
    },
  };
}

function phaseRaw(p: PhaseResult) {
  const kinds: Record<string, unknown> = {};
  for (const [k, s] of p.rec.kinds) {
    const sorted = sortedOf(s.latencies);
    kinds[k] = { n: sorted.length, inWindow: s.inWindow, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1), statuses: Object.fromEntries(s.statuses) };
  }
  return {
    kinds,
    failures: Object.fromEntries(p.rec.failures),
    unexpected: Object.fromEntries(p.rec.unexpected),
    flows: p.flows,
    wallSeconds: p.wallSeconds,
    cpu: { quire: p.quireCpu, tree: p.treeCpu, loadgen: p.loadgenCpu, machine: p.machineCpu },
    memory: p.memory,
  };
}
