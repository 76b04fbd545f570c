// Issue 4, the cases test/rendering.test.ts leaves out: formats no other test renders (made here by a
// LibreOffice of the test's own, and checked against that LibreOffice's page count), out-of-range pages
// on every page route, search task status and cancellation, SVG pages, password-protected Office files
// through the session routes, damaged files answered exactly, and memory-based recycling in the
// LibreOffice pool. One Quire serves the HTTP tests; nothing is mocked.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bmp, hugePng } from './helpers/image-files.ts';
import { mapLimit } from './helpers/map-limit.ts';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { createLibreOfficePool } from '../src/engines/libreoffice/pool.ts';
import type { PoolEvent } from '../src/process/supervised-pool.ts';
import { CORPUS, call, startQuire, type Quire } from './helpers/quire.ts';
import { V1, bytesOf, createSession, uploadSource } from './helpers/prizmdoc.ts';

const JOB_TIMEOUT_S = 30;
const PAGELABELS = join(CORPUS, 'pdf/contrib-pagelabels.pdf'); // 5 letter pages; "more text here" on page 4
const ONE_PAGE_PDF = join(CORPUS, 'pdf/simple1.pdf');
const XLSX = join(CORPUS, 'xlsx/pypptx-chart-data.xlsx'); // 2 pages in Calc; "Category 1" on the first
const PPTX = join(CORPUS, 'pptx/pypptx-shp-shapes.pptx'); // 2 slides; "shapes[0]" on the first
const SMALL_DOCX = join(CORPUS, 'docx/pydocx-test.docx');

let q: Quire;
let tmp: string;
/** The office files made for the test (by extension) and that LibreOffice's page count of each, once made. */
let made: Promise<{ file: (name: string) => string; pages: (name: string) => number }>;

// ---- the test's own LibreOffice ------------------------------------------------------------------

/**
 * Makes office files from a source (storeToURL with a filter, optionally a password) and exports PDFs of
 * files for the reference page count, in one soffice with its own profile. Input on stdin:
 * {"make": [{src, srcFilter?, out, filter, password?, ooxPassword?}], "pdf": [{src, out, filter?, options?}]}.
 */
const MAKER_PY = String.raw`
import json, os, subprocess, sys, time, uno, zipfile
from com.sun.star.beans import PropertyValue, NamedValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

def named(name, value):
    v = NamedValue(); v.Name = name; v.Value = value; return v

profile, pipe, spec = sys.argv[1], sys.argv[2], json.loads(sys.stdin.read())

def launch():
    return subprocess.Popen(["/usr/lib/libreoffice/program/soffice.bin", "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
        "--headless", "--invisible", "--norestore", "--accept=pipe,name=%s;urp;" % pipe],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

office = launch()
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 120
    while True:
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe); break
        except Exception:
            if office.poll() == 81: office = launch()  # a new profile was made: soffice asks to be started again
            elif time.monotonic() > deadline or office.poll() is not None: raise
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    def load(path, filt=None, options=None):
        args = [prop("Hidden", True)]
        if filt: args.append(prop("FilterName", filt))
        if options: args.append(prop("FilterOptions", options))
        for attempt in range(100):
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, tuple(args))
            if doc is not None: return doc
            time.sleep(0.1)  # a just-started soffice may load nothing yet
        raise RuntimeError("could not load " + path)

    def store(doc, path, args):
        uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(path), uno.Any("[]com.sun.star.beans.PropertyValue", tuple(args))))

    for job in spec["make"]:
        doc = load(job["src"], job.get("srcFilter"))
        args = [prop("FilterName", job["filter"]), prop("Overwrite", True)]
        if "password" in job: args.append(prop("Password", job["password"]))
        if "ooxPassword" in job:
            # LibreOffice 7.4 encrypts OOXML (ECMA-376 Standard encryption) only when asked through EncryptionData.
            data = (named("OOXPassword", job["ooxPassword"]), named("CryptoType", "Standard"))
            args.append(prop("EncryptionData", uno.Any("[]com.sun.star.beans.NamedValue", data)))
        store(doc, job["out"], args)
        doc.close(True)
        if "contentTypes" in job:
            # Rewrites [Content_Types].xml (old, new): LibreOffice 7.4 labels a PPSX's main part as a PPTX's.
            old, new = job["contentTypes"]
            with zipfile.ZipFile(job["out"]) as z:
                parts = [(i, z.read(i.filename)) for i in z.infolist()]
            with zipfile.ZipFile(job["out"] + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
                for info, data in parts:
                    if info.filename == "[Content_Types].xml":
                        assert old.encode() in data
                        data = data.replace(old.encode(), new.encode())
                    z.writestr(info, data)
            os.replace(job["out"] + ".tmp", job["out"])
    for job in spec["pdf"]:
        doc = load(job["src"], job.get("filter"), job.get("options"))
        kind = ("writer_web_pdf_Export" if doc.supportsService("com.sun.star.text.WebDocument") else
                "writer_pdf_Export" if doc.supportsService("com.sun.star.text.GenericTextDocument") else
                "calc_pdf_Export" if doc.supportsService("com.sun.star.sheet.SpreadsheetDocument") else
                "impress_pdf_Export")
        store(doc, job["out"], [prop("FilterName", kind), prop("Overwrite", True)])
        doc.close(True)
    try: desktop.terminate()
    except Exception: pass
    office.wait(timeout=30)
finally:
    if office.poll() is None:
        office.kill(); office.wait()
`;

