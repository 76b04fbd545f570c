// Comparison through the PrizmDoc routes, against a started Quire with real LibreOffice: a session with
// an original and a revised document pages through the redline, lists every known edit on the right
// page (revisionData, paged with continueToken), and hands out a tracked-changes DOCX whose changes
// accept to the revised text and reject to the original text.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { docxBytes, knownEditsPair, layoutEditsPair } from './helpers/comparison-docs.ts';
import { assert480, bytesOf, createSession, DOCX, PDF, uploadSlot, uploadSource, V1, V2 } from './helpers/prizmdoc.ts';
import { call, startQuire, type Quire } from './helpers/quire.ts';
import { resolvedText } from './helpers/tracked-changes.ts';

let q: Quire;
const work = mkdtempSync(join(tmpdir(), 'quire-compare-session-'));
before(async () => {
  q = await startQuire();
});
after(async () => {
  await q.dispose();
  rmSync(work, { recursive: true, force: true });
});

const pair = knownEditsPair();
const original = docxBytes(pair.original);
const revised = docxBytes(pair.revised);

async function comparisonSession(a: Uint8Array, b: Uint8Array, body: unknown = {}): Promise<string> {
  const id = await createSession(q, body);
  assert.equal((await uploadSlot(q, id, 'original', a)).status, 200);
  assert.equal((await uploadSlot(q, id, 'revised', b)).status, 200);
  return id;
}

