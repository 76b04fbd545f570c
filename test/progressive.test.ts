// Issue 4, "Behaviour a viewer relies on": conversion starts at SessionStarted or with
// `startConverting`, `countOfInitialPages` first pages come out of their own short LibreOffice
// export while the whole document still converts, text leaves out pages not ready yet, the page
// count is estimated while converting and exact after, concurrent sessions of one document convert
// it once, and every answer that cannot change carries an ETag and Cache-Control (estimates and
// incomplete text are `no-store`). Against a started Quire with its real engines; the renderer's
// info log lines ("first pages prepared", "document prepared", with the rendition key) say what ran.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { CORPUS, call, startQuire, type Quire } from './helpers/quire.ts';
import { V1, bytesOf, createSession, uploadSource } from './helpers/prizmdoc.ts';
import { docxBytes, type Block } from './helpers/comparison-docs.ts';
import { until } from './helpers/wait.ts';

let q: Quire;

before(async () => {
  q = await startQuire({ env: { QUIRE_JOB_TIMEOUT_SECONDS: '120' } });
});
after(async () => q?.dispose());

// ---- helpers ------------------------------------------------------------------------------------

const sha = (...parts: (string | Uint8Array)[]) => createHash('sha256').update(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))))).digest('hex');
/** rendering/rendition-key.ts sharedKey for the open server's tenant ("default"), no password. */
const sharedKey = (bytes: Uint8Array, ext: string) => sha('tenant\0', 'default', '\0', sha(bytes), '\0', ext, '\0');
const renditionDir = (key: string) => join(q.dataDir, 'renditions', key.slice(0, 2), key);
const drawn = (key: string) => (existsSync(renditionDir(key)) ? readdirSync(renditionDir(key)) : []);
/** The renderer's info lines about this rendition key. */
const logLines = (key: string, msg: string) =>
  q
    .output()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}"`) && l.includes(`"key":"${key.slice(0, 12)}"`))
    .map((l) => JSON.parse(l) as { pages: number; ms: number });

const PARA = 'Quire renders office documents to pages; the quick brown fox jumps over the lazy dog. '.repeat(5);

/** A DOCX of body text flowing over about `pages` pages (no page breaks); `appPages` writes docProps/app.xml as Word would. */
function flowingDocx(pages: number, opts: { appPages?: number } = {}): Uint8Array {
  const nonce = randomBytes(6).toString('hex');
  const blocks: Block[] = [{ p: [`Document ${nonce}`], heading: true }];
  for (let i = 0; i < pages * 9; i++) blocks.push({ p: [`${i} ${PARA}`] });
  return withAppXml(docxBytes(blocks, { header: nonce }), opts.appPages);
}

/** A DOCX of `pages` page-broken sections. */
function brokenDocx(pages: number): Uint8Array {
  const nonce = randomBytes(6).toString('hex');
  const blocks: Block[] = [];
  for (let p = 0; p < pages; p++) {
    blocks.push({ p: [`Section ${p + 1} ${nonce}`], heading: true, pageBreakBefore: p > 0 });
    blocks.push({ p: [PARA] });
  }
  return docxBytes(blocks, { header: nonce });
}