/** Three page-broken sections: the word documents' source. */
const WORD_HTML = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>
<h1>Quire word sample</h1><p>Zebra quartz paragraph one.</p>
<h1 style="page-break-before: always">Second page</h1><p>Second page words.</p>
<h1 style="page-break-before: always">Third page</h1><p>Third page words.</p>
</body></html>`;
const TXT = Array.from({ length: 150 }, (_, i) => `Line ${i + 1} of the Quire plain text sample`).join('\n') + '\n';
const CSV = 'name,amount,note\n' + Array.from({ length: 150 }, (_, i) => `alpha${i + 1},${i * 3},row ${i + 1}`).join('\n') + '\n';

function makeOfficeFiles(dir: string): Promise<{ file: (name: string) => string; pages: (name: string) => number }> {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  writeFileSync(f('source.html'), WORD_HTML);
  writeFileSync(f('f.htm'), WORD_HTML);
  writeFileSync(f('f.txt'), TXT);
  writeFileSync(f('f.csv'), CSV);
  const html = { src: f('source.html'), srcFilter: 'HTML (StarWriter)' };
  const spec = {
    make: [
      { ...html, out: f('f.doc'), filter: 'MS Word 97' },
      { ...html, out: f('f.docm'), filter: 'MS Word 2007 XML VBA' },
      { ...html, out: f('f.dotx'), filter: 'MS Word 2007 XML Template' },
      { ...html, out: f('locked.docx'), filter: 'MS Word 2007 XML', ooxPassword: 'foo' },
      { ...html, out: f('locked.doc'), filter: 'MS Word 97', password: 'foo' },
      { src: XLSX, out: f('locked.xls'), filter: 'MS Excel 97', password: 'foo' },
      { src: XLSX, out: f('f.xls'), filter: 'MS Excel 97' },
      { src: XLSX, out: f('f.xlsm'), filter: 'Calc MS Excel 2007 VBA XML' },
      { src: XLSX, out: f('f.ods'), filter: 'calc8' },
      { src: PPTX, out: f('f.ppt'), filter: 'MS PowerPoint 97' },
      // PowerPoint marks a slide show by its main part's content type; LibreOffice 7.4 writes a PPTX's there.
      {
        src: PPTX,
        out: f('f.ppsx'),
        filter: 'Impress MS PowerPoint 2007 XML AutoPlay',
        contentTypes: ['presentationml.presentation.main+xml', 'presentationml.slideshow.main+xml'],
      },
      { src: PPTX, out: f('f.odp'), filter: 'impress8' },
    ],
    pdf: [
      ...['doc', 'docm', 'dotx', 'xls', 'xlsm', 'ods', 'ppt', 'ppsx', 'odp'].map((e) => ({ src: f(`f.${e}`), out: f(`f.${e}.pdf`) })),
      // Text formats are read with the filters their extension names (as Quire's worker does).
      { src: f('f.txt'), out: f('f.txt.pdf'), filter: 'Text (encoded)', options: 'UTF8' },
      { src: f('f.csv'), out: f('f.csv.pdf'), filter: 'Text - txt - csv (StarCalc)', options: '44,34,76,1' },
      { src: f('f.htm'), out: f('f.htm.pdf'), filter: 'HTML (StarWriter)' },
    ],
  };
  writeFileSync(f('maker.py'), MAKER_PY);
  return new Promise((res, rej) => {
    const child = execFile('/usr/bin/python3', [f('maker.py'), join(dir, 'profile'), `quire-coverage-${process.pid}`], { timeout: 240_000 }, (err, _out, stderr) => {
      if (err) return rej(new Error(`the test's LibreOffice failed: ${stderr}`));
      res({ file: f, pages: (name) => pdfPages(f(`${name}.pdf`)) });
    });
    child.stdin!.end(JSON.stringify(spec));
  });
}

