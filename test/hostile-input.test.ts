// Hostile and broken input, generated here (nothing hostile is committed), sent over real HTTP to one
// real Quire with its real engines. Every answer must be a page or the documented error shape
// (PrizmDoc 480 {errorCode, errorDetails} / 580 {errorCode, message} + Accusoft-Status-Message /
// 413 / 4xx JSON; Office Integrator 400 {code, message}), come within the job time limit, carry no
// byte of another session's document, and fetch nothing; afterwards the same server still renders a
// normal document. The peak memory of Quire and its LibreOffice is printed for docs/reliability.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { CORPUS, call, startQuire, type Quire } from './helpers/quire.ts';
import { V1, V2, bytesOf, createSession } from './helpers/prizmdoc.ts';
import { assertOfficeError, postForm } from './helpers/officeapi.ts';
import { descendants } from './helpers/faults.ts';
import {
  BILLION_LAUGHS,
  externalEntities,
  flipBits,
  hostileHtml,
  hugePagePdf,
  listen,
  manyPagesPdf,
  noise,
  scriptedPdf,
  scriptedSvg,
  tiffClaiming,
  truncate,
  withDoctype,
  zipBombDocx,
  type Listener,
} from './helpers/hostile-files.ts';
import { pngClaiming } from './helpers/image-files.ts';

const JOB_TIMEOUT_S = 15;
/** The job limit plus room for a queue and a machine shared with other test runs. */
const ANSWER_WITHIN_MS = (JOB_TIMEOUT_S + 15) * 1000;
const MAX_JSON_BYTES = 64 * 1024;
/** Generous for a Node server that streams documents and never inflates a whole package (a zip bomb once took it to 1.5 GB). */
const NODE_PEAK_LIMIT_MB = 1536;
/** The pool recycles an instance left above 1,500 MB; a zip bomb once took one to 8.7 GB. */
const SOFFICE_PEAK_LIMIT_MB = 2048;

const DOCX = bytesOf(join(CORPUS, 'docx/pydocx-test.docx'));
const XLSX = bytesOf(join(CORPUS, 'xlsx/pypptx-chart-data.xlsx'));
const PPTX = bytesOf(join(CORPUS, 'pptx/pypptx-shp-shapes.pptx'));
const PDF = bytesOf(join(CORPUS, 'pdf/simple1.pdf'));
const PDF_BIG = bytesOf(join(CORPUS, 'pdf/jo.pdf'));

/** In one private session's document only: no other answer may ever carry it. */
const SECRET = `QuireSecret${Date.now().toString(36)}`;
const PASSWD_LINE = /root:[^:\n]*:0:0:/;

let q: Quire;
let canary: Listener;
let redirector: Listener;
let secretSession: string;
const memory = new Map<number, { name: string; hwmKb: number }>();
let sampler: NodeJS.Timeout | undefined;

type Answer = Awaited<ReturnType<typeof call>>;

/** call(), plus: no answer carries the private session's secret or /etc/passwd. */
async function hc(method: string, path: string, opts: Parameters<typeof call>[3] = {}): Promise<Answer> {
  const r = await call(q, method, path, opts);
  assert.ok(!r.bytes.includes(SECRET), `${method} ${path} answered another session's bytes`);
  assert.ok(!PASSWD_LINE.test(r.bytes.toString('latin1')), `${method} ${path} answered /etc/passwd`);
  return r;
}

const isJson = (r: Answer) => /^application\/json/.test(r.headers.get('content-type') ?? '');

/** The PrizmDoc error shape for `status`. */
function assertPrizmError(r: Answer, statuses: number[], what: string): void {
  assert.ok(statuses.includes(r.status), `${what}: expected ${statuses.join('/')}, got ${r.status} ${r.bytes.toString('utf8', 0, 300)}`);
  assert.ok(isJson(r), `${what}: ${r.status} is not JSON (${r.headers.get('content-type')})`);
  assert.equal(typeof r.body?.errorCode, 'string', `${what}: ${JSON.stringify(r.body)}`);
  if (r.status === 480) assert.ok(r.body.errorDetails === undefined || typeof r.body.errorDetails === 'object', what);
  if (r.status === 580) {
    assert.equal(typeof r.body.message, 'string', `${what}: 580 without message`);
    assert.ok(r.headers.get('accusoft-status-message'), `${what}: 580 without Accusoft-Status-Message`);
  }
  // Error answers are never cacheable.
  assert.equal(r.headers.get('etag'), null, `${what}: an error with an ETag`);
}

/** An SVG page a browser may show inline: no script, no event attribute, nothing fetched. */
function assertSafeSvg(svg: string, what: string): void {
  assert.match(svg, /^(<\?xml[^>]*>\s*)?<svg\b/, `${what}: not an SVG`);
  assert.ok(!/<script\b/i.test(svg), `${what}: <script> in the page`);
  assert.ok(!/<(foreignObject|iframe|object|embed)\b/i.test(svg), `${what}: active element in the page`);
  assert.ok(!/\son[a-z]+\s*=/i.test(svg), `${what}: event attribute in the page`);
  assert.ok(!/javascript:/i.test(svg), `${what}: javascript: URL in the page`);
  for (const m of svg.matchAll(/\s(?:xlink:)?href\s*=\s*"([^"]*)"/g)) assert.ok(/^(#|data:image\/)/.test(m[1]!), `${what}: reference ${m[1]!.slice(0, 80)}`);
}

const page = (id: string, n: number, extra = '') => hc('GET', `/PCCIS/V1/Page/q/${n}?DocumentID=u${id}${extra}`);
const docAttributes = (id: string) => hc('GET', `/PCCIS/V1/Document/q/Attributes?DocumentID=u${id}`);
const text = (id: string, n: number) => hc('GET', `/PCCIS/V1/Document/q/${n}-${n}/Text?DocumentID=u${id}`);

interface Probe {
  id: string;
  upload: Answer;
  answers: { route: string; r: Answer }[];
}

