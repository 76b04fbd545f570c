// Issue 4's proof: documents become pages, text and search hits through a started Quire with its
// real engines, checked against independent tools (pdfinfo, a separate `soffice --convert-to pdf`,
// sharp). One Quire serves every test; sessions are created concurrently where order does not matter.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { bmp, hugePng } from './helpers/image-files.ts';
import { mapLimit } from './helpers/map-limit.ts';
import { after, before, describe, test } from 'node:test';
import { strToU8, unzipSync, zipSync } from 'fflate';
import sharp from 'sharp';
import { CORPUS, call, startQuire, type Quire } from './helpers/quire.ts';
import { V1, bytesOf, createSession, uploadSource } from './helpers/prizmdoc.ts';

const run = promisify(execFile);
const K1 = { 'Acs-Api-Key': 'k1aaaaaaaa' };
const K2 = { 'Acs-Api-Key': 'k2bbbbbbbb' };
const JOB_TIMEOUT_S = 30;
const PAGELABELS = join(CORPUS, 'pdf/contrib-pagelabels.pdf'); // 5 letter pages with known text
/** They open with "foo". (encryption-aes-256-r6.pdf does not, whatever SOURCES.md says.) */
const LOCKED = ['encryption-aes-128.pdf', 'encryption-rc4-128.pdf'];
const OFFICE_DIRS = ['docx', 'pptx', 'xlsx'];

let q: Quire;
let tmp: string;
/** The independent soffice run over every office file of the corpus, started at once, awaited by the test that needs it. */
let independentPdfs: Promise<string>;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'quire-rendering-test-'));
  q = await startQuire({ env: { QUIRE_API_KEYS: 'k1aaaaaaaa:t1,k2bbbbbbbb:t2', QUIRE_JOB_TIMEOUT_SECONDS: String(JOB_TIMEOUT_S) } });
  const files = OFFICE_DIRS.flatMap((d) => readdirSync(join(CORPUS, d)).map((f) => join(CORPUS, d, f)));
  const out = join(tmp, 'soffice');
  // One soffice for all files (it costs about a second each), with its own profile so it cannot meet Quire's.
  independentPdfs = run('soffice', [`-env:UserInstallation=file://${join(tmp, 'profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', out, ...files], { timeout: 240_000 }).then(() => out);
  independentPdfs.catch(() => undefined); // awaited (and reported) by its test
});

after(async () => {
  await q?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---- helpers ------------------------------------------------------------------------------------

/** A session of tenant t1 (or the given key) holding these bytes; fails unless the upload answered 200. */
async function open(bytes: Uint8Array, opts: { ext?: string; props?: object; key?: Record<string, string> } = {}): Promise<string> {
  const id = await createSession(q, opts.props ?? {}, opts.key ?? K1);
  const up = await uploadSource(q, id, bytes, { ...(opts.ext ? { ext: opts.ext } : {}), headers: opts.key ?? K1 });
  assert.equal(up.status, 200, `upload answered ${up.status} ${JSON.stringify(up.body)}`);
  return id;
}

const docAttributes = (id: string) => call(q, 'GET', `/PCCIS/V1/Document/q/Attributes?DocumentID=u${id}`);
const pageAttributes = (id: string, n = 0) => call(q, 'GET', `/PCCIS/V1/Page/q/${n}/Attributes?DocumentID=u${id}`);
const page = (id: string, n: number, query = 'ContentType=png', headers: Record<string, string> = {}) =>
  call(q, 'GET', `/PCCIS/V1/Page/q/${n}?DocumentID=u${id}&${query}`, { headers });

async function pageCountOf(id: string): Promise<number> {
  const r = await docAttributes(id);
  assert.equal(r.status, 200, `Document Attributes answered ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.pageCount;
}

/** Page text as a viewer reads it: pages still converting are left out, so poll. */
async function textOf(id: string, n: number): Promise<{ text: string; rectangles: number[][]; width: number; height: number }> {
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(200)) {
    const r = await call(q, 'GET', `/PCCIS/V1/Document/q/${n}-${n}/Text?DocumentID=u${id}`);
    assert.equal(r.status, 200, `Text answered ${r.status} ${JSON.stringify(r.body)}`);
    if (r.body.pages.length > 0) return r.body.pages[0];
  }
  throw new Error('the page text never arrived');
}