function pdfPages(path: string): number {
  const out = execFileSync('pdfinfo', [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Number(/^Pages:\s+(\d+)/m.exec(out)![1]);
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'quire-rendering-coverage-'));
  made = makeOfficeFiles(join(tmp, 'made'));
  made.catch(() => undefined); // awaited (and reported) by the tests that need it
  q = await startQuire({ env: { QUIRE_JOB_TIMEOUT_SECONDS: String(JOB_TIMEOUT_S) } });
});

after(async () => {
  await made?.catch(() => undefined); // its soffice must be gone before its profile is removed
  await q?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---- helpers ------------------------------------------------------------------------------------

type Answer = Awaited<ReturnType<typeof call>>;

async function open(bytes: Uint8Array, opts: { ext?: string; props?: object } = {}): Promise<string> {
  const id = await createSession(q, opts.props ?? {});
  const up = await uploadSource(q, id, bytes, opts.ext ? { ext: opts.ext } : {});
  assert.equal(up.status, 200, `upload answered ${up.status} ${JSON.stringify(up.body)}`);
  return id;
}

const docAttributes = (id: string) => call(q, 'GET', `/PCCIS/V1/Document/q/Attributes?DocumentID=u${id}`);
const pageAttributes = (id: string, n = 0) => call(q, 'GET', `/PCCIS/V1/Page/q/${n}/Attributes?DocumentID=u${id}`);
const page = (id: string, n: number, query = 'ContentType=png') => call(q, 'GET', `/PCCIS/V1/Page/q/${n}?DocumentID=u${id}&${query}`);
const textRequest = (id: string, n: number) => call(q, 'GET', `/PCCIS/V1/Document/q/${n}-${n}/Text?DocumentID=u${id}`);

async function pageCountOf(id: string): Promise<number> {
  const r = await docAttributes(id);
  assert.equal(r.status, 200, `Document Attributes answered ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.pageCountConfidence, 100);
  return r.body.pageCount;
}

/** Page text as a viewer reads it: pages still converting are left out, so poll. */
async function textOf(id: string, n: number): Promise<{ text: string; rectangles: number[][] }> {
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(200)) {
    const r = await textRequest(id, n);
    assert.equal(r.status, 200, `Text answered ${r.status} ${JSON.stringify(r.body)}`);
    if (r.body.pages.length > 0) return r.body.pages[0];
  }
  throw new Error('the page text never arrived');
}

/** The format Quire stored the session's document as (its work file's fileExtension). */
async function storedFormat(id: string): Promise<string> {
  const f = await call(q, 'GET', `${V1}/u${id}/FileId`);
  assert.equal(f.status, 200, JSON.stringify(f.body));
  const info = await call(q, 'GET', `/PCCIS/V1/WorkFile/${f.body.fileId}/Info`);
  assert.equal(info.status, 200, JSON.stringify(info.body));
  return info.body.fileExtension;
}

/** A well-formed SVG page whose root has the page's attributes as width and height. */
async function assertSvgPage(r: Answer, size: { imageWidth: number; imageHeight: number }, what: string): Promise<string> {
  assert.equal(r.status, 200, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /^image\/svg\+xml/, what);
  const svg = r.bytes.toString('utf8');
  const root = /<svg\b[^>]*>/.exec(svg.slice(0, 2000))?.[0] ?? '';
  assert.ok(Math.abs(Number(/\bwidth="([\d.]+)/.exec(root)?.[1]) - size.imageWidth) <= 1, `${what}: ${root}`);
  assert.ok(Math.abs(Number(/\bheight="([\d.]+)/.exec(root)?.[1]) - size.imageHeight) <= 1, `${what}: ${root}`);
  assert.match(svg.trimEnd(), /<\/svg>$/, what);
  assert.equal((await sharp(r.bytes).metadata()).format, 'svg', `${what}: librsvg parses it`);
  return svg;
}

/** A PrizmDoc error answer: JSON with this status and errorCode, and nothing that lets it be cached. */
function assertError(r: Answer, status: number, errorCode: string, what: string): void {
  assert.equal(r.status, status, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/, what);
  assert.equal(r.body?.errorCode, errorCode, `${what}: ${JSON.stringify(r.body)}`);
  assert.equal(r.headers.get('etag'), null, `${what}: an error carries no ETag`);
  assert.doesNotMatch(r.headers.get('cache-control') ?? '', /max-age=[1-9]/, `${what}: an error is not cacheable`);
}

function assertPasswordNeeded(r: Answer, what: string): void {
  assertError(r, 480, 'DocumentRequiresPassword', what);
  assert.equal(r.headers.get('accusoft-status-number'), '4001', what);
  assert.equal(r.headers.get('accusoft-status-message'), 'Document requires a password', what);
}

// ---- formats ------------------------------------------------------------------------------------

describe('formats no other test renders', () => {
  const office: { ext: string; words: RegExp }[] = [
    { ext: 'doc', words: /Zebra quartz paragraph one/ },
    { ext: 'docm', words: /Zebra quartz paragraph one/ },
    { ext: 'dotx', words: /Zebra quartz paragraph one/ },
    { ext: 'xls', words: /Category 1/ },
    { ext: 'xlsm', words: /Category 1/ },
    { ext: 'ods', words: /Category 1/ },
    { ext: 'ppt', words: /shapes\[0\]/ },
    { ext: 'ppsx', words: /shapes\[0\]/ },
    { ext: 'odp', words: /shapes\[0\]/ },
  ];

  test('DOC, DOCM, DOTX, XLS, XLSM, ODS, PPT, PPSX, ODP without FileExtension: detected from the bytes, LibreOffice\'s page count, valid SVG, their text', async () => {
    const m = await made;
    await mapLimit(office, 3, async ({ ext, words }) => {
      const id = await open(readFileSync(m.file(`f.${ext}`)));
      assert.equal(await storedFormat(id), ext, `${ext}: the format was told from the bytes`);
      const expected = m.pages(`f.${ext}`);
      assert.ok(expected >= 2, `${ext}: the reference has ${expected} pages`);
      assert.equal(await pageCountOf(id), expected, `${ext}: page count`);
      const a = await pageAttributes(id, 0);
      assert.equal(a.status, 200, ext);
      const svg = await assertSvgPage(await page(id, 0, 'ContentType=svg'), a.body, ext);
      assert.match(svg, /<text\b/, `${ext}: the SVG keeps its text as text`);
      const t = await textOf(id, 0);
      assert.match(t.text, words, ext);
      assert.equal(t.rectangles.length, t.text.length, `${ext}: one rectangle per character`);
      // The last page is there too.
      assert.equal((await page(id, expected - 1)).status, 200, `${ext}: last page`);
    });
  });

  test('TXT, CSV and HTM with FileExtension: LibreOffice\'s page count (several pages), valid SVG, their text', async () => {
    const m = await made;
    const cases: { ext: string; words: RegExp }[] = [
      { ext: 'txt', words: /Line 1 of the Quire plain text sample/ },
      { ext: 'csv', words: /alpha1/ },
      { ext: 'htm', words: /Zebra quartz paragraph one/ },
    ];
    await mapLimit(cases, 3, async ({ ext, words }) => {
      const id = await open(readFileSync(m.file(`f.${ext}`)), { ext });
      assert.equal(await storedFormat(id), ext);
      const expected = m.pages(`f.${ext}`);
      assert.ok(expected >= 2, `${ext}: the reference has ${expected} pages`);
      assert.equal(await pageCountOf(id), expected, `${ext}: page count`);
      const a = await pageAttributes(id, 0);
      await assertSvgPage(await page(id, 0, 'ContentType=svg'), a.body, ext);
      const t = await textOf(id, 0);
      assert.match(t.text, words, ext);
      assert.equal(t.rectangles.length, t.text.length, ext);
    });
  });

  test('GIF, BMP, WebP and a 3-page TIFF: detected from the bytes, a page per frame at the picture\'s size, valid SVG', async () => {
    const base = () => sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366cc' } });
    const frames = await Promise.all(['#ff0000', '#00ff00', '#0000ff'].map((c) => sharp({ create: { width: 120, height: 80, channels: 3, background: c } }).png().toBuffer()));
    const cases: { ext: string; bytes: Buffer; stored: string; size: [number, number] }[] = [
      { ext: 'gif', bytes: await base().gif().toBuffer(), stored: 'gif', size: [300, 200] },
      { ext: 'bmp', bytes: bmp(300, 200), stored: 'bmp', size: [300, 200] },
      { ext: 'webp', bytes: await base().webp().toBuffer(), stored: 'webp', size: [300, 200] },
      { ext: 'tiff', bytes: await sharp(frames, { join: { animated: true } }).tiff().toBuffer(), stored: 'tif', size: [120, 80] },
    ];
    await mapLimit(cases, 4, async ({ ext, bytes, stored, size }) => {
      const id = await open(bytes);
      assert.equal(await storedFormat(id), stored);
      const expected = ext === 'bmp' ? 1 : ((await sharp(bytes).metadata()).pages ?? 1);
      if (ext === 'tiff') assert.equal(expected, 3);
      assert.equal(await pageCountOf(id), expected, ext);
      for (let n = 0; n < expected; n++) {
        const a = await pageAttributes(id, n);
        assert.equal(a.status, 200, ext);
        assert.deepEqual([a.body.imageWidth, a.body.imageHeight], size, `${ext} page ${n}`);
        await assertSvgPage(await page(id, n, 'ContentType=svg'), a.body, `${ext} page ${n}`);
      }
      if (ext === 'tiff') {
        // Each page is its own frame: the middle one is green.
        const png = await page(id, 1, 'ContentType=png');
        const { data } = await sharp(png.bytes).removeAlpha().resize(1, 1).raw().toBuffer({ resolveWithObject: true });
        assert.ok(data[1]! > 200 && data[0]! < 50 && data[2]! < 50, `page 1 is the green frame: ${[...data]}`);
      }
    });
  });
});

// ---- page out of range --------------------------------------------------------------------------

describe('a page out of range', () => {
  test('page (png, svg), tile, thumbnail, page attributes and text answer 480 InvalidInput at pageNumber with the allowed range, with and without /PCCIS/V1', async () => {
    const id = await open(bytesOf(ONE_PAGE_PDF));
    assert.equal(await pageCountOf(id), 1);
    assert.equal((await page(id, 0)).status, 200, 'page 0 exists');
    for (const prefix of ['/PCCIS/V1', '']) {
      for (const path of [
        `/Page/q/99?DocumentID=u${id}&ContentType=png`,
        `/Page/q/1?DocumentID=u${id}&ContentType=png`,
        `/Page/q/99?DocumentID=u${id}&ContentType=svg`,
        `/Page/q/99?DocumentID=u${id}&ContentType=jpeg`,
        `/Page/q/99/Tile/0/0/256/256?DocumentID=u${id}&ContentType=png`,
        `/Page/q/99/200x200?DocumentID=u${id}`,
        `/Page/q/99/Attributes?DocumentID=u${id}`,
        // Text of a fully converted document: past its end is an error, not "not ready yet".
        `/Document/q/99-99/Text?DocumentID=u${id}`,
        `/Document/q/1-5/Text?DocumentID=u${id}`,
      ]) {
        const r = await call(q, 'GET', prefix + path);
        assertError(r, 480, 'InvalidInput', prefix + path);
        assert.equal(r.body.errorDetails?.at, 'pageNumber', path);
        assert.equal(r.body.errorDetails?.in, 'path', path);
        assert.deepEqual(r.body.errorDetails?.expected, { minimum: 0, maximum: 0 }, path);
      }
    }
  });
});

// ---- search and SVG -----------------------------------------------------------------------------

describe('search tasks and SVG pages', () => {
  const search = (id: string, pattern: string) =>
    call(q, 'POST', `/v2/viewingSessions/${id}/searchTasks`, { json: { input: { searchTerms: [{ type: 'simple', pattern, caseSensitive: false }] } } });

  test('GET /v2/searchTasks/{pid} tells the state; DELETE removes the task: then 404 NotFound on status, results and DELETE', async () => {
    const id = await open(bytesOf(PAGELABELS));
    const started = await search(id, 'more text here');
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const pid = started.body.processId as string;
    assert.equal(typeof pid, 'string');
    let status: Answer;
    for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
      status = await call(q, 'GET', `/v2/searchTasks/${pid}`);
      assert.equal(status.status, 200, JSON.stringify(status.body));
      assert.equal(status.body.processId, pid);
      assert.ok(['processing', 'complete'].includes(status.body.state), JSON.stringify(status.body));
      if (status.body.state !== 'processing' || Date.now() > deadline) break;
    }
    assert.equal(status.body.state, 'complete');
    assert.equal(status.body.percentComplete, 100);
    assert.ok(!Number.isNaN(Date.parse(status.body.expirationDateTime)));
    const results = await call(q, 'GET', `/v2/searchTasks/${pid}/results`);
    assert.equal(results.status, 200);
    assert.deepEqual([...new Set(results.body.results.map((x: { pageIndex: number }) => x.pageIndex))], [4]);

    const del = await call(q, 'DELETE', `/v2/searchTasks/${pid}`);
    assert.equal(del.status, 204);
    assert.equal(del.bytes.length, 0);
    for (const [method, path] of [['GET', `/v2/searchTasks/${pid}`], ['GET', `/v2/searchTasks/${pid}/results`], ['DELETE', `/v2/searchTasks/${pid}`]] as const) {
      const r = await call(q, method, path);
      assert.equal(r.status, 404, `${method} ${path} after DELETE: ${r.status}`);
      assert.equal(r.body.errorCode, 'NotFound');
    }
    const unknown = await call(q, 'GET', `/v2/searchTasks/${randomBytes(16).toString('base64url')}`);
    assert.equal(unknown.status, 404);
  });

  test('DELETE of a task still searching stops it; the session takes a new search', async () => {
    const id = await open(bytesOf(PAGELABELS));
    const started = await search(id, 'Contents');
    const del = await call(q, 'DELETE', `/v2/searchTasks/${started.body.processId}`);
    assert.equal(del.status, 204);
    assert.equal((await call(q, 'GET', `/v2/searchTasks/${started.body.processId}/results`)).status, 404);
    const again = await search(id, 'Contents');
    assert.equal(again.status, 200);
    assert.notEqual(again.body.processId, started.body.processId);
  });

  test('ContentType=svg: a valid SVG page with its text as text, the same page svgb serves, locked down by CSP', async () => {
    const id = await open(bytesOf(PAGELABELS));
    const a = await pageAttributes(id, 0);
    const r = await page(id, 0, 'ContentType=svg');
    const svg = await assertSvgPage(r, a.body, 'svg');
    assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.ok(r.headers.get('etag'));
    const words = [...svg.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/g)].map((m) => m[1]!.replace(/<[^>]*>/g, '')).join(' ');
    assert.match(words, /Contents/, 'the page text is in <text> elements');
    const b = await page(id, 0, 'ContentType=svgb');
    assert.equal(b.status, 200);
    assert.ok(b.bytes.equals(r.bytes), 'svg and svgb are the same page');
  });
});

// ---- passwords ----------------------------------------------------------------------------------

describe('password-protected Office files through the session routes', () => {
  const locked = [
    // `like`: the unprotected file of the same source and kind, whose page count LibreOffice reported.
    { name: 'locked.docx', like: 'f.dotx', words: /Zebra quartz paragraph one/ },
    { name: 'locked.doc', like: 'f.doc', words: /Zebra quartz paragraph one/ },
    { name: 'locked.xls', like: 'f.xls', words: /Category 1/ },
  ];
  for (const { name, like, words } of locked) {
    test(`${name} (no FileExtension): 480 4001 on page, attributes and text requests; Replacement with a wrong password still needs one, with "foo" it renders`, async () => {
      const m = await made;
      const bytes = readFileSync(m.file(name));
      const id = await open(bytes);
      assert.equal(await storedFormat(id), name.split('.')[1], 'stored as the document it is');
      const asks = (sid: string) => [
        ['png page', page(sid, 0)],
        ['svg page', page(sid, 0, 'ContentType=svg')],
        ['page attributes', pageAttributes(sid, 0)],
        ['document attributes', docAttributes(sid)],
        ['text', textRequest(sid, 0)],
      ] as const;
      for (const [what, r] of asks(id)) assertPasswordNeeded(await r, `${name} ${what}`);

      const wrong = await call(q, 'POST', `${V1}/u${id}/Replacement`, { json: { password: 'bar' } });
      assert.equal(wrong.status, 200, JSON.stringify(wrong.body));
      for (const [what, r] of asks(wrong.body.viewingSessionId)) assertPasswordNeeded(await r, `${name} with a wrong password: ${what}`);

      const right = await call(q, 'POST', `${V1}/u${wrong.body.viewingSessionId}/Replacement`, { json: { password: 'foo' } });
      assert.equal(right.status, 200, JSON.stringify(right.body));
      const next = right.body.viewingSessionId as string;
      assert.equal(await pageCountOf(next), m.pages(like));
      const png = await page(next, 0);
      assert.equal(png.status, 200, JSON.stringify(png.body));
      assert.equal((await sharp(png.bytes).metadata()).format, 'png');
      const t = await textOf(next, 0);
      assert.match(t.text, words);
      assert.equal(t.rectangles.length, t.text.length);
    });
  }

  test('a protected DOCX whose password comes with the session renders at once', async () => {
    const m = await made;
    const id = await open(readFileSync(m.file('locked.docx')), { props: { password: 'foo' } });
    assert.equal(await pageCountOf(id), 3);
    assert.match((await textOf(id, 2)).text, /Third page words/);
  });
});

// ---- damaged files ------------------------------------------------------------------------------

describe('damaged and hostile files, answered exactly', () => {
  const limitMs = (JOB_TIMEOUT_S + 15) * 1000;

  test('zen_of_python_corrupted.pdf and contrib-issue-1113-evil-xobjects.pdf: poppler draws what it can, the page count is pdfinfo\'s', async () => {
    for (const [file, words] of [['zen_of_python_corrupted.pdf', /Beautiful is better than ugly/], ['contrib-issue-1113-evil-xobjects.pdf', /Hello world/]] as const) {
      const t0 = Date.now();
      const path = join(CORPUS, 'pdf', file);
      const id = await open(bytesOf(path));
      assert.equal(await pageCountOf(id), pdfPages(path), file);
      const png = await page(id, 0);
      assert.equal(png.status, 200, `${file}: ${JSON.stringify(png.body)}`);
      assert.equal((await sharp(png.bytes).metadata()).format, 'png');
      const a = await pageAttributes(id, 0);
      await assertSvgPage(await page(id, 0, 'ContentType=svg'), a.body, file);
      assert.match((await textOf(id, 0)).text, words, file);
      assert.ok(Date.now() - t0 < limitMs, `${file} took ${Date.now() - t0} ms`);
    }
  });

  test('random bytes and a truncated DOCX are refused at upload: 580 UnrecognizedFileFormat; the session then takes a real document', async () => {
    const docx = bytesOf(SMALL_DOCX);
    for (const [what, bytes] of [['random bytes', randomBytes(64 * 1024)], ['a truncated DOCX', docx.subarray(0, Math.floor(docx.length * 0.6))]] as const) {
      const id = await createSession(q, {});
      const t0 = Date.now();
      const up = await uploadSource(q, id, bytes);
      assertError(up, 580, 'UnrecognizedFileFormat', what);
      assert.equal(up.headers.get('accusoft-status-message'), 'Unrecognized File Format', what);
      assert.ok(Date.now() - t0 < limitMs);
      const retry = await uploadSource(q, id, docx);
      assert.equal(retry.status, 200, `${what}: the slot was released`);
      assert.equal((await page(id, 0)).status, 200);
    }
  });

  test('a PDF header over random bytes: 580 CouldNotRender on page, attributes and text', async () => {
    const id = await open(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64 * 1024)]));
    const t0 = Date.now();
    for (const [what, r] of [['page', page(id, 0)], ['page attributes', pageAttributes(id, 0)], ['document attributes', docAttributes(id)], ['text', textRequest(id, 0)]] as const) {
      const a = await r;
      assertError(a, 580, 'CouldNotRender', what);
      assert.ok(a.headers.get('accusoft-status-message'), what);
    }
    assert.ok(Date.now() - t0 < limitMs);
  });

  test('a 20,000 × 20,000 PNG: 580 ImageTooLarge on page, SVG and attributes, within the job time limit', async () => {
    const id = await open(await hugePng(20_000, 20_000));
    assert.equal(await storedFormat(id), 'png');
    const t0 = Date.now();
    for (const [what, r] of [['png page', page(id, 0)], ['svg page', page(id, 0, 'ContentType=svg')], ['document attributes', docAttributes(id)], ['thumbnail', call(q, 'GET', `/PCCIS/V1/Page/q/0/200x200?DocumentID=u${id}`)]] as const) {
      const a = await r;
      assertError(a, 580, 'ImageTooLarge', what);
      assert.ok(a.headers.get('accusoft-status-message'), what);
    }
    assert.ok(Date.now() - t0 < limitMs, `took ${Date.now() - t0} ms`);
  });

  test('afterwards the server still renders normal documents', async () => {
    const id = await open(bytesOf(SMALL_DOCX));
    assert.equal((await page(id, 0)).status, 200);
    assert.match((await textOf(id, 0)).text, /python-docx was here/);
    assert.equal((await page(await open(bytesOf(ONE_PAGE_PDF)), 0)).status, 200);
  });
});

// ---- the LibreOffice pool: memory ---------------------------------------------------------------

describe('the LibreOffice pool recycles an instance over its memory limit', () => {
  test('maxRssMb: an instance using more than the limit is replaced after its job; the job itself succeeds', async () => {
    const events: PoolEvent[] = [];
    const pool = createLibreOfficePool({ size: 1, maxRssMb: 1, profileRoot: join(tmp, 'pool-profiles'), onEvent: (e) => events.push(e) });
    try {
      await pool.warmUp();
      const first = (await pool.stats()).instances[0]!;
      assert.ok(first.rssMb !== undefined && first.rssMb > 1, `the warm soffice uses ${first.rssMb} MiB, over the 1 MiB limit`);
      const out = join(tmp, 'pool-1.pdf');
      await pool.convert(SMALL_DOCX, out, { format: 'pdf', inputExtension: 'docx' });
      assert.ok(pdfPages(out) >= 1, 'the job that went over the limit still delivered');
      let s = await pool.stats();
      assert.equal(s.recycles, 1, 'recycled after its job');
      assert.ok(events.some((e) => e.type === 'restarting' && e.reason === 'recycle'), JSON.stringify(events));
      // A fresh soffice takes its place, and the old one is gone.
      for (const deadline = Date.now() + 60_000; s.starts < 2 || s.instances.length === 0; await sleep(50)) {
        assert.ok(Date.now() < deadline, 'no replacement started');
        s = await pool.stats();
      }
      assert.notEqual(s.instances[0]!.sofficePid, first.sofficePid);
      for (const deadline = Date.now() + 30_000; existsSync(`/proc/${first.sofficePid}`); await sleep(50)) assert.ok(Date.now() < deadline, 'the old soffice is still there');
      assert.equal(s.crashes, 0);
      assert.equal(s.timeouts, 0);
      assert.equal(s.completed, 1);
    } finally {
      await pool.close();
    }
  });
});