/**
 * A new session, the upload, then the routes a viewer asks first; each must be content or the
 * documented error, and the whole must finish within the job limit.
 */
async function probe(what: string, bytes: Uint8Array, ext?: string): Promise<Probe> {
  const t0 = Date.now();
  const id = await createSession(q);
  const upload = await hc('PUT', `${V1}/u${id}/SourceFile${ext ? `?FileExtension=${ext}` : ''}`, { body: bytes });
  const answers: Probe['answers'] = [];
  if (upload.status !== 200) {
    assertPrizmError(upload, [480, 580], `${what}: upload`);
  } else {
    const routes: [string, () => Promise<Answer>][] = [
      ['document attributes', () => docAttributes(id)],
      ['page attributes', () => hc('GET', `/PCCIS/V1/Page/q/0/Attributes?DocumentID=u${id}`)],
      ['svg page', () => page(id, 0, '&ContentType=svgb')],
      ['png page', () => page(id, 0, '&ContentType=png')],
      ['text', () => text(id, 0)],
    ];
    for (const [route, get] of routes) {
      const r = await get();
      answers.push({ route, r });
      if (r.status === 200) {
        if (route === 'svg page') assertSafeSvg(r.bytes.toString('utf8'), `${what}: ${route}`);
        if (route === 'png page') assert.equal(r.headers.get('content-type'), 'image/png');
        if (route !== 'svg page' && route !== 'png page') assert.ok(isJson(r), `${what}: ${route}`);
      } else {
        assertPrizmError(r, [480, 580], `${what}: ${route}`);
      }
    }
  }
  const ms = Date.now() - t0;
  assert.ok(ms < ANSWER_WITHIN_MS, `${what} took ${ms} ms`);
  return { id, upload, answers };
}

const statusesOf = (p: Probe) => p.answers.map((a) => `${a.route}:${a.r.status}`).join(' ');
const codes = (p: Probe) => new Set(p.answers.filter((a) => a.r.status !== 200).map((a) => a.r.body.errorCode as string));

/** VmHWM (peak resident memory) of every process of the tree, kept per pid since processes come and go. */
function sampleMemory(): void {
  const root = q.process.pid!;
  for (const pid of [root, ...descendants(root).map((p) => p.pid)]) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const hwmKb = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const name = /^Name:\s+(\S+)/m.exec(status)?.[1] ?? '?';
      const seen = memory.get(pid);
      if (!seen || hwmKb > seen.hwmKb) memory.set(pid, { name, hwmKb });
    } catch {
      // exited between listing and reading
    }
  }
}

before(async () => {
  canary = await listen('127.0.0.1');
  // The only address downloads may reach (QUIRE_FETCH_ALLOW): it redirects to the places they must not.
  const to = (location: string) => (res: import('node:http').ServerResponse) => res.writeHead(302, { location }).end();
  const port = new URL(canary.url).port;
  redirector = await listen('127.0.0.3', {
    '/to-loopback': to(`${canary.url}/via-redirect`),
    '/to-loopback-decimal': to(`http://2130706433:${port}/via-redirect-decimal`),
    '/to-localhost': to(`http://localhost:${port}/via-redirect-localhost`),
    '/to-ipv6-loopback': to(`http://[::1]:${port}/via-redirect-ipv6`),
    '/to-private': to('http://10.0.0.1/doc.docx'),
    '/to-private-192': to('http://192.168.0.1/doc.docx'),
    '/to-link-local': to('http://169.254.10.10/doc.docx'),
    '/to-metadata': to('http://169.254.169.254/latest/meta-data/iam/security-credentials/'),
    '/to-ipv6-link-local': to('http://[fe80::1]/doc.docx'),
    '/to-file': to('file:///etc/passwd'),
  });
  q = await startQuire({
    env: {
      QUIRE_JOB_TIMEOUT_SECONDS: String(JOB_TIMEOUT_S),
      QUIRE_OFFICE_INSTANCES: '1',
      QUIRE_MAX_JSON_BYTES: String(MAX_JSON_BYTES),
      QUIRE_FETCH_ALLOW: '127.0.0.3',
      QUIRE_FETCH_TIMEOUT_MS: '3000',
      QUIRE_LOG_LEVEL: 'warn',
    },
  });
  sampler = setInterval(sampleMemory, 200);
  sampler.unref();
  // A private session whose document no other answer may ever show.
  secretSession = await createSession(q, { serverCaching: 'none' });
  assert.equal((await call(q, 'PUT', `${V1}/u${secretSession}/SourceFile?FileExtension=txt`, { body: Buffer.from(`${SECRET}\nconfidential\n`) })).status, 200);
  // The text route answers no pages while a document is still converting; attributes wait for it.
  assert.equal((await call(q, 'GET', `/PCCIS/V1/Document/q/Attributes?DocumentID=u${secretSession}`)).status, 200);
  const own = await call(q, 'GET', `/PCCIS/V1/Document/q/0-0/Text?DocumentID=u${secretSession}`);
  assert.match(JSON.stringify(own.body), new RegExp(SECRET));
});

after(async () => {
  clearInterval(sampler);
  await q?.dispose();
  await canary?.close();
  await redirector?.close();
});

// ---- files that are not what they claim ------------------------------------------------------------