function pdfPages(path: string, password?: string): number {
  // "foo" opens the corpus's encrypted files as their owner password (poppler's -upw refuses it), so both are offered, as Quire's engine does.
  const out = execFileSync('pdfinfo', [...(password ? ['-opw', password, '-upw', password] : []), path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Number(/^Pages:\s+(\d+)/m.exec(out)![1]);
}

const sha = (...parts: (string | Buffer)[]) => createHash('sha256').update(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))).digest('hex');
/** The rendition key a serverCaching "full" session of this tenant uses (rendering/rendition-key.ts). */
// The shared key names the tenant, the bytes and the format they are read as (no password here).
const sharedKey = (tenant: string, bytes: Buffer, ext: string) => sha('tenant\0', tenant, '\0', sha(bytes), '\0', ext, '\0');
const privateKey = (sessionId: string) => sha('session\0', sessionId);
const renditionDir = (key: string) => join(q.dataDir, 'renditions', key.slice(0, 2), key);
const preparedLines = (key: string) => q.output().split('\n').filter((l) => l.includes('document prepared') && l.includes(`"key":"${key.slice(0, 12)}"`)).length;

/** Asserts an answer is either a picture (poppler drew what it could) or a JSON 480/580 with an errorCode. */
async function pictureOrError(r: { status: number; headers: Headers; body: any; bytes: Buffer }, what: string): Promise<void> {
  if (r.status === 200) {
    const m = await sharp(r.bytes).metadata();
    assert.equal(m.format, 'png', what);
    assert.ok(m.width! > 0 && m.height! > 0, what);
    return;
  }
  assert.ok(r.status === 480 || r.status === 580, `${what}: status ${r.status} ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/, what);
  assert.equal(typeof r.body.errorCode, 'string', what);
}

// ---- the corpus ---------------------------------------------------------------------------------

describe('the corpus', () => {
  test('page counts equal what poppler and LibreOffice report on their own', async () => {
    const pdfs = readdirSync(join(CORPUS, 'pdf')).filter((f) => f !== 'encryption-aes-256-r6.pdf').map((f) => join(CORPUS, 'pdf', f));
    const office = OFFICE_DIRS.flatMap((d) => readdirSync(join(CORPUS, d)).map((f) => join(CORPUS, d, f)));
    const all = [...pdfs, ...office];
    const quire = await mapLimit(all, 6, async (path) => {
      const password = LOCKED.includes(basename(path)) ? 'foo' : null;
      return pageCountOf(await open(bytesOf(path), { props: password ? { password } : {} }));
    });
    const out = await independentPdfs;
    const expected = all.map((path) => {
      if (path.endsWith('.pdf')) return pdfPages(path, LOCKED.includes(basename(path)) ? 'foo' : undefined);
      return pdfPages(join(out, `${basename(path, extname(path))}.pdf`));
    });
    const diff = all.map((p, i) => ({ file: basename(p), quire: quire[i], independent: expected[i] })).filter((d) => d.quire !== d.independent);
    assert.deepEqual(diff, [], `page counts differ: ${JSON.stringify(diff)}`);
    assert.equal(all.length, pdfs.length + office.length);
  });

  test('page 0 text holds known words, with exactly one rectangle per character', async () => {
    const cases: [string, RegExp[]][] = [
      [PAGELABELS, [/Contents/, /First section/]],
      [join(CORPUS, 'docx/pydocx-test.docx'), [/python-docx was here!/]],
      [join(CORPUS, 'pptx/pypptx-test_slides.pptx'), [/Test text/, /Col head 1/]],
    ];
    await Promise.all(cases.map(async ([path, words]) => {
      const id = await open(bytesOf(path));
      const t = await textOf(id, 0);
      for (const w of words) assert.match(t.text, w, basename(path));
      assert.equal(t.rectangles.length, t.text.length, `${basename(path)}: one rectangle per character`);
      for (const r of t.rectangles) assert.equal(r.length, 4);
      assert.ok(t.width > 0 && t.height > 0);
    }));
  });

  test('a search task finds a known phrase on the right page', async () => {
    const id = await open(bytesOf(PAGELABELS));
    const started = await call(q, 'POST', `/v2/viewingSessions/${id}/searchTasks`, {
      json: { input: { searchTerms: [{ type: 'simple', pattern: 'more text here', caseSensitive: false, termId: 't' }] } },
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    let r;
    for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
      r = await call(q, 'GET', `/v2/searchTasks/${started.body.processId}/results?limit=100`);
      assert.equal(r.status, 200);
      if (r.body.state !== 'processing' || Date.now() > deadline) break;
    }
    assert.equal(r.body.state, 'complete');
    assert.ok(r.body.results.length >= 1);
    assert.deepEqual([...new Set(r.body.results.map((x: { pageIndex: number }) => x.pageIndex))], [4]);
    assert.equal(r.body.results[0].text.toLowerCase(), 'more text here');
  });
});

// ---- page content -------------------------------------------------------------------------------

describe('page content', () => {
  let id: string;
  let width: number;
  let height: number;
  before(async () => {
    id = await open(bytesOf(PAGELABELS));
    const a = await pageAttributes(id);
    assert.equal(a.status, 200);
    ({ imageWidth: width, imageHeight: height } = a.body);
    assert.deepEqual([width, height], [816, 1056]); // letter at 96 dpi
  });

  test('PNG: its size is the page attributes × Scale', async () => {
    for (const scale of [1, 1.5, 0.5]) {
      const r = await page(id, 1, `ContentType=png&Scale=${scale}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'image/png');
      const m = await sharp(r.bytes).metadata();
      assert.ok(Math.abs(m.width! - width * scale) <= 1 && Math.abs(m.height! - height * scale) <= 1, `scale ${scale}: ${m.width}×${m.height}`);
    }
    const jpeg = await page(id, 1, 'ContentType=jpeg&Quality=50');
    assert.equal((await sharp(jpeg.bytes).metadata()).format, 'jpeg');
  });

  test('SVG: a well-formed document whose root width/height are the page attributes', async () => {
    const r = await page(id, 0, 'ContentType=svgb');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /image\/svg\+xml/);
    const svg = r.bytes.toString('utf8');
    const root = /<svg\b[^>]*>/.exec(svg.slice(0, 1000))?.[0] ?? '';
    assert.ok(Math.abs(Number(/\bwidth="([\d.]+)/.exec(root)?.[1]) - width) <= 1, root);
    assert.ok(Math.abs(Number(/\bheight="([\d.]+)/.exec(root)?.[1]) - height) <= 1, root);
    assert.match(svg.trimEnd(), /<\/svg>$/);
    // sharp (librsvg) parses it: a broken document would throw.
    const m = await sharp(r.bytes).metadata();
    assert.equal(m.format, 'svg');
  });

  test('tiles and thumbnails have the asked size', async () => {
    const tile = await call(q, 'GET', `/PCCIS/V1/Page/q/0/Tile/256/512/256/256?DocumentID=u${id}&ContentType=png&Scale=1`);
    assert.equal(tile.status, 200);
    const t = await sharp(tile.bytes).metadata();
    assert.deepEqual([t.width, t.height], [256, 256]);
    // The last column of a tile grid is cut at the page's edge.
    const edge = await call(q, 'GET', `/PCCIS/V1/Page/q/0/Tile/768/0/256/256?DocumentID=u${id}&ContentType=png&Scale=1`);
    assert.deepEqual([(await sharp(edge.bytes).metadata()).width, (await sharp(edge.bytes).metadata()).height], [816 - 768, 256]);
    for (const [w, h] of [[200, 200], [300, 100]] as const) {
      const thumb = await call(q, 'GET', `/PCCIS/V1/Page/q/0/${w}x${h}?DocumentID=u${id}`);
      assert.equal(thumb.status, 200);
      const m = await sharp(thumb.bytes).metadata();
      // Fitted into the box, the page's aspect ratio kept: one side fills it.
      assert.ok(m.width! <= w && m.height! <= h && (m.width === w || m.height === h), `${w}x${h}: ${m.width}×${m.height}`);
      assert.ok(Math.abs(m.width! / m.height! - width / height) < 0.02);
    }
  });

  test('a repeated page request carries an ETag and answers 304 to If-None-Match', async () => {
    const first = await page(id, 2);
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const again = await page(id, 2, 'ContentType=png', { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal(again.bytes.length, 0);
  });

  test('viewer routes answer without the /PCCIS/V1 prefix too', async () => {
    const r = await call(q, 'GET', `/Page/q/0?DocumentID=u${id}&ContentType=png`);
    assert.equal(r.status, 200);
    assert.equal((await sharp(r.bytes).metadata()).width, width);
    const a = await call(q, 'GET', `/Document/q/Attributes?DocumentID=u${id}`);
    assert.equal(a.body.pageCount, 5);
    const pa = await call(q, 'GET', `/Page/q/0/Attributes?DocumentID=u${id}`);
    assert.equal(pa.body.imageWidth, width);
    const t = await call(q, 'GET', `/Document/q/0-0/Text?DocumentID=u${id}`);
    assert.equal(t.status, 200);
  });
});

// ---- other formats ------------------------------------------------------------------------------

describe('formats made in the test', () => {
  let server: Server;
  let hits = 0;
  let port = 0;
  before(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'image/png' }).end();
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((res) => server.close(() => res())));

  test('CSV, TXT, HTML, RTF and ODT render with their text; HTML runs no script and fetches nothing', async () => {
    const html = `<html><head><link rel="stylesheet" href="http://127.0.0.1:${port}/s.css"></head><body><h1>Hello HTML world</h1>
      <script>document.write('SCRIPT RAN')</script><img src="http://127.0.0.1:${port}/remote.png"><p style="background:url(http://127.0.0.1:${port}/bg.png)">styled</p></body></html>`;
    const cases: { name: string; bytes: Buffer; ext?: string; words: RegExp }[] = [
      { name: 'csv', bytes: Buffer.from('name,amount\nalpha,1\nbeta,2\n'), ext: 'csv', words: /alpha/ },
      { name: 'txt', bytes: Buffer.from('Quire plain text sample\nsecond line\n'), ext: 'txt', words: /Quire plain text sample/ },
      { name: 'html', bytes: Buffer.from(html), ext: 'html', words: /Hello HTML world/ },
      { name: 'rtf', bytes: Buffer.from('{\\rtf1\\ansi{\\fonttbl\\f0\\fswiss Helvetica;}\\f0\\pard Rich text sample words\\par}'), words: /Rich text sample words/ },
      { name: 'odt', bytes: odt('Open document sample words'), words: /Open document sample words/ },
    ];
    await Promise.all(cases.map(async (c) => {
      const id = await open(c.bytes, c.ext ? { ext: c.ext } : {});
      assert.ok((await pageCountOf(id)) >= 1, c.name);
      const t = await textOf(id, 0);
      assert.match(t.text, c.words, c.name);
      assert.equal(t.rectangles.length, t.text.length, c.name);
      const png = await page(id, 0);
      assert.equal(png.status, 200, c.name);
      if (c.name === 'html') assert.doesNotMatch(t.text, /SCRIPT RAN/);
    }));
    assert.equal(hits, 0, 'the HTML document made no request to the server it names');
  });

  test('PNG, JPEG, GIF, BMP and WebP are one page each; a multi-page TIFF is several', async () => {
    const base = () => sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366cc' } });
    const three = await Promise.all(['#ff0000', '#00ff00', '#0000ff'].map((c) => sharp({ create: { width: 120, height: 80, channels: 3, background: c } }).png().toBuffer()));
    const cases: [string, Buffer, number][] = [
      ['png', await base().png().toBuffer(), 1],
      ['jpeg', await base().jpeg().toBuffer(), 1],
      ['gif', await base().gif().toBuffer(), 1],
      ['bmp', bmp(300, 200), 1],
      ['webp', await base().webp().toBuffer(), 1],
      ['tiff', await sharp(three, { join: { animated: true } }).tiff().toBuffer(), 3],
    ];
    await Promise.all(cases.map(async ([name, bytes, pages]) => {
      const id = await open(bytes);
      assert.equal(await pageCountOf(id), pages, name);
      const a = await pageAttributes(id, pages - 1);
      assert.equal(a.status, 200, name);
      const png = await page(id, pages - 1);
      assert.equal(png.status, 200, name);
      assert.equal((await sharp(png.bytes).metadata()).format, 'png', name);
      if (name === 'png' || name === 'bmp') assert.deepEqual([a.body.imageWidth, a.body.imageHeight], [300, 200], name);
    }));
  });
});

// ---- passwords ----------------------------------------------------------------------------------

describe('password-protected PDFs', () => {
  for (const file of LOCKED) {
    test(`${file}: 480 with Accusoft-Status-Number 4001 until Replacement gives the password`, async () => {
      const id = await open(bytesOf(join(CORPUS, 'pdf', file)));
      for (const r of [await page(id, 0), await call(q, 'GET', `/PCCIS/V1/Document/q/0-0/Text?DocumentID=u${id}`), await page(id, 0, 'ContentType=svgb')]) {
        assert.equal(r.status, 480, JSON.stringify(r.body));
        assert.equal(r.headers.get('accusoft-status-number'), '4001');
        assert.equal(r.headers.get('accusoft-status-message'), 'Document requires a password');
        assert.equal(r.body.errorCode, 'DocumentRequiresPassword');
      }
      const wrong = await call(q, 'POST', `${V1}/u${id}/Replacement`, { json: { password: 'bar' }, headers: K1 });
      assert.equal(wrong.status, 200);
      assert.equal((await page(wrong.body.viewingSessionId, 0)).status, 480, 'a wrong password still needs one');
      const rep = await call(q, 'POST', `${V1}/u${wrong.body.viewingSessionId}/Replacement`, { json: { password: 'foo' }, headers: K1 });
      assert.equal(rep.status, 200, JSON.stringify(rep.body));
      const next = rep.body.viewingSessionId as string;
      const png = await page(next, 0);
      assert.equal(png.status, 200, JSON.stringify(png.body));
      assert.equal((await sharp(png.bytes).metadata()).format, 'png');
      const t = await textOf(next, 0);
      assert.equal(t.rectangles.length, t.text.length);
    });
  }
});

// ---- damaged and hostile input ------------------------------------------------------------------

describe('damaged and hostile files', () => {
  test('each answers a page or a 480/580 with an errorCode within the job timeout; normal documents still render', async () => {
    const docx = bytesOf(join(CORPUS, 'docx/pydocx-test.docx'));
    const cases: [string, Buffer, string?][] = [
      ['zen_of_python_corrupted.pdf', bytesOf(join(CORPUS, 'pdf/zen_of_python_corrupted.pdf'))],
      ['contrib-issue-1113-evil-xobjects.pdf', bytesOf(join(CORPUS, 'pdf/contrib-issue-1113-evil-xobjects.pdf'))],
      ['random bytes as .docx', randomBytes(64 * 1024), 'docx'],
      ['random bytes as .pdf', randomBytes(64 * 1024), 'pdf'],
      ['random bytes after a PDF header', Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64 * 1024)])],
      ['a truncated DOCX', docx.subarray(0, Math.floor(docx.length * 0.6))],
      // Detected as a DOCX (its package is intact), so LibreOffice itself meets the garbage.
      ['a DOCX whose document.xml is random bytes', Buffer.from(zipSync({ ...unzipSync(docx), 'word/document.xml': randomBytes(4096) }))],
      ['a 20,000 × 20,000 PNG', await hugePng(20_000, 20_000)],
    ];
    await Promise.all(cases.map(async ([what, bytes, ext]) => {
      const t0 = Date.now();
      const id = await createSession(q, {}, K1);
      const up = await uploadSource(q, id, bytes, { ...(ext ? { ext } : {}), headers: K1 });
      if (up.status !== 200) {
        // Refused at upload (unrecognizable bytes): that is an answer with an errorCode too.
        await pictureOrError(up, what);
        return;
      }
      await pictureOrError(await page(id, 0), what);
      await pictureOrError(await page(id, 0), `${what} (again)`);
      const ms = Date.now() - t0;
      assert.ok(ms < (JOB_TIMEOUT_S + 15) * 1000, `${what} took ${ms} ms`);
    }));
    const normal = await open(bytesOf(join(CORPUS, 'docx/mammoth-simple-list.docx')));
    assert.equal((await page(normal, 0)).status, 200);
    assert.equal((await page(await open(bytesOf(join(CORPUS, 'pdf/simple4.pdf'))), 0)).status, 200);
  });
});

