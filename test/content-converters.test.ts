// Content conversion (POST/GET /v2/contentConverters) against a started Quire with real engines:
// driven by the vendor's own client as its README shows, and by plain HTTP for every output format,
// page selection and error code. Outputs are checked with independent tools (pdfinfo, sharp).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { CORPUS, call, startQuire, type Quire } from './helpers/quire.ts';
import { DOCX, UNRECOGNIZABLE, assert480, bytesOf, createWorkFile } from './helpers/prizmdoc.ts';

const CC = '/v2/contentConverters';
const K1 = { 'Acs-Api-Key': 'k1aaaaaaaa' };
const K2 = { 'Acs-Api-Key': 'k2bbbbbbbb' };
const FIVE_PAGES = join(CORPUS, 'pdf/contrib-pagelabels.pdf');
const THREE_PAGES = join(CORPUS, 'pdf/font-size-test.pdf');
/** Encrypted with an owner password only: opens without one, but pdf-lib refuses it. */
const OWNER_ONLY = join(CORPUS, 'pdf/contrib-issue-625-identity-cmap.pdf');
const USER_PASSWORD = join(CORPUS, 'pdf/encryption-aes-128.pdf');

let q: Quire;
let tmp: string;
const ids: Record<string, string> = {};

before(async () => {
  q = await startQuire({ env: { QUIRE_API_KEYS: 'k1aaaaaaaa:t1,k2bbbbbbbb:t2' } });
  tmp = mkdtempSync(join(tmpdir(), 'quire-cc-test-'));
  const files: Record<string, [string, string?]> = {
    five: [FIVE_PAGES],
    three: [THREE_PAGES],
    ownerOnly: [OWNER_ONLY],
    locked: [USER_PASSWORD],
    docx: [DOCX],
  };
  await Promise.all(Object.entries(files).map(async ([name, [path]]) => (ids[name] = (await createWorkFile(q, bytesOf(path), { headers: K1 })).fileId)));
  ids.unknown = (await createWorkFile(q, UNRECOGNIZABLE, { headers: K1 })).fileId;
  ids.fakePdf = (await createWorkFile(q, UNRECOGNIZABLE, { ext: 'pdf', headers: K1 })).fileId;
  ids.otherTenant = (await createWorkFile(q, bytesOf(FIVE_PAGES), { headers: K2 })).fileId;
});
after(async () => {
  await q?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** POST a conversion, poll it to its end (as clients do), return the final status. */
async function convert(body: unknown, headers: Record<string, string> = K1) {
  const r = await call(q, 'POST', CC, { json: body, headers });
  assert.equal(r.status, 200, `POST answered ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.state, 'processing');
  assert.equal(typeof r.body.processId, 'string');
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(100)) {
    const s = await call(q, 'GET', `${CC}/${r.body.processId}`, { headers });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    if (s.body.state !== 'processing') return s.body;
  }
  throw new Error('the conversion did not finish in 2 minutes');
}

async function completed(body: unknown) {
  const s = await convert(body);
  assert.equal(s.state, 'complete', JSON.stringify(s));
  assert.equal(s.percentComplete, 100);
  return s.output.results as { fileId: string; pageCount: number; sources: { fileId: string; pages: string }[] }[];
}

async function download(fileId: string, headers: Record<string, string> = K1): Promise<Buffer> {
  const r = await call(q, 'GET', `/PCCIS/V1/WorkFile/${fileId}`, { headers });
  assert.equal(r.status, 200, `GET WorkFile answered ${r.status}`);
  return r.bytes;
}

let n = 0;
function pdfinfo(pdf: Buffer): { pages: number; encrypted: boolean } {
  const path = join(tmp, `out-${n++}.pdf`);
  writeFileSync(path, pdf);
  const out = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  return { pages: Number(/^Pages:\s+(\d+)/m.exec(out)![1]), encrypted: /^Encrypted:\s+yes/m.test(out) };
}

function pdftext(pdf: Buffer, page: number): string {
  const path = join(tmp, `out-${n++}.pdf`);
  writeFileSync(path, pdf);
  return execFileSync('pdftotext', ['-f', String(page), '-l', String(page), path, '-'], { encoding: 'utf8' });
}

const src = (fileId: string, more: Record<string, unknown> = {}) => ({ fileId, ...more });

describe('the vendor client @accusoft/prizmdoc-rest-client', () => {
  // CommonJS without types; used exactly as its README shows.
  const PrizmDocRestClient = createRequire(import.meta.url)('@accusoft/prizmdoc-rest-client');

  test('converts a DOCX to PDF: work file in, process polled to the end, work file out', async () => {
    const prizmdocServer = new PrizmDocRestClient({ baseUrl: q.baseUrl, headers: { 'Acs-Api-Key': 'k1aaaaaaaa' } });
    const session = prizmdocServer.createAffinitySession();
    let res = await session.post('/PCCIS/V1/WorkFile', { body: bytesOf(DOCX) });
    const inputWorkFile = await res.json();
    res = await session.post('/v2/contentConverters', {
      body: JSON.stringify({ input: { sources: [{ fileId: inputWorkFile.fileId }], dest: { format: 'pdf' } } }),
    });
    let process = await res.json();
    process = await session.getFinalProcessStatus(`/v2/contentConverters/${process.processId}`);
    assert.equal(process.state, 'complete', JSON.stringify(process));
    res = await session.get(`/PCCIS/V1/WorkFile/${process.output.results[0].fileId}`);
    assert.equal(res.status, 200);
    const pdf = Buffer.from(await res.buffer());
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal(pdfinfo(pdf).pages, process.output.results[0].pageCount);
    assert.ok(process.output.results[0].pageCount >= 1);
  });
});

describe('destinations', () => {
  test('pdf: the chosen pages of every source, in order, as one PDF; the status echoes the input without passwords', async () => {
    const s = await convert({
      input: { sources: [src(ids.five!, { pages: '4,1-2' }), src(ids.three!, { pages: '3' }), src(ids.locked!, { password: 'foo' })], dest: { format: 'pdf' } },
    });
    assert.equal(s.state, 'complete', JSON.stringify(s));
    assert.deepEqual(s.input.sources, [
      { fileId: ids.five, pages: '4,1-2' },
      { fileId: ids.three, pages: '3' },
      { fileId: ids.locked, pages: '' },
    ]);
    assert.ok(!JSON.stringify(s).includes('foo'), 'the password is not echoed');
    assert.ok(Date.parse(s.expirationDateTime) > Date.now());
    const [r] = s.output.results;
    assert.equal(s.output.results.length, 1);
    const pdf = await download(r.fileId);
    const info = pdfinfo(pdf);
    assert.equal(r.pageCount, 3 + 1 + 1);
    assert.equal(info.pages, 5);
    assert.equal(info.encrypted, false, 'the decrypted copy of the protected source was used');
    assert.deepEqual(r.sources, [
      { fileId: ids.five, pages: '4,1-2' },
      { fileId: ids.three, pages: '3' },
      { fileId: ids.locked, pages: '1' },
    ]);
    assert.match(pdftext(pdf, 1), /^Some text here\.\.\s+2\s*$/, 'page 4 of the first source comes first');
    assert.match(pdftext(pdf, 2), /^Contents/, 'then page 1');
  });

  test('pdf: a source encrypted with an owner password only is assembled (qpdf), unencrypted', async () => {
    const [r] = await completed({ input: { sources: [src(ids.ownerOnly!), src(ids.five!, { pages: '5' })], dest: { format: 'pdf' } } });
    const info = pdfinfo(await download(r!.fileId));
    assert.equal(info.pages, 3);
    assert.equal(info.encrypted, false);
  });

  test('pdf with forceOneFilePerPage: one single-page PDF per page', async () => {
    const results = await completed({ input: { sources: [src(ids.five!, { pages: '2-4' })], dest: { format: 'pdf', pdfOptions: { forceOneFilePerPage: true } } } });
    assert.equal(results.length, 3);
    assert.deepEqual(results.map((r) => r.sources[0]!.pages), ['2', '3', '4']);
    for (const r of results) assert.equal(pdfinfo(await download(r.fileId)).pages, 1);
  });

  test('png: one image per page, at the page size a viewer gets (96 dpi)', async () => {
    const results = await completed({ input: { sources: [src(ids.five!, { pages: '1,5' })], dest: { format: 'png' } } });
    assert.equal(results.length, 2);
    for (const r of results) {
      assert.equal(r.pageCount, 1);
      const m = await sharp(await download(r.fileId)).metadata();
      assert.equal(m.format, 'png');
      assert.deepEqual([m.width, m.height], [816, 1056]); // letter: 612 × 792 pt at 96/72
    }
    const info = await call(q, 'GET', `/PCCIS/V1/WorkFile/${results[0]!.fileId}/Info`, { headers: K1 });
    assert.equal(info.body.fileExtension, 'png');
  });

  test('png with maxWidth / maxHeight: fitted into the box, aspect ratio kept', async () => {
    const [a] = await completed({ input: { sources: [src(ids.five!, { pages: '1' })], dest: { format: 'png', pngOptions: { maxWidth: '300px' } } } });
    const ma = await sharp(await download(a!.fileId)).metadata();
    assert.equal(ma.width, 300);
    assert.ok(Math.abs(ma.height! - 388) <= 1, `height ${ma.height}`);
    const [b] = await completed({ input: { sources: [src(ids.five!, { pages: '1' })], dest: { format: 'png', pngOptions: { maxWidth: '800px', maxHeight: '600px' } } } });
    const mb = await sharp(await download(b!.fileId)).metadata();
    assert.equal(mb.height, 600);
    assert.ok(Math.abs(mb.width! - 464) <= 1, `width ${mb.width}`);
  });

  test('jpeg: one JPEG per page, of an office document too', async () => {
    const results = await completed({ input: { sources: [src(ids.docx!)], dest: { format: 'jpeg', jpegOptions: { maxHeight: '500px' } } } });
    assert.ok(results.length >= 1);
    for (const r of results) {
      const m = await sharp(await download(r.fileId)).metadata();
      assert.equal(m.format, 'jpeg');
      assert.equal(m.height, 500);
    }
  });

  test('svg: one SVG document per page, sized like the page (A4: 595 × 842 pt at 96/72)', async () => {
    const results = await completed({ input: { sources: [src(ids.three!, { pages: '2-3' })], dest: { format: 'svg' } } });
    assert.equal(results.length, 2);
    for (const r of results) {
      const svg = (await download(r.fileId)).toString('utf8');
      const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
      assert.match(root, /width="793\.33"/);
      assert.match(root, /height="1122\.67"/);
      assert.match(svg.trimEnd(), /<\/svg>$/);
      assert.ok(!/<script/i.test(svg));
    }
  });

  test('tiff: one multi-page TIFF of every chosen page; forceOneFilePerPage splits it', async () => {
    const [r] = await completed({ input: { sources: [src(ids.five!, { pages: '1-3' }), src(ids.three!, { pages: '1' })], dest: { format: 'tiff' } } });
    assert.equal(r!.pageCount, 4);
    const m = await sharp(await download(r!.fileId)).metadata();
    assert.equal(m.format, 'tiff');
    assert.equal(m.pages, 4);
    // Letter pages (816 × 1056) and an A4 page (794 × 1123) share one canvas of the largest sides.
    assert.deepEqual([m.width, m.height], [816, 1123]);

    const split = await completed({ input: { sources: [src(ids.five!, { pages: '1-2' })], dest: { format: 'tiff', tiffOptions: { forceOneFilePerPage: true, maxWidth: '200px' } } } });
    assert.equal(split.length, 2);
    for (const s of split) {
      const ms = await sharp(await download(s.fileId)).metadata();
      assert.equal(ms.pages ?? 1, 1);
      assert.equal(ms.width, 200);
    }
  });

  test('docx: a word-processing document through LibreOffice; its page count from the rendered document', async () => {
    const [r] = await completed({ input: { sources: [src(ids.docx!)], dest: { format: 'docx' } } });
    const docx = await download(r!.fileId);
    assert.equal(docx.subarray(0, 2).toString('latin1'), 'PK');
    assert.ok(docx.includes(Buffer.from('word/document.xml')));
    const info = await call(q, 'GET', `/PCCIS/V1/WorkFile/${r!.fileId}/Info`, { headers: K1 });
    assert.equal(info.body.fileExtension, 'docx');
    assert.ok(r!.pageCount >= 1);
  });
});

describe('work files and tenants', () => {
  test('results are work files of the caller\'s tenant, living as long as minSecondsAvailable asks', async () => {
    const before = Date.now();
    const s = await convert({ input: { sources: [src(ids.five!, { pages: '1' })], dest: { format: 'pdf' } }, minSecondsAvailable: 200_000 });
    assert.equal(s.state, 'complete');
    const fileId = s.output.results[0].fileId;
    const info = await call(q, 'GET', `/PCCIS/V1/WorkFile/${fileId}/Info`, { headers: K1 });
    const expires = Date.parse(info.body.expirationDateTime);
    assert.ok(expires >= before + 200_000_000 && expires <= Date.now() + 200_000_000 + 1000, info.body.expirationDateTime);
    assert.ok(Date.parse(s.expirationDateTime) >= before + 200_000_000, 'the process is readable as long too');
    assert.equal((await call(q, 'GET', `/PCCIS/V1/WorkFile/${fileId}`, { headers: K2 })).status, 404);
  });

  test('another tenant\'s work file is WorkFileDoesNotExist; another tenant\'s process is 404', async () => {
    const r = await call(q, 'POST', CC, { json: { input: { sources: [src(ids.otherTenant!)], dest: { format: 'pdf' } } }, headers: K1 });
    assert480(r, 'WorkFileDoesNotExist', 'input.sources[0].fileId');
    const mine = await call(q, 'POST', CC, { json: { input: { sources: [src(ids.five!, { pages: '1' })], dest: { format: 'pdf' } } }, headers: K1 });
    assert.equal(mine.status, 200);
    const theirs = await call(q, 'GET', `${CC}/${mine.body.processId}`, { headers: K2 });
    assert.equal(theirs.status, 404);
    assert.equal(theirs.body.errorCode, 'NotFound');
  });

  test('without an API key: 401; an unknown processId: 404', async () => {
    const r = await call(q, 'POST', CC, { json: { input: { sources: [src(ids.five!)], dest: { format: 'pdf' } } } });
    assert.equal(r.status, 401);
    assert.equal(r.body.errorCode, 'MissingApiKey');
    const u = await call(q, 'GET', `${CC}/AAAAAAAAAAAAAAAAAAAAAA`, { headers: K1 });
    assert.equal(u.status, 404);
  });

  test('a converted document is reused: a second conversion of the same bytes converts nothing', async () => {
    const count = () => q.output().split('\n').filter((l) => l.includes('document prepared') && l.includes('"ext":"docx"')).length;
    const other = (await createWorkFile(q, bytesOf(join(CORPUS, 'docx/mammoth-tables.docx')), { headers: K1 })).fileId;
    await completed({ input: { sources: [src(other)], dest: { format: 'pdf' } } });
    const afterFirst = count();
    // The same bytes as a new work file, to another format: still the same converted document.
    const again = (await createWorkFile(q, bytesOf(join(CORPUS, 'docx/mammoth-tables.docx')), { headers: K1 })).fileId;
    await completed({ input: { sources: [src(again)], dest: { format: 'png' } } });
    assert.equal(count(), afterFirst);
  });
});

describe('errors', () => {
  const post = (json: unknown, headers = K1) => call(q, 'POST', CC, { json, headers });

  test('MissingInput names what is missing', async () => {
    assert480(await post({}), 'MissingInput', 'input');
    assert480(await call(q, 'POST', CC, { headers: K1 }), 'MissingInput', 'input');
    assert480(await post({ input: { dest: { format: 'pdf' } } }), 'MissingInput', 'input.sources');
    assert480(await post({ input: { sources: [src(ids.five!)] } }), 'MissingInput', 'input.dest');
    assert480(await post({ input: { sources: [src(ids.five!)], dest: {} } }), 'MissingInput', 'input.dest.format');
    assert480(await post({ input: { sources: [{ pages: '1' }], dest: { format: 'pdf' } } }), 'MissingInput', 'input.sources[0].fileId');
  });

  test('InvalidInput for values of the wrong kind', async () => {
    const s = [src(ids.five!)];
    assert480(await post({ input: { sources: s, dest: { format: 'bmp' } } }), 'InvalidInput', 'input.dest.format');
    assert480(await post({ input: { sources: [], dest: { format: 'pdf' } } }), 'InvalidInput', 'input.sources');
    assert480(await post({ input: { sources: [src(ids.five!, { pages: 1 })], dest: { format: 'pdf' } } }), 'InvalidInput', 'input.sources[0].pages');
    assert480(await post({ input: { sources: s, dest: { format: 'png', pngOptions: { maxWidth: '800' } } } }), 'InvalidInput', 'input.dest.pngOptions.maxWidth');
    assert480(await post({ input: { sources: s, dest: { format: 'pdf', pngOptions: { maxWidth: '800px' } } } }), 'InvalidInput', 'input.dest.pngOptions');
    assert480(await post({ input: { sources: s, dest: { format: 'pdf', pdfOptions: { ocr: true } } } }), 'InvalidInput', 'input.dest.pdfOptions.ocr');
    assert480(await post({ input: { sources: s, dest: { format: 'pdf' } }, minSecondsAvailable: -1 }), 'InvalidInput', 'minSecondsAvailable');
    assert480(await post({ input: { sources: s, dest: { format: 'pdf' } }, extra: 1 }), 'InvalidInput', 'extra');
    assert480(await post({ input: { sources: [src(ids.docx!, { pages: '1' })], dest: { format: 'docx' } } }), 'InvalidInput', 'input.sources[0].pages');
    assert480(await post({ input: { sources: [src(ids.docx!), src(ids.docx!)], dest: { format: 'docx' } } }), 'InvalidInput', 'input.sources');
    assert480(await call(q, 'POST', CC, { body: '{not json', headers: K1 }), 'InvalidInput');
  });

  test('WorkFileDoesNotExist for an unknown fileId, at the source that names it', async () => {
    assert480(await post({ input: { sources: [src(ids.five!), src('AAAAAAAAAAAAAAAAAAAAAA')], dest: { format: 'pdf' } } }), 'WorkFileDoesNotExist', 'input.sources[1].fileId');
    assert480(await post({ input: { sources: [src('not an id')], dest: { format: 'pdf' } } }), 'WorkFileDoesNotExist', 'input.sources[0].fileId');
  });

  test('InvalidPageSyntax: bad syntax at once, pages past the end when the document is known', async () => {
    for (const pages of ['a', '0', '3-1', '1,,2', '1-', '-2', '1.5']) {
      assert480(await post({ input: { sources: [src(ids.five!, { pages })], dest: { format: 'pdf' } } }), 'InvalidPageSyntax', 'input.sources[0].pages');
    }
    const s = await convert({ input: { sources: [src(ids.three!), src(ids.five!, { pages: '2-6' })], dest: { format: 'pdf' } } });
    assert.equal(s.state, 'error');
    assert.equal(s.errorCode, 'InvalidPageSyntax');
    assert.equal(s.errorDetails.at, 'input.sources[1].pages');
    assert.equal(s.output, undefined);
  });

  test('page lists accept spaces, repeats and any order', async () => {
    const [r] = await completed({ input: { sources: [src(ids.five!, { pages: ' 2 , 2, 1 - 2 ' })], dest: { format: 'pdf' } } });
    assert.equal(r!.pageCount, 4);
    assert.equal(r!.sources[0]!.pages, '2,2,1-2');
    assert.equal(pdfinfo(await download(r!.fileId)).pages, 4);
  });

  test('UnsupportedSourceFileFormat: bytes Quire cannot read, or docx from a non-word source', async () => {
    assert480(await post({ input: { sources: [src(ids.unknown!)], dest: { format: 'pdf' } } }), 'UnsupportedSourceFileFormat', 'input.sources[0].fileId');
    assert480(await post({ input: { sources: [src(ids.five!)], dest: { format: 'docx' } } }), 'UnsupportedSourceFileFormat', 'input.sources[0].fileId');
  });

  test('InvalidPassword: a protected source without its password, or with a wrong one; the right one converts', async () => {
    for (const password of [undefined, 'wrong']) {
      const s = await convert({ input: { sources: [src(ids.five!, { pages: '1' }), src(ids.locked!, password === undefined ? {} : { password })], dest: { format: 'png' } } });
      assert.equal(s.state, 'error', JSON.stringify(s));
      assert.equal(s.errorCode, 'InvalidPassword');
      assert.equal(s.errorDetails.at, 'input.sources[1].password');
    }
    const [r] = await completed({ input: { sources: [src(ids.locked!, { password: 'foo' })], dest: { format: 'png' } } });
    assert.equal((await sharp(await download(r!.fileId)).metadata()).format, 'png');
  });

  test('too many pages: more than 200 in one TIFF, more than 10,000 in any conversion, end with InvalidInput', async () => {
    const tiff = await convert({ input: { sources: [src(ids.five!, { pages: Array(41).fill('1-5').join(',') })], dest: { format: 'tiff' } } });
    assert.equal(tiff.errorCode, 'InvalidInput', JSON.stringify(tiff));
    assert.match(tiff.errorDetails.message, /205 pages.*forceOneFilePerPage/);
    const pdf = await convert({ input: { sources: [src(ids.five!, { pages: Array(2001).fill('1-5').join(',') })], dest: { format: 'pdf' } } });
    assert.equal(pdf.errorCode, 'InvalidInput', JSON.stringify(pdf));
    assert.equal(pdf.errorDetails.at, 'input.sources[0].pages');
  });

  test('a raster box too large for the page ends the process with InvalidInput', async () => {
    const s = await convert({ input: { sources: [src(ids.five!, { pages: '1' })], dest: { format: 'png', pngOptions: { maxWidth: '99999px' } } } });
    assert.equal(s.state, 'error', JSON.stringify(s));
    assert.equal(s.errorCode, 'InvalidInput');
    assert.equal(s.errorDetails.reason, 'ImageTooLarge');
  });

  test('CouldNotConvert: a document the engines cannot read', async () => {
    const s = await convert({ input: { sources: [src(ids.fakePdf!)], dest: { format: 'pdf' } } });
    assert.equal(s.state, 'error', JSON.stringify(s));
    assert.equal(s.errorCode, 'CouldNotConvert');
    assert.equal(s.errorDetails.at, 'input.sources[0]');
  });
});