describe('empty, tiny and random files', () => {
  test('empty and one-byte uploads are 580 UnrecognizedFileFormat; the session takes a real document afterwards', async () => {
    for (const [what, bytes, ext] of [
      ['empty, FileExtension=docx', Buffer.alloc(0), 'docx'],
      ['empty, no FileExtension', Buffer.alloc(0), undefined],
      ['one byte, FileExtension=pdf', Buffer.from('%'), 'pdf'],
    ] as const) {
      const id = await createSession(q);
      const r = await hc('PUT', `${V1}/u${id}/SourceFile${ext ? `?FileExtension=${ext}` : ''}`, { body: bytes });
      assertPrizmError(r, [580], what);
      assert.equal(r.body.errorCode, 'UnrecognizedFileFormat');
      assert.equal(r.headers.get('accusoft-status-message'), 'Unrecognized File Format');
      // The slot was released: the same session accepts the right file.
      assert.equal((await hc('PUT', `${V1}/u${id}/SourceFile`, { body: PDF })).status, 200, what);
      assert.equal((await docAttributes(id)).body.pageCount, 1, what);
    }
    // One byte of text is a valid one-line text document.
    const p = await probe('one byte, FileExtension=txt', Buffer.from('x'), 'txt');
    assert.deepEqual(p.answers.map((a) => a.r.status), [200, 200, 200, 200, 200]);
  });

  test('random bytes with a document extension (docx, pdf, xlsx, png) are refused at upload', async () => {
    for (const [i, ext] of ['docx', 'pdf', 'xlsx', 'png', 'pptx', 'tif'].entries()) {
      const p = await probe(`random bytes as .${ext}`, noise(48 * 1024, i + 1), ext);
      assert.equal(p.upload.status, 580, ext);
      assert.equal(p.upload.body.errorCode, 'UnrecognizedFileFormat', ext);
    }
  });
});

describe('truncated and bit-flipped real documents', () => {
  const originals: [string, Buffer][] = [['docx', DOCX], ['xlsx', XLSX], ['pptx', PPTX], ['pdf', PDF], ['pdf', PDF_BIG]];

  test('truncated: a ZIP without its central directory is unrecognized; a PDF renders what it can or answers 580', async () => {
    for (const [ext, bytes] of originals) {
      for (const fraction of [0.5, 0.9]) {
        const p = await probe(`${ext} truncated to ${fraction * 100}%`, truncate(bytes, fraction), ext);
        if (ext !== 'pdf') {
          assert.equal(p.upload.status, 580, `${ext} ${fraction}`);
          assert.equal(p.upload.body.errorCode, 'UnrecognizedFileFormat');
        } else {
          assert.equal(p.upload.status, 200);
          for (const c of codes(p)) assert.ok(['CouldNotRender', 'ImageTooLarge'].includes(c), `${ext} ${fraction}: ${c} (${statusesOf(p)})`);
        }
      }
    }
  });

  test('bit-flipped: each answers pages or a 480/580 with an errorCode, never a 500', async () => {
    for (const [ext, bytes] of originals) {
      for (const seed of [1, 2, 3]) {
        const p = await probe(`${ext} with 40 flipped bits (seed ${seed})`, flipBits(bytes, 40, seed), ext);
        for (const c of codes(p)) {
          assert.ok(['UnrecognizedFileFormat', 'CouldNotRender', 'CouldNotConvert', 'ConversionTimedOut', 'EngineCrashed', 'ImageTooLarge', 'InvalidInput'].includes(c), `${ext}/${seed}: ${c}`);
        }
      }
    }
  });
});

describe('zip bombs', () => {
  test('a DOCX whose document.xml unpacks to 2 GiB is refused before LibreOffice inflates it (580 CouldNotConvert, at once)', async () => {
    const bomb = zipBombDocx(DOCX, 2 * 1024 ** 3);
    assert.ok(bomb.bytes.length < 4 * 1024 * 1024, `the bomb is ${bomb.bytes.length} bytes`);
    assert.ok(bomb.unpacked > 2 * 1024 **3);
    const t0 = Date.now();
    const p = await probe('2 GiB zip bomb', bomb.bytes, 'docx');
    assert.equal(p.upload.status, 200, 'a valid package is accepted as a DOCX');
    for (const { route, r } of p.answers) {
      assertPrizmError(r, [580], `bomb: ${route}`);
      assert.equal(r.body.errorCode, 'CouldNotConvert');
      assert.match(r.body.message, /unpacks \d+ times its packed size/);
    }
    assert.ok(Date.now() - t0 < 10_000, 'refused without inflating');
  });

  test('a part that declares 40 KB but inflates to 1 GiB is refused by LibreOffice (580) without inflating it all', async () => {
    const liar = zipBombDocx(DOCX, 1024 ** 3, 40_000);
    const p = await probe('lying zip bomb', liar.bytes, 'docx');
    assert.equal(p.upload.status, 200);
    for (const { route, r } of p.answers) {
      assertPrizmError(r, [580], `lying bomb: ${route}`);
      assert.equal(r.body.errorCode, 'CouldNotConvert');
    }
  });

  test('the same bomb through Office Integrator convert/watermark, a content converter and a comparison', async () => {
    const bomb = zipBombDocx(DOCX, 1024 ** 3).bytes;
    const t0 = Date.now();
    const convert = await postForm(q, '/writer/officeapi/v1/document/convert', [{ name: 'document', file: bomb, filename: 'bomb.docx' }, { name: 'output_options', value: JSON.stringify({ format: 'pdf' }) }]);
    assertOfficeError(convert, 1852, 'document');
    const review = await postForm(q, '/writer/officeapi/v1/document/convert', [{ name: 'document', file: bomb, filename: 'bomb.docx' }, { name: 'output_options', value: JSON.stringify({ format: 'txt', include_comments: 'none' }) }]);
    assertOfficeError(review, 1852, 'document');
    const watermark = await postForm(q, '/writer/officeapi/v1/document/watermark', [{ name: 'document', file: bomb, filename: 'bomb.docx' }, { name: 'watermark_settings', value: JSON.stringify({ type: 'text', text: 'W' }) }]);
    assertOfficeError(watermark, 1852, 'document');
    assert.match(watermark.body.message, /unpacks/);

    const wf = await hc('POST', '/PCCIS/V1/WorkFile?FileExtension=docx', { body: bomb });
    assert.equal(wf.status, 200);
    const started = await hc('POST', '/v2/contentConverters', { json: { input: { sources: [{ fileId: wf.body.fileId }], dest: { format: 'pdf' } } } });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    let state = started.body;
    while (state.state === 'processing' && Date.now() - t0 < ANSWER_WITHIN_MS) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await hc('GET', `/v2/contentConverters/${started.body.processId}`)).body;
    }
    assert.equal(state.state, 'error', JSON.stringify(state));
    assert.equal(state.errorCode, 'CouldNotConvert');

    const cmp = await createSession(q);
    assert.equal((await hc('PUT', `${V2}/${cmp}/sourceFile/original`, { body: bomb })).status, 200);
    assert.equal((await hc('PUT', `${V2}/${cmp}/sourceFile/revised`, { body: DOCX })).status, 200);
    const attrs = await docAttributes(cmp);
    assertPrizmError(attrs, [580], 'comparison with a bomb');
    assert.equal(attrs.body.errorCode, 'ComparisonDocumentUnreadable');
    assert.ok(Date.now() - t0 < ANSWER_WITHIN_MS);
  });
});