describe('a comparison session', () => {
  let id: string;
  before(async () => {
    id = await comparisonSession(original, revised);
  });

  test('revisionData lists every known edit once, of the right type, on the right page', async () => {
    const r = await call(q, 'GET', `${V2}/${id}/revisionData`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const got = r.body.changes.map((c: any) => ({ type: c.type, text: c.text, pageIndex: c.pageIndex }));
    const want = pair.expected.map((c) => ({ type: c.type, text: c.text, pageIndex: c.pageIndex }));
    assert.deepEqual(got, want);
    assert.equal(r.body.continueToken, undefined);
    for (const c of r.body.changes) {
      assert.equal(typeof c.id, 'string');
      assert.ok(c.endPageIndex >= c.pageIndex);
      assert.ok(c.rectangles.length > 0, `change ${c.id} is located`);
      for (const rect of c.rectangles) assert.ok(rect.width > 0 && rect.height > 0 && rect.x >= 0 && rect.y >= 0);
    }
  });

  test('revisionData pages with limit and continueToken', async () => {
    const all = (await call(q, 'GET', `${V2}/${id}/revisionData`)).body.changes;
    const seen: unknown[] = [];
    let token: string | undefined = '0';
    while (token !== undefined) {
      const r = await call(q, 'GET', `${V2}/${id}/revisionData?limit=3&continueToken=${token}`);
      assert.equal(r.status, 200);
      assert.ok(r.body.changes.length <= 3);
      seen.push(...r.body.changes);
      token = r.body.continueToken;
    }
    assert.deepEqual(seen, all);
    assert480(await call(q, 'GET', `${V2}/${id}/revisionData?limit=0`), 'InvalidInput', 'limit');
  });

  test('pages, attributes and text are those of the redline', async () => {
    const attrs = await call(q, 'GET', `/PCCIS/V1/Document/q/Attributes?DocumentID=u${id}`);
    assert.equal(attrs.body.pageCount, 2);
    const svg = await call(q, 'GET', `/PCCIS/V1/Page/q/0?DocumentID=u${id}&ContentType=svgb`);
    assert.equal(svg.status, 200);
    assert.match(svg.bytes.toString('utf8'), /^<svg[\s>]/);
    const text = await call(q, 'GET', `/PCCIS/V1/Document/q/0-1/Text?DocumentID=u${id}`);
    const page0 = text.body.pages[0].text as string;
    // The redline shows both: the deleted sentence (struck through) and the inserted word.
    assert.match(page0, /second sentence will be removed/);
    assert.match(page0, /very lazy/);
    assert.equal(text.body.pages[1].text.includes('Gamma deliverable'), true);
  });

  test('the redline DOCX has tracked changes that accept to the revised and reject to the original text', async () => {
    const r = await call(q, 'GET', `${V2}/${id}/redline`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    assert.match(r.headers.get('content-disposition') ?? '', /filename="Comparison\.docx"/);
    assert.deepEqual(resolvedText(r.bytes, 'accept'), resolvedText(revised, 'accept'));
    assert.deepEqual(resolvedText(r.bytes, 'reject'), resolvedText(original, 'accept'));
    // LibreOffice itself opens it as a document with tracked changes and converts it without error.
    const path = join(work, 'redline.docx');
    writeFileSync(path, r.bytes);
    execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${work}/profile`, '--convert-to', 'pdf', '--outdir', work, path], { timeout: 120_000 });
    assert.match(execFileSync('pdfinfo', [join(work, 'redline.pdf')]).toString(), /Pages:\s+2/);
  });

  test('the redline as PDF', async () => {
    const r = await call(q, 'GET', `${V2}/${id}/redline?format=pdf`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    assert.equal(r.bytes.subarray(0, 5).toString(), '%PDF-');
    assert480(await call(q, 'GET', `${V2}/${id}/redline?format=xlsx`), 'InvalidInput', 'format');
  });
});

test('a real binary .doc pair, uploaded without an extension, lists the same changes as the docx pair', async () => {
  writeFileSync(join(work, 'original.docx'), original);
  writeFileSync(join(work, 'revised.docx'), revised);
  await promisify(execFile)('soffice', ['--headless', '--norestore', `-env:UserInstallation=file://${work}/doc-profile`, '--convert-to', 'doc', '--outdir', join(work, 'doc'), join(work, 'original.docx'), join(work, 'revised.docx')], { timeout: 180_000 });
  const [a, b] = ['original', 'revised'].map((n) => readFileSync(join(work, 'doc', `${n}.doc`)));
  assert.equal(a!.subarray(0, 4).toString('hex'), 'd0cf11e0', 'Word 97 (OLE) bytes');
  const id = await comparisonSession(a!, b!);
  const r = await call(q, 'GET', `${V2}/${id}/revisionData`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(
    r.body.changes.map((c: any) => ({ type: c.type, text: c.text, pageIndex: c.pageIndex })),
    pair.expected.map((c) => ({ type: c.type, text: c.text, pageIndex: c.pageIndex })),
  );
  const redline = await call(q, 'GET', `${V2}/${id}/redline`);
  assert.deepEqual(resolvedText(redline.bytes, 'accept'), resolvedText(revised, 'accept'));
  assert.deepEqual(resolvedText(redline.bytes, 'reject'), resolvedText(original, 'accept'));
});

test('paragraph property and table cell changes through revisionData: type, page and rectangles', async () => {
  const layout = layoutEditsPair();
  const [a, b] = [docxBytes(layout.original), docxBytes(layout.revised)];
  const id = await comparisonSession(a, b);
  const r = await call(q, 'GET', `${V2}/${id}/revisionData`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(
    r.body.changes.map((c: any) => ({ type: c.type, text: c.text, originalText: c.originalText, pageIndex: c.pageIndex, endPageIndex: c.endPageIndex })),
    layout.expected.map((c) => ({ type: c.type, text: c.text, originalText: c.originalText, pageIndex: c.pageIndex, endPageIndex: c.pageIndex })),
  );
  for (const c of r.body.changes) {
    assert.ok(c.rectangles.length > 0 && c.rectangles.every((x: any) => x.pageIndex === c.pageIndex && x.width > 0 && x.height > 0), JSON.stringify(c));
  }
  // The rectangles are on the redline pages the Text route serves: the centred paragraph's words
  // are where the page's text has them.
  const text = await call(q, 'GET', `/PCCIS/V1/Document/q/0-0/Text?DocumentID=u${id}`);
  assert.equal(text.status, 200);
  const page = text.body.pages[0] as { text: string; rectangles: [number, number, number, number][] };
  const at = page.text.indexOf('This opening paragraph');
  assert.ok(at >= 0, page.text);
  const [x, y] = page.rectangles[at]!;
  const centred = r.body.changes[0].rectangles[0];
  assert.ok(Math.abs(centred.x - x) < 3 && Math.abs(centred.y - y) < 6, `change at ${JSON.stringify(centred)}, its first letter at ${x},${y}`);
  assert.ok(centred.x > 150, `centred: ${JSON.stringify(centred)}`);
  const redline = await call(q, 'GET', `${V2}/${id}/redline`);
  for (const mode of ['accept', 'reject'] as const) {
    assert.deepEqual(resolvedText(redline.bytes, mode, { structure: true }), resolvedText(mode === 'accept' ? b : a, 'accept', { structure: true }), mode);
  }
});

test('two identical documents give zero changes', async () => {
  const id = await comparisonSession(original, original);
  const r = await call(q, 'GET', `${V2}/${id}/revisionData`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.changes, []);
});

test('a second comparison session of the same pair reuses the first one\'s redline (serverCaching full)', async () => {
  const a = docxBytes([{ p: ['Reuse check, first version of the text.'] }]);
  const b = docxBytes([{ p: ['Reuse check, second version of the text.'] }]);
  const first = await comparisonSession(a, b);
  assert.equal((await call(q, 'GET', `${V2}/${first}/revisionData`)).status, 200);
  const second = await comparisonSession(a, b);
  const t0 = performance.now();
  const r = await call(q, 'GET', `${V2}/${second}/revisionData`);
  assert.equal(r.status, 200);
  assert.ok(performance.now() - t0 < 500, 'no second comparison');
  assert.deepEqual(r.body, (await call(q, 'GET', `${V2}/${first}/revisionData`)).body);
});

test('revisionData before both documents are in is DocumentNotProvidedYet', async () => {
  const id = await createSession(q);
  assert480(await call(q, 'GET', `${V2}/${id}/revisionData`), 'DocumentNotProvidedYet');
  assert.equal((await uploadSlot(q, id, 'original', original)).status, 200);
  assert480(await call(q, 'GET', `${V2}/${id}/revisionData`), 'DocumentNotProvidedYet');
});

test('a single-document session has no revision data', async () => {
  const id = await createSession(q);
  assert.equal((await uploadSource(q, id, bytesOf(DOCX), { ext: 'docx' })).status, 200);
  assert480(await call(q, 'GET', `${V2}/${id}/revisionData`), 'IncorrectUsage');
  assert480(await call(q, 'GET', `${V2}/${id}/redline`), 'IncorrectUsage');
});

test('a PDF cannot be compared: UnsupportedFormatForComparison', async () => {
  const id = await createSession(q);
  assert480(await uploadSlot(q, id, 'original', bytesOf(PDF)), 'UnsupportedFormatForComparison');
});

test('an unknown session is 404 on both routes', async () => {
  assert.equal((await call(q, 'GET', `${V2}/${'x'.repeat(64)}/revisionData`)).status, 404);
  assert.equal((await call(q, 'GET', `${V2}/${'x'.repeat(64)}/redline`)).status, 404);
  assert.equal((await call(q, 'GET', `${V1}/u${'x'.repeat(64)}`)).status, 404);
});