function withAppXml(docx: Uint8Array, pages: number | undefined): Uint8Array {
  if (pages === undefined) return docx;
  const files = unzipSync(docx);
  const ct = strFromU8(files['[Content_Types].xml']!).replace(
    '</Types>',
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>',
  );
  const rels = strFromU8(files['_rels/.rels']!).replace(
    '</Relationships>',
    '<Relationship Id="rIdApp" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>',
  );
  files['[Content_Types].xml'] = strToU8(ct);
  files['_rels/.rels'] = strToU8(rels);
  files['docProps/app.xml'] = strToU8(
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Office Word</Application><Pages>${pages}</Pages></Properties>`,
  );
  return zipSync(files);
}

async function open(bytes: Uint8Array, props: object = {}, ext?: string): Promise<string> {
  const id = await createSession(q, props);
  const up = await uploadSource(q, id, bytes, ext ? { ext } : {});
  assert.equal(up.status, 200, `upload answered ${up.status} ${JSON.stringify(up.body)}`);
  return id;
}

const started = (id: string) => call(q, 'POST', `${V1}/u${id}/Notification/SessionStarted`, { json: { viewer: 'HTML5' } });
const docAttributes = (id: string, confidence?: number, headers: Record<string, string> = {}) =>
  call(q, 'GET', `/PCCIS/V1/Document/q/Attributes?DocumentID=u${id}${confidence === undefined ? '' : `&DesiredPageCountConfidence=${confidence}`}`, { headers });
const pageAttributes = (id: string, n: number, headers: Record<string, string> = {}) => call(q, 'GET', `/PCCIS/V1/Page/q/${n}/Attributes?DocumentID=u${id}`, { headers });
const text = (id: string, a: number, b: number, headers: Record<string, string> = {}) => call(q, 'GET', `/PCCIS/V1/Document/q/${a}-${b}/Text?DocumentID=u${id}`, { headers });
const page = (id: string, n: number, query = 'ContentType=png', headers: Record<string, string> = {}) => call(q, 'GET', `/PCCIS/V1/Page/q/${n}?DocumentID=u${id}&${query}`, { headers });

function assertCacheable(r: { status: number; headers: Headers }, what: string): string {
  assert.equal(r.status, 200, what);
  const etag = r.headers.get('etag');
  assert.ok(etag && /^"[^"]+"$/.test(etag), `${what}: ETag ${etag}`);
  assert.equal(r.headers.get('cache-control'), 'private, max-age=86400', what);
  return etag;
}

function assertNotStored(r: { status: number; headers: Headers }, what: string): void {
  assert.equal(r.status, 200, what);
  assert.equal(r.headers.get('etag'), null, `${what} must carry no ETag`);
  assert.equal(r.headers.get('cache-control'), 'no-store', what);
}

async function assert304(r: Promise<{ status: number; headers: Headers; bytes: Buffer }>, etag: string, what: string): Promise<void> {
  const again = await r;
  assert.equal(again.status, 304, `${what}: If-None-Match answered ${again.status}`);
  assert.equal(again.bytes.length, 0);
  assert.equal(again.headers.get('etag'), etag);
}

// ---- when conversion starts ------------------------------------------------------------------

describe('when conversion starts', () => {
  test('an upload alone converts nothing; SessionStarted converts the document and draws page 0 before any content request', async () => {
    const bytes = brokenDocx(3);
    const key = sharedKey(bytes, 'docx');
    const id = await open(bytes);
    // Nothing asks for content: nothing may be converted (the document would be, within this wait, were it started).
    await sleep(1500);
    assert.equal(logLines(key, 'document prepared').length, 0, 'converted without SessionStarted or a content request');
    assert.equal((await started(id)).status, 200);
    await until('the document prepared after SessionStarted', () => logLines(key, 'document prepared').length === 1);
    // Page 0 is drawn ahead of the viewer (SVG by default): it is in the cache before anyone asked.
    await until('page 0 drawn ahead', () => drawn(key).includes('p0.svg'));
    assert.ok(!drawn(key).includes('p1.svg'), 'only the first page is drawn ahead (countOfInitialPages 0 → 1)');
    const svg = await page(id, 0, 'ContentType=svgb');
    assertCacheable(svg, 'page 0');
    assert.match(svg.bytes.toString('utf8', 0, 1000), /<svg[^>]*width="816"/);
  });

  test('startConverting "initialPages" converts at upload and draws countOfInitialPages pages in contentType; those first pages come from their own export', async () => {
    const bytes = brokenDocx(5);
    const key = sharedKey(bytes, 'docx');
    await open(bytes, { startConverting: 'initialPages', countOfInitialPages: 2, contentType: 'png' });
    await until('the document prepared without SessionStarted', () => logLines(key, 'document prepared').length === 1);
    await until('pages 0 and 1 drawn as PNG', () => drawn(key).includes('p0.s1.000.png') && drawn(key).includes('p1.s1.000.png'));
    // countOfInitialPages 2 of a document estimated at 5 pages: the first 2 were exported on their own, once.
    const first = logLines(key, 'first pages prepared');
    assert.equal(first.length, 1, 'one export of the first pages');
    assert.equal(first[0]!.pages, 2);
    await sleep(300);
    assert.ok(!drawn(key).some((f) => f.startsWith('p2.')), 'page 2 is not drawn ahead');
    assert.ok(!drawn(key).some((f) => f.endsWith('.svg')), 'contentType png: no SVG drawn ahead');
  });

  test('startConverting "none": the first content request converts', async () => {
    const bytes = brokenDocx(2);
    const key = sharedKey(bytes, 'docx');
    const id = await open(bytes, { startConverting: 'none' });
    await sleep(1000);
    assert.equal(logLines(key, 'document prepared').length, 0);
    const r = await text(id, 0, 1);
    assertCacheable(r, 'text of a short document');
    assert.deepEqual(r.body.pages.map((p: { number: number }) => p.number), [0, 1]);
    assert.equal(logLines(key, 'document prepared').length, 1);
  });
});

// ---- a long document while it converts ----------------------------------------------------------

describe('a long DOCX while it converts', () => {
  test('page count estimated from docProps/app.xml, then exact; page 0 and text of the first pages served before the last page is converted', async () => {
    const bytes = flowingDocx(200, { appPages: 200 });
    const key = sharedKey(bytes, 'docx');
    const id = await open(bytes, { countOfInitialPages: 1 });
    assert.equal((await started(id)).status, 200);

    // While converting: Word's own count at the confidence Quire gives it (50), and never cacheable.
    const estimate = await docAttributes(id, 50);
    assert.deepEqual(estimate.body, { pageCount: 200, pageCountConfidence: 50 });
    assertNotStored(estimate, 'an estimated page count');
    // The browser viewer asks with confidence 0 and shows "Page 1 of about 200" from this answer.
    assert.deepEqual((await docAttributes(id, 0)).body, { pageCount: 200, pageCountConfidence: 50 });

    await until('the first page exported', () => logLines(key, 'first pages prepared').length === 1);
    assert.equal(logLines(key, 'first pages prepared')[0]!.pages, 1);
    assert.equal(logLines(key, 'document prepared').length, 0, 'the whole document is still converting');

    // Text of pages 0–4: only page 0 is ready; the rest are left out (the client polls), so not cacheable.
    const partial = await text(id, 0, 4);
    assert.deepEqual(partial.body.pages.map((p: { number: number }) => p.number), [0], 'only the first page while converting');
    assert.match(partial.body.pages[0].text, /Document [0-9a-f]{12}/);
    assert.equal(partial.body.pages[0].rectangles.length, partial.body.pages[0].text.length);
    assertNotStored(partial, 'text missing pages');
    // Page 0 itself, drawn from the first page's export.
    const png = await page(id, 0);
    assertCacheable(png, 'page 0 while converting');
    const early = await sharp(png.bytes).metadata();
    assert.equal(logLines(key, 'document prepared').length, 0, 'page 0 and its text came before the last page was converted');

    await until('the whole document prepared', () => logLines(key, 'document prepared').length === 1, 120_000);
    const exact = await docAttributes(id, 50);
    assert.equal(exact.body.pageCountConfidence, 100);
    const pages = exact.body.pageCount;
    assert.ok(pages > 130 && pages < 270, `about 200 pages, got ${pages}`);
    assert.equal(logLines(key, 'document prepared')[0]!.pages, pages);
    const etag = assertCacheable(exact, 'the exact page count');
    await assert304(docAttributes(id, 100, { 'If-None-Match': etag }), etag, 'Document Attributes');

    // The first page's size from its own export is the whole document's.
    const attrs = await pageAttributes(id, 0);
    assert.equal(attrs.body.pageCount, pages);
    assert.deepEqual([early.width, early.height], [attrs.body.imageWidth, attrs.body.imageHeight]);
    // The same page-0 text, now with pages 1–4 too, and cacheable.
    const whole = await text(id, 0, 4);
    assert.deepEqual(whole.body.pages.map((p: { number: number }) => p.number), [0, 1, 2, 3, 4]);
    assert.deepEqual(whole.body.pages[0], partial.body.pages[0], 'page 0 from the first pages export equals the whole document\'s');
    const textTag = assertCacheable(whole, 'complete text');
    await assert304(text(id, 0, 4, { 'If-None-Match': textTag }), textTag, 'Text');
    // The first page's export was exported once; the document once.
    assert.equal(logLines(key, 'first pages prepared').length, 1);
  });

  test('Page Attributes of a first page answers from its export while converting (best count so far, no-store); exact and cacheable once converted', async () => {
    // No countOfInitialPages: a document estimated at 20 pages or more gets its first pages exported ahead.
    const bytes = flowingDocx(200);
    const key = sharedKey(bytes, 'docx');
    const id = await open(bytes);

    // The request itself starts the conversion and waits only for the first pages' export.
    const early = await pageAttributes(id, 0);
    assert.equal(logLines(key, 'document prepared').length, 0, 'answered before the whole document was prepared');
    const first = logLines(key, 'first pages prepared');
    assert.equal(first.length, 1, 'the first pages were exported ahead');
    const firstPages = first[0]!.pages;
    assert.ok(firstPages >= 1);
    assertNotStored(early, 'Page Attributes with an estimated count');
    assert.ok(early.body.pageCount >= firstPages, `count ${early.body.pageCount} at least the ${firstPages} first pages`);
    assert.ok(early.body.imageWidth > 0 && early.body.imageHeight > 0);
    // The count is the server's estimate (Document Attributes at confidence 0) while that is not exact.
    const estimate = await docAttributes(id, 0);
    if (estimate.body.pageCountConfidence < 100) {
      assert.equal(early.body.pageCount, Math.max(estimate.body.pageCount, firstPages), JSON.stringify(estimate.body));
      assert.ok(early.body.pageCount > 100, `a text-length estimate of about 200 pages, got ${early.body.pageCount}`);
    }
    // The last first page is answered early too; a page past them waits for the whole document.
    if (logLines(key, 'document prepared').length === 0) assertNotStored(await pageAttributes(id, firstPages - 1), `page ${firstPages - 1} while converting`);
    const later = await pageAttributes(id, firstPages + 3);
    assert.equal(logLines(key, 'document prepared').length, 1, 'a page past the first ones waits for the whole document');
    assertCacheable(later, 'Page Attributes of a page past the first ones');

    // Converted: the exact count, with an ETag; the first page's size is the one answered early.
    const pages = logLines(key, 'document prepared')[0]!.pages;
    assert.equal(later.body.pageCount, pages);
    const exact = await pageAttributes(id, 0);
    assert.equal(exact.body.pageCount, pages);
    assert.deepEqual([exact.body.imageWidth, exact.body.imageHeight], [early.body.imageWidth, early.body.imageHeight]);
    const etag = assertCacheable(exact, 'Page Attributes once converted');
    await assert304(pageAttributes(id, 0, { 'If-None-Match': etag }), etag, 'Page Attributes');
  });

  test('a PPTX is estimated from its slide parts (confidence 80) and then counted exactly', async () => {
    const bytes = bytesOf(join(CORPUS, 'pptx/pypptx-ph-populated-placeholders.pptx'));
    const id = await open(bytes, { serverCaching: 'none' });
    const estimate = await docAttributes(id, 80);
    assert.deepEqual(estimate.body, { pageCount: 9, pageCountConfidence: 80 });
    assertNotStored(estimate, 'an estimate');
    // Asking for more confidence than the estimate has waits for the exact count.
    const exact = await docAttributes(id, 81);
    assert.deepEqual(exact.body, { pageCount: 9, pageCountConfidence: 100 });
    assertCacheable(exact, 'the exact count');
  });

  test('a document with nothing to estimate from answers 1 at confidence 0 only when that is enough', async () => {
    const plain = () => Buffer.from(`${'A line of plain text.\n'.repeat(40)}${randomBytes(4).toString('hex')}\n`);
    // Confidence 0 accepts any answer, at once (LibreOffice takes longer than that to convert).
    const any = await docAttributes(await open(plain(), { serverCaching: 'none' }, 'txt'), 0);
    assert.deepEqual(any.body, { pageCount: 1, pageCountConfidence: 0 });
    assertNotStored(any, 'a guess');
    const id = await open(plain(), { serverCaching: 'none' }, 'txt');
    const r = await docAttributes(id, 1);
    assert.deepEqual(r.body, { pageCount: 1, pageCountConfidence: 100 });
    assertCacheable(r, 'a count with confidence 100');
  });
});

// ---- PDFs: nothing to convert ----------------------------------------------------------------

describe('PDF input', () => {
  test('the page count is exact at once, and any page is drawn without drawing the others', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    for (let i = 0; i < 40; i++) pdf.addPage([612, 792]).drawText(`PDF page ${i} ${randomBytes(3).toString('hex')}`, { x: 72, y: 700, size: 14, font });
    const bytes = await pdf.save();
    const key = sharedKey(bytes, 'pdf');
    const id = await open(bytes);
    const count = await docAttributes(id, 1);
    assert.deepEqual(count.body, { pageCount: 40, pageCountConfidence: 100 });
    assertCacheable(count, 'a PDF page count');
    assert.equal((await page(id, 33)).status, 200);
    const t = await text(id, 20, 20);
    assert.match(t.body.pages[0].text, /PDF page 20 /);
    assert.deepEqual(drawn(key).filter((f) => /^p\d/.test(f)).sort(), ['p33.s1.000.png']);
    assert.deepEqual(drawn(key).filter((f) => /^t\d/.test(f)), ['t20.json']);
  });
});

// ---- one conversion for concurrent sessions ---------------------------------------------------

describe('concurrent sessions of one document', () => {
  test('four sessions (serverCaching full, one tenant) asking for page 0 at once convert the document once', async () => {
    const bytes = brokenDocx(25);
    const key = sharedKey(bytes, 'docx');
    const ids = await Promise.all([0, 1, 2, 3].map(() => open(bytes)));
    const pages = await Promise.all(ids.map((id) => page(id, 0, 'ContentType=svgb')));
    for (const p of pages) assert.equal(p.status, 200);
    assert.ok(pages.every((p) => p.bytes.equals(pages[0]!.bytes)), 'the same page for every session');
    await Promise.all(ids.map((id) => docAttributes(id)));
    assert.equal(logLines(key, 'document prepared').length, 1, 'one conversion of the whole document');
    // A long document (25 page breaks) gets its first pages exported ahead by default: also once.
    assert.equal(logLines(key, 'first pages prepared').length, 1, 'one export of its first pages');
    // Every session's ETag names its own session.
    assert.equal(new Set(pages.map((p) => p.headers.get('etag'))).size, 4);
  });
});

// ---- cache headers ----------------------------------------------------------------------------

describe('cache headers', () => {
  test('Page Attributes, page content per Quality, Text and Document Attributes carry ETags and answer 304', async () => {
    const id = await open(bytesOf(join(CORPUS, 'pdf/contrib-pagelabels.pdf')));
    const attrs = await pageAttributes(id, 1);
    const attrsTag = assertCacheable(attrs, 'Page Attributes');
    await assert304(pageAttributes(id, 1, { 'If-None-Match': attrsTag }), attrsTag, 'Page Attributes');
    // A weak or listed validator matches too.
    await assert304(pageAttributes(id, 1, { 'If-None-Match': `"other", W/${attrsTag}` }), attrsTag, 'Page Attributes (list)');
    assert.notEqual(assertCacheable(await pageAttributes(id, 2), 'Page Attributes 2'), attrsTag);

    // JPEG quality changes the bytes, so it changes the ETag.
    const q50 = await page(id, 0, 'ContentType=jpeg&Quality=50');
    const q90 = await page(id, 0, 'ContentType=jpeg&Quality=90');
    const tag50 = assertCacheable(q50, 'jpeg q50');
    const tag90 = assertCacheable(q90, 'jpeg q90');
    assert.notEqual(tag50, tag90);
    assert.ok(q90.bytes.length > q50.bytes.length, 'quality 90 is the larger picture');
    const stale = await page(id, 0, 'ContentType=jpeg&Quality=90', { 'If-None-Match': tag50 });
    assert.equal(stale.status, 200, 'another quality\'s ETag does not match');
    await assert304(page(id, 0, 'ContentType=jpeg&Quality=90', { 'If-None-Match': tag90 }), tag90, 'jpeg page');
    // The vendor's form leads the ETag.
    assert.ok(tag90.startsWith(`"${id}-pagerender-0-1.00-jpeg`), tag90);
    // A finer scale than two decimals draws other bytes: another ETag.
    assert.notEqual(assertCacheable(await page(id, 0, 'ContentType=png&Scale=1.004'), 'png 1.004'), assertCacheable(await page(id, 0, 'ContentType=png&Scale=1'), 'png 1'));

    const t = await text(id, 0, 9);
    assert.equal(t.body.pages.length, 5, 'a range past the end holds the pages that exist');
    const textTag = assertCacheable(t, 'text of a whole PDF');
    await assert304(text(id, 0, 9, { 'If-None-Match': textTag }), textTag, 'Text');

    const d = await docAttributes(id);
    const docTag = assertCacheable(d, 'Document Attributes');
    await assert304(docAttributes(id, undefined, { 'If-None-Match': docTag }), docTag, 'Document Attributes');

    // Errors are never cacheable.
    const missing = await pageAttributes(id, 99);
    assert.equal(missing.status, 480);
    assert.equal(missing.headers.get('etag'), null);
    assert.equal(missing.headers.get('cache-control'), null);
  });
});