describe('XML entities in word/document.xml', () => {
  test('billion laughs is never expanded: 580 CouldNotConvert within the limit', async () => {
    const p = await probe('billion laughs', withDoctype(DOCX, BILLION_LAUGHS, 'A&lol9;B'), 'docx');
    assert.equal(p.upload.status, 200);
    for (const { route, r } of p.answers) {
      assertPrizmError(r, [580], `billion laughs: ${route}`);
      assert.equal(r.body.errorCode, 'CouldNotConvert');
    }
    // Office Integrator: LibreOffice refuses it; Quire's own watermark code edits other parts and
    // never expands it either (the DOCX comes back as it was, plus the watermark).
    const laughs = withDoctype(DOCX, BILLION_LAUGHS, 'A&lol9;B');
    const convert = await postForm(q, '/writer/officeapi/v1/document/convert', [{ name: 'document', file: laughs, filename: 'l.docx' }, { name: 'output_options', value: '{"format":"pdf"}' }]);
    assertOfficeError(convert, 1852, 'document');
    const t0 = Date.now();
    const watermark = await postForm(q, '/writer/officeapi/v1/document/watermark', [{ name: 'document', file: laughs, filename: 'l.docx' }, { name: 'watermark_settings', value: JSON.stringify({ type: 'text', text: 'W' }) }]);
    assert.equal(watermark.status, 200);
    assert.ok(watermark.bytes.length < 4 * laughs.length, 'nothing was expanded');
    assert.ok(Date.now() - t0 < 5000);
  });

  test('external entities (file:///etc/passwd, a loopback URL, an external DTD) are neither read nor fetched', async () => {
    const xxe = withDoctype(DOCX, externalEntities(canary.url), 'START&passwd;&remote;END');
    const p = await probe('external entities', xxe, 'docx');
    // A valid package: accepted at upload, then refused by LibreOffice (it reads no entity at all).
    assert.equal(p.answers.length, 5, 'the upload was accepted and every content route answered');
    for (const { route, r } of p.answers) {
      assert.ok(!r.bytes.includes('CANARY-FETCHED'));
      assertPrizmError(r, [580], `external entities: ${route}`);
      assert.equal(r.body.errorCode, 'CouldNotConvert', route);
    }
    // Through Office Integrator (LibreOffice for txt, Quire's own XML code for include_comments none)
    // and through the comparison (Quire's own OOXML parser first).
    for (const options of [{ format: 'txt' }, { format: 'txt', include_comments: 'none' }, { format: 'pdf', include_changes: 'none' }]) {
      const r = await postForm(q, '/writer/officeapi/v1/document/convert', [{ name: 'document', file: xxe, filename: 'x.docx' }, { name: 'output_options', value: JSON.stringify(options) }]);
      assert.ok(!PASSWD_LINE.test(r.bytes.toString('latin1')) && !r.bytes.includes('CANARY-FETCHED'), JSON.stringify(options));
      assertOfficeError(r, 1852, 'document');
    }
    const cmp = await createSession(q);
    await hc('PUT', `${V2}/${cmp}/sourceFile/original`, { body: DOCX });
    await hc('PUT', `${V2}/${cmp}/sourceFile/revised`, { body: xxe });
    assertPrizmError(await docAttributes(cmp), [580], 'comparison with external entities');
    assert.deepEqual(canary.hits, [], 'nothing was fetched from the loopback listener');
  });
});

describe('hostile PDFs', () => {
  test('5,000 pages: counted, first and last page drawn, one past the end is 480 at pageNumber', async () => {
    const pdf = await manyPagesPdf(5000, 'Manypages');
    const t0 = Date.now();
    const p = await probe('5,000 pages', pdf);
    assert.deepEqual(p.answers.map((a) => a.r.status), [200, 200, 200, 200, 200], statusesOf(p));
    const id = p.id;
    assert.equal((await docAttributes(id)).body.pageCount, 5000);
    const last = await page(id, 4999, '&ContentType=png');
    assert.equal(last.status, 200);
    assert.match(JSON.stringify((await text(id, 4999)).body), /Manypages 4999/);
    const past = await page(id, 5000);
    assertPrizmError(past, [480], 'page 5000');
    assert.equal(past.body.errorDetails.at, 'pageNumber');
    assert.deepEqual(past.body.errorDetails.expected, { minimum: 0, maximum: 4999 });
    assert.ok(Date.now() - t0 < ANSWER_WITHIN_MS);
  });

  test('enormous pages (14,400 pt, the PDF maximum, and a 200,000 pt MediaBox): SVG, tiles and thumbnails render; a full raster is 480 ImageTooLarge', async () => {
    for (const size of [14_400, 200_000]) {
      const p = await probe(`${size} pt page`, await hugePagePdf(size, 'Hugepage'));
      const id = p.id;
      const attrs = p.answers.find((a) => a.route === 'page attributes')!.r;
      assert.equal(attrs.status, 200);
      assert.equal(attrs.body.imageWidth, Math.round((size * 4) / 3));
      assert.equal(p.answers.find((a) => a.route === 'svg page')!.r.status, 200);
      assert.match(JSON.stringify(p.answers.find((a) => a.route === 'text')!.r.body), /Hugepage/);
      for (const scale of ['1', '8']) {
        const png = await page(id, 0, `&ContentType=png&Scale=${scale}`);
        assertPrizmError(png, [480], `${size} pt at Scale ${scale}`);
        assert.equal(png.body.errorCode, 'ImageTooLarge');
      }
      const tile = await hc('GET', `/PCCIS/V1/Page/q/0/Tile/0/0/512/512?DocumentID=u${id}&ContentType=png&Scale=8`);
      assert.equal(tile.status, 200);
      assert.equal(tile.headers.get('content-type'), 'image/png');
      const thumb = await hc('GET', `/PCCIS/V1/Page/q/0/200x200?DocumentID=u${id}`);
      assert.equal(thumb.status, 200);
    }
  });

  test('OpenAction JavaScript, a javascript: link and an embedded file: the page is safe and shows no attachment', async () => {
    const attachment = `Attached${SECRET.slice(-6)}Payload`;
    const p = await probe('scripted PDF', await scriptedPdf('Scripted', attachment));
    assert.deepEqual(p.answers.map((a) => a.r.status), [200, 200, 200, 200, 200], statusesOf(p));
    const svg = p.answers.find((a) => a.route === 'svg page')!.r.bytes.toString('utf8');
    assert.ok(svg.includes('Scripted') || JSON.stringify(p.answers.find((a) => a.route === 'text')!.r.body).includes('Scripted'));
    for (const { r } of p.answers) assert.ok(!r.bytes.includes(attachment), 'the embedded file does not show');
  });
});