// ---- caching ------------------------------------------------------------------------------------

describe('serverCaching', () => {
  test('"full": a second session of the same bytes converts nothing; another tenant does not share', async () => {
    const bytes = Buffer.from(`Shared document ${randomBytes(8).toString('hex')}\n`);
    const k1 = sharedKey('t1', bytes, 'txt');
    const k2 = sharedKey('t2', bytes, 'txt');
    const a = await open(bytes, { ext: 'txt' });
    assert.equal(await pageCountOf(a), 1);
    assert.equal((await page(a, 0)).status, 200);
    assert.equal(preparedLines(k1), 1);
    const b = await open(bytes, { ext: 'txt' });
    assert.equal(await pageCountOf(b), 1);
    assert.equal((await page(b, 0)).status, 200);
    assert.equal(preparedLines(k1), 1, 'the second session reused the first conversion');

    const other = await open(bytes, { ext: 'txt', key: K2 });
    assert.equal(await pageCountOf(other), 1);
    assert.equal(preparedLines(k2), 1, 'the other tenant converted on its own');
    assert.equal(preparedLines(k1), 1);
    assert.ok(existsSync(renditionDir(k1)) && existsSync(renditionDir(k2)));
  });

  test('"none": the session\'s renditions are its own, and go when it is deleted', async () => {
    const id = await open(bytesOf(PAGELABELS), { props: { serverCaching: 'none' } });
    assert.equal((await page(id, 0)).status, 200);
    const dir = renditionDir(privateKey(id));
    assert.ok(existsSync(dir), 'the private rendition folder exists while the session lives');
    assert.ok(readdirSync(dir).some((f) => f.endsWith('.png')));
    const del = await call(q, 'DELETE', `${V1}/u${id}`, { headers: K1 });
    assert.equal(del.status, 204);
    for (const deadline = Date.now() + 5000; existsSync(dir) && Date.now() < deadline; ) await sleep(50);
    assert.ok(!existsSync(dir), 'the renditions were removed with the session');
  });
});

// ---- file makers --------------------------------------------------------------------------------

/** A minimal ODF text document (mimetype stored first, as the format requires). */
function odt(text: string): Buffer {
  const content = `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:text><text:p>${text}</text:p></office:text></office:body></office:document-content>`;
  const manifest = `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`;
  return Buffer.from(zipSync({
    mimetype: [strToU8('application/vnd.oasis.opendocument.text'), { level: 0 }],
    'content.xml': strToU8(content),
    'META-INF/manifest.xml': strToU8(manifest),
  }));
}