describe('images claiming 100,000 × 100,000 pixels', () => {
  for (const [what, bytes, ext] of [['PNG', pngClaiming(100_000, 100_000), 'png'], ['TIFF', tiffClaiming(100_000, 100_000), 'tif']] as const) {
    test(`${what}: 580 ImageTooLarge from its header, nothing decoded`, async () => {
      const t0 = Date.now();
      const p = await probe(`${what} 100k²`, bytes, ext);
      assert.equal(p.upload.status, 200);
      for (const { route, r } of p.answers) {
        assertPrizmError(r, [580], `${what}: ${route}`);
        assert.equal(r.body.errorCode, 'ImageTooLarge');
        assert.deepEqual(r.body.errorDetails.received, { width: 100_000, height: 100_000 });
      }
      assert.ok(Date.now() - t0 < 5000, `${what} took ${Date.now() - t0} ms`);
    });
  }
});

describe('active markup', () => {
  test('HTML with script, frames, objects, styles and remote images renders its text, runs nothing, fetches nothing', async () => {
    const p = await probe('hostile HTML', Buffer.from(hostileHtml(canary.url, 'Visibletext')), 'html');
    assert.deepEqual(p.answers.map((a) => a.r.status), [200, 200, 200, 200, 200], statusesOf(p));
    const words = JSON.stringify(p.answers.find((a) => a.route === 'text')!.r.body);
    assert.match(words, /Visibletext/);
    assert.doesNotMatch(words, /SCRIPT-RAN|CANARY-FETCHED/);
    assert.deepEqual(canary.hits, []);
  });

  test('an SVG with script: unrecognized as an image; as HTML or text it renders safely and fetches nothing', async () => {
    const svg = Buffer.from(scriptedSvg(canary.url, 'Svgtext'));
    for (const ext of ['svg', 'png', undefined]) {
      const p = await probe(`SVG as ${ext}`, svg, ext);
      assert.equal(p.upload.status, 580, String(ext));
      assert.equal(p.upload.body.errorCode, 'UnrecognizedFileFormat');
    }
    for (const ext of ['html', 'txt']) {
      const p = await probe(`SVG as ${ext}`, svg, ext);
      assert.deepEqual(p.answers.map((a) => a.r.status), [200, 200, 200, 200, 200], `${ext}: ${statusesOf(p)}`);
    }
    assert.deepEqual(canary.hits, []);
  });
});

describe('a FileExtension that lies', () => {
  test('the bytes decide for every detectable format; FileExtension decides only text formats', async () => {
    const cases: [string, Buffer, string, string][] = [
      ['PDF bytes as docx', PDF, 'docx', 'pdf'],
      ['PDF bytes as html', PDF, 'html', 'pdf'],
      ['DOCX bytes as png', DOCX, 'png', 'docx'],
      ['DOCX bytes as txt', DOCX, 'txt', 'docx'],
      ['XLSX bytes as pptx', XLSX, 'pptx', 'xlsx'],
      ['PNG bytes as pdf', pngClaiming(16, 16), 'pdf', 'png'],
    ];
    for (const [what, bytes, claimed, real] of cases) {
      const id = await createSession(q);
      assert.equal((await hc('PUT', `${V1}/u${id}/SourceFile?FileExtension=${claimed}`, { body: bytes })).status, 200, what);
      const source = await hc('GET', `${V1}/u${id}/SourceFile`);
      assert.match(source.headers.get('content-disposition') ?? '', new RegExp(`filename="SourceFile\\.${real}"`), what);
      const attrs = await docAttributes(id);
      assert.equal(attrs.status, 200, `${what}: ${JSON.stringify(attrs.body)}`);
      const wf = await hc('POST', `/PCCIS/V1/WorkFile?FileExtension=${claimed}`, { body: bytes });
      assert.equal(wf.body.fileExtension, real, what);
    }
    // Bytes nothing recognises do not become a PDF because the caller says so.
    const r = await hc('PUT', `${V1}/u${await createSession(q)}/SourceFile?FileExtension=pdf`, { body: Buffer.from('just some words, no signature') });
    assertPrizmError(r, [580], 'text as pdf');
    assert.equal(r.body.errorCode, 'UnrecognizedFileFormat');
  });
});

// ---- HTTP-level abuse ---------------------------------------------------------------------------

/** Raw bytes on a socket, for what fetch refuses to send; the whole answer as text. */
function rawHttp(request: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(q.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    // A server may answer and close before reading everything: keep what arrived.
    socket.on('error', (e: NodeJS.ErrnoException) => (chunks.length || e.code === 'EPIPE' || e.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(e)));
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error('no answer within 10 s'));
    });
    socket.end(request);
  });
}

function parseRaw(raw: string): { status: number; headers: string; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body: raw.slice(end + 4) };
}

describe('bodies, headers and URLs', () => {
  test('malformed JSON is 480 at input; non-object JSON names what was expected', async () => {
    for (const path of [V1, '/v2/contentConverters', `${V1}/u${secretSession}/Notification/SessionStopped`]) {
      for (const body of ['{', '{"a":', '[1,2', '{"a":1}garbage', '\u0000\u0001', '{"a":"\ud800"']) {
        const r = await hc('POST', path, { body, headers: { 'content-type': 'application/json' } });
        assertPrizmError(r, [480], `${path} ${JSON.stringify(body)}`);
        assert.equal(r.body.errorDetails.in, 'body');
      }
    }
    for (const body of ['"text"', '123', '[1]', `${'['.repeat(50_000)}${']'.repeat(50_000)}`.slice(0, MAX_JSON_BYTES - 10)]) {
      const r = await hc('POST', V1, { body, headers: { 'content-type': 'application/json' } });
      assertPrizmError(r, [480], `create with ${body.slice(0, 20)}`);
    }
    // The secret session was not stopped by any of those.
    assert.equal((await call(q, 'GET', `/PCCIS/V1/Document/q/Attributes?DocumentID=u${secretSession}`)).status, 200);
  });

  test('JSON past QUIRE_MAX_JSON_BYTES is 413 JSON on every JSON route, Office Integrator 400 1831', async () => {
    const huge = JSON.stringify({ x: 'a'.repeat(MAX_JSON_BYTES + 1) });
    for (const path of [V1, '/v2/contentConverters', `${V2}/${secretSession}/searchTasks`, `${V1}/u${secretSession}/Replacement`]) {
      const r = await hc('POST', path, { body: huge, headers: { 'content-type': 'application/json' } });
      assertPrizmError(r, [413], `huge JSON to ${path}`);
      assert.equal(r.body.errorCode, 'PayloadTooLarge');
    }
    // Without a Content-Length (chunked), the limit holds while reading. The server may answer and
    // close before the client has sent everything, so this goes over a raw socket that keeps what
    // arrived even when its own writing fails.
    const chunk = `{"x":"${'b'.repeat(4096)}",`;
    const chunked = `POST ${V1} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` + `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(40) + '0\r\n\r\n';
    const answer = await rawHttp(chunked);
    if (answer !== '') {
      const res = parseRaw(answer);
      assert.equal(res.status, 413, res.headers);
      assert.equal(JSON.parse(res.body).errorCode, 'PayloadTooLarge');
    }
    assert.equal((await call(q, 'GET', '/PCCIS/V1/Service/Current/Health')).status, 200);
    const office = await hc('POST', '/writer/officeapi/v1/documents', { body: huge, headers: { 'content-type': 'application/json' } });
    assertOfficeError(office, 1831);
    const officeBad = await hc('POST', '/writer/officeapi/v1/documents', { body: '{"document_info":', headers: { 'content-type': 'application/json' } });
    assertOfficeError(officeBad, 1831);
  });

  test('oversized headers, header floods, long URLs and unparseable request lines get JSON 431/400; the server keeps serving', async () => {
    const health = 'GET /PCCIS/V1/Service/Current/Health HTTP/1.1\r\nHost: x\r\n';
    const cases: [string, string, number][] = [
      ['one 20 KB header', `${health}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      ['3,000 headers', `${health}${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`, 431],
      ['a 100 KB URL', `GET /PCCIS/V1/Page/q/0?DocumentID=u${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
      ['a NUL in the path', 'GET /x\u0000y HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['not HTTP', 'GARBAGE\r\n\r\n', 400],
      ['a bad Content-Length', `POST ${V1} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}`, 400],
      ['two Content-Lengths', `POST ${V1} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 400],
    ];
    for (const [what, request, status] of cases) {
      const t0 = Date.now();
      const res = parseRaw(await rawHttp(request));
      assert.equal(res.status, status, `${what}: ${res.headers.slice(0, 100)}`);
      assert.match(res.headers, /content-type: application\/json/i, what);
      assert.equal(JSON.parse(res.body).errorCode, 'BadRequest', what);
      if (status === 431) assert.match(res.headers, /^HTTP\/1\.1 431 Request Header Fields Too Large/, what);
      assert.ok(Date.now() - t0 < 5000, what);
      assert.equal((await call(q, 'GET', '/PCCIS/V1/Service/Current/Health')).status, 200, `serving after ${what}`);
    }
    // Long, but under the header limit: the route answers in its own shape.
    const long = await hc('GET', `/PCCIS/V1/Page/q/0?${'a=1&'.repeat(3500)}DocumentID=unope`);
    assertPrizmError(long, [404], 'long query');
    const longOffice = await hc('GET', `/writer/officeapi/v1/sessions/${'a'.repeat(12_000)}`);
    assert.ok([400, 404].includes(longOffice.status) && isJson(longOffice), `long office id: ${longOffice.status}`);
  });
});

describe('ContentDispositionFilename', () => {
  const names = ['a\r\nSet-Cookie: x=1', 'a\nX-Injected: 1', 'quo"te', 'semi;colon=1', 'back\\slash', 'per%cent%0d%0a', 'Résumé 報告 😀', 'tab\there', 'line\u2028sep', '../../etc/passwd', ' ', 'x'.repeat(5000)];

  test('on SourceFile, sourceFile/original and WorkFile downloads: no header injected, filename ASCII and quoted, filename* the exact UTF-8 name', async () => {
    const id = await createSession(q);
    await hc('PUT', `${V1}/u${id}/SourceFile`, { body: DOCX });
    const cmp = await createSession(q);
    await hc('PUT', `${V2}/${cmp}/sourceFile/original`, { body: DOCX });
    const wf = (await hc('POST', '/PCCIS/V1/WorkFile', { body: DOCX })).body.fileId as string;
    const routes = [`${V1}/u${id}/SourceFile?ContentDispositionFilename=`, `${V2}/${cmp}/sourceFile/original?contentDispositionFilename=`, `/PCCIS/V1/WorkFile/${wf}?ContentDispositionFilename=`];
    for (const name of names) {
      for (const route of routes) {
        const r = await hc('GET', route + encodeURIComponent(name));
        const what = `${route.split('?')[0]} ${JSON.stringify(name.slice(0, 30))}`;
        assert.equal(r.status, 200, what);
        assert.ok(r.bytes.equals(DOCX), `${what}: the document itself`);
        for (const injected of ['set-cookie', 'x-injected']) assert.equal(r.headers.get(injected), null, what);
        const cd = r.headers.get('content-disposition') ?? '';
        const m = /^attachment; filename="([\x20-\x7e]*)"; filename\*=UTF-8''([A-Za-z0-9%!#$&+.^_`|~-]+)$/.exec(cd);
        assert.ok(m, `${what}: ${cd.slice(0, 200)}`);
        assert.doesNotMatch(m[1]!, /["\\;%]/, what);
        assert.ok(m[1]!.endsWith('.docx') && m[2]!.endsWith('.docx'), what);
        const exact = decodeURIComponent(m[2]!);
        const expected = name.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, '').replace(/[\\/]/g, '_').trim().slice(0, 200) || 'file';
        assert.equal(exact, `${expected}.docx`, what);
      }
    }
    // CR LF sent raw in the request line cannot reach the answer's headers either.
    const raw = await rawHttp(`GET /PCCIS/V1/WorkFile/${wf}?ContentDispositionFilename=a\r\nX-Injected: 1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    assert.doesNotMatch(head, /^x-injected/im);
  });
});

describe('path traversal in ids and names', () => {
  const attacks = [
    '..%2F..%2Fetc%2Fpasswd',
    '..%252F..%252Fetc%252Fpasswd',
    '%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '..%5C..%5Cetc%5Cpasswd',
    '....%2F%2F....%2F%2Fetc%2Fpasswd',
    '%2Fetc%2Fpasswd',
    '..%2Fquire.sqlite',
    '..%2F..%2Fquire.sqlite',
    '..%2Fblobs',
    '%00',
    '..%00%2Fetc%2Fpasswd',
  ];
  const routes = (t: string): [string, string][] => [
    ['GET', `${V1}/u${t}`],
    ['GET', `${V1}/${t}`],
    ['GET', `${V1}/u${t}/SourceFile`],
    ['PUT', `${V1}/u${t}/SourceFile`],
    ['GET', `${V1}/u${t}/FileId`],
    ['POST', `${V1}/u${t}/Notification/SessionStarted`],
    ['POST', `${V1}/u${t}/Replacement`],
    ['DELETE', `${V1}/u${t}`],
    ['GET', `${V2}/${t}/sourceFile/original`],
    ['PUT', `${V2}/${t}/sourceFile/revised`],
    ['GET', `${V2}/${t}/revisionData`],
    ['GET', `${V2}/${t}/redline?format=pdf`],
    ['POST', `${V2}/${t}/searchTasks`],
    ['GET', `/PCCIS/V1/Page/q/0?DocumentID=u${t}`],
    ['GET', `/PCCIS/V1/Page/q/0?DocumentID=${t}`],
    ['GET', `/PCCIS/V1/Page/q/0/Attributes?DocumentID=u${t}`],
    ['GET', `/PCCIS/V1/Document/q/Attributes?DocumentID=u${t}`],
    ['GET', `/PCCIS/V1/Document/q/0-0/Text?DocumentID=u${t}`],
    ['GET', `/PCCIS/V1/WorkFile/${t}`],
    ['GET', `/PCCIS/V1/WorkFile/${t}/Info`],
    ['DELETE', `/PCCIS/V1/WorkFile/${t}`],
    ['GET', `/v2/searchTasks/${t}`],
    ['GET', `/v2/searchTasks/${t}/results`],
    ['DELETE', `/v2/searchTasks/${t}`],
    ['GET', `/v2/contentConverters/${t}`],
    ['GET', `/writer/officeapi/v1/sessions/${t}`],
    ['DELETE', `/writer/officeapi/v1/sessions/${t}`],
    ['GET', `/writer/officeapi/v1/documents/${t}`],
    ['GET', `/writer/officeapi/v1/documents/${t}/sessions`],
    ['DELETE', `/writer/officeapi/v1/documents/${t}`],
    ['POST', `/writer/officeapi/v1/documents/${t}/save`],
    ['GET', `/viewer/${t}`],
    ['GET', `/viewer/assets/${t}`],
  ];

  test('every id position answers 4xx JSON (the Office browser links a 404 page), never a file from disk', async () => {
    const seen = new Set<string>();
    for (const t of attacks) {
      for (const [method, path] of routes(t)) {
        const body = method === 'POST' || method === 'PUT' ? { json: {} } : {};
        const r = await hc(method, path, body);
        const what = `${method} ${path}`;
        assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.bytes.toString('utf8', 0, 200)}`);
        assert.ok(isJson(r), `${what}: ${r.headers.get('content-type')}`);
        assert.ok(!r.bytes.includes('SQLite format'), `${what}: the database`);
        // Office routes answer their own shape; a path no route matches gets the server-wide 404.
        if (path.startsWith('/writer/') && r.body.errorCode !== 'NotFound') assert.equal(typeof r.body.code, 'number', what);
        else assert.equal(typeof r.body.errorCode, 'string', what);
        seen.add(`${r.status}`);
      }
      // The links a browser follows answer a small HTML page.
      for (const suffix of ['edit', 'preview', 'compare']) {
        const r = await hc('GET', `/writer/officeapi/v1/documents/${t}/${suffix}`);
        // A well-formed id of no session: the HTML page; an id no route takes (encoded slashes): the SDK's 400.
        if (r.status === 404) {
          assert.ok(!isJson(r), `${suffix} ${t}: the page is HTML`);
          assert.match(String(r.body), /No such session/);
        } else {
          assertOfficeError(r, 1838);
        }
      }
    }
    assert.ok(seen.size >= 2, 'both 404s and input errors were met');
  });
});

describe('downloads of caller-named URLs (what http-source and officeapi-http tests leave out)', () => {
  const direct = (port: string) => [
    `http://2130706433:${port}/decimal`,
    `http://0x7f000001:${port}/hex`,
    `http://0177.0.0.1:${port}/octal`,
    `http://127.1:${port}/short`,
    `http://[::ffff:7f00:1]:${port}/mapped`,
    `http://[0:0:0:0:0:0:0:1]:${port}/ipv6-long`,
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://100.64.0.1/cgnat',
    'http://[fe80::1]/link-local',
    'http://[fd00::1]/unique-local',
    'http://0.0.0.0/',
    'http://224.0.0.1/multicast',
    'http://255.255.255.255/broadcast',
  ];
  const viaRedirect = ['/to-loopback', '/to-loopback-decimal', '/to-localhost', '/to-ipv6-loopback', '/to-private', '/to-private-192', '/to-link-local', '/to-metadata', '/to-ipv6-link-local'];

  test('documentSource "http": every disguise of loopback, private, link-local and metadata, direct or behind an allowed redirector, is 480', async () => {
    const port = new URL(canary.url).port;
    for (const url of [...direct(port), ...viaRedirect.map((p) => `${redirector.url}${p}`)]) {
      const r = await hc('POST', V1, { json: { documentSource: 'http', externalId: url } });
      assertPrizmError(r, [480], url);
      assert.equal(r.body.errorDetails.at, 'input.externalId', url);
    }
    // A redirect to file:// is refused too (not http/https).
    const file = await hc('POST', V1, { json: { documentSource: 'http', externalId: `${redirector.url}/to-file` } });
    assertPrizmError(file, [480], 'redirect to file://');
    assert.deepEqual(canary.hits, [], 'the loopback listener was never reached');
    // The redirector itself was asked once per redirect case (it is allowed), nothing else.
    assert.ok(redirector.hits.every((h) => /^GET \/to-/.test(h)), redirector.hits.join(', '));
  });

  test('Office Integrator url, url1/url2: the same targets are 400 1831 at the parameter', async () => {
    const port = new URL(canary.url).port;
    for (const url of [...direct(port).slice(0, 8), ...viaRedirect.map((p) => `${redirector.url}${p}`)]) {
      assertOfficeError(await postForm(q, '/writer/officeapi/v1/documents', [{ name: 'url', value: url }]), 1831, 'url');
    }
    assertOfficeError(await postForm(q, '/writer/officeapi/v1/document/convert', [{ name: 'url', value: `${redirector.url}/to-metadata` }, { name: 'output_options', value: '{"format":"pdf"}' }]), 1831, 'url');
    assertOfficeError(await postForm(q, '/writer/officeapi/v1/document/compare', [{ name: 'url1', value: `${redirector.url}/to-loopback` }, { name: 'url2', value: `${redirector.url}/to-private` }]), 1831, 'url1');
    assert.deepEqual(canary.hits, []);
  });
});

// ---- afterwards -------------------------------------------------------------------------------------

describe('after the batch', () => {
  test('the same server renders a normal document; the private session still has only its own; peak memory is bounded', async () => {
    const id = await createSession(q);
    assert.equal((await call(q, 'PUT', `${V1}/u${id}/SourceFile`, { body: DOCX })).status, 200);
    assert.equal((await docAttributes(id)).body.pageCount, 1);
    const svg = await page(id, 0, '&ContentType=svgb');
    assert.equal(svg.status, 200);
    assertSafeSvg(svg.bytes.toString('utf8'), 'normal DOCX');
    assert.match(JSON.stringify((await text(id, 0)).body), /python-docx was here/);
    const pdf = await createSession(q);
    await call(q, 'PUT', `${V1}/u${pdf}/SourceFile`, { body: PDF });
    assert.match(JSON.stringify((await text(pdf, 0)).body), /Hello/);
    const own = await call(q, 'GET', `/PCCIS/V1/Document/q/0-0/Text?DocumentID=u${secretSession}`);
    assert.match(JSON.stringify(own.body), new RegExp(SECRET));
    assert.equal(q.process.exitCode, null, 'Quire is still running');
    assert.doesNotMatch(q.output(), /"level":50[^\n]*internal error/, 'no internal error was logged');

    sampleMemory();
    const mb = (kb: number) => Math.round(kb / 1024);
    const node = memory.get(q.process.pid!)!;
    const byName = (re: RegExp) => [...memory.entries()].filter(([, v]) => re.test(v.name));
    const soffice = byName(/^soffice/);
    const workers = byName(/^python/);
    const sofficePeak = Math.max(0, ...soffice.map(([, v]) => v.hwmKb));
    console.log(`peak memory (VmHWM): Quire node ${mb(node.hwmKb)} MB; soffice.bin ${soffice.map(([pid, v]) => `${pid}: ${mb(v.hwmKb)} MB`).join(', ') || 'none seen'}; uno workers ${workers.map(([, v]) => `${mb(v.hwmKb)} MB`).join(', ') || 'none'}`);
    assert.ok(mb(node.hwmKb) < NODE_PEAK_LIMIT_MB, `Quire peaked at ${mb(node.hwmKb)} MB`);
    assert.ok(soffice.length > 0, 'LibreOffice was seen');
    assert.ok(mb(sofficePeak) < SOFFICE_PEAK_LIMIT_MB, `LibreOffice peaked at ${mb(sofficePeak)} MB`);
  });
});
