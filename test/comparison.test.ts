// Document comparison against real LibreOffice and poppler: known edits found (each once, of the
// right type, on the right page), identical documents give no changes, the redline DOCX's tracked
// changes accept to the revised text and reject to the original text, other input formats, and the
// typed errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { compareDocuments, type CompareResult } from '../src/comparison/compare.ts';
import { parseXml, serializeDocument, isEl, type XmlElement, type XmlNode } from '../src/comparison/xml.ts';
import { QuireError } from '../src/domain/errors.ts';
import { createLibreOfficePool, type LibreOfficePool } from '../src/engines/libreoffice/pool.ts';
import { createPdfEngine } from '../src/engines/pdf/engine.ts';
import { knownEditsPair, layoutEditsPair, writeDocx } from './helpers/comparison-docs.ts';
import { find, mainXml, resolvedText } from './helpers/tracked-changes.ts';

const CORPUS = resolve(import.meta.dirname, '../../shared/corpus/docx');
const work = mkdtempSync(join(tmpdir(), 'quire-compare-test-'));
let pool: LibreOfficePool;
const pdf = createPdfEngine();
before(() => {
  pool = createLibreOfficePool({ size: 2, profileRoot: join(work, 'profiles') });
});
after(async () => {
  await pool.close();
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;
async function compare(originalPath: string, revisedPath: string, exts: [string, string] = ['docx', 'docx'], timeoutMs?: number): Promise<CompareResult> {
  return compareDocuments(
    { libreOffice: pool },
    {
      originalPath,
      originalExt: exts[0],
      revisedPath,
      revisedExt: exts[1],
      outDir: join(work, `out-${++runs}`),
      author: 'Test Author',
      date: new Date('2026-02-03T04:05:06Z'),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    },
  );
}

/**
 * Accept-all gives the revised document's text, reject-all the original's; every mark has author and
 * date. With `structure`, also each paragraph's style and alignment and each row's cell count
 * (against `structure` documents of their own when the inputs went through LibreOffice, which names
 * styles and alignments its own way).
 */
function assertTrackedChangesResolve(
  result: CompareResult,
  originalDocx: Uint8Array,
  revisedDocx: Uint8Array,
  label: string,
  structure?: { original: Uint8Array; revised: Uint8Array },
): void {
  const redline = readFileSync(result.redlineDocxPath);
  assert.deepEqual(resolvedText(redline, 'accept'), resolvedText(revisedDocx, 'accept'), `${label}: accept-all is the revised text`);
  assert.deepEqual(resolvedText(redline, 'reject'), resolvedText(originalDocx, 'accept'), `${label}: reject-all is the original text`);
  if (structure) {
    const s = { structure: true };
    assert.deepEqual(resolvedText(redline, 'accept', s), resolvedText(structure.revised, 'accept', s), `${label}: accept-all has the revised layout`);
    assert.deepEqual(resolvedText(redline, 'reject', s), resolvedText(structure.original, 'accept', s), `${label}: reject-all has the original layout`);
  }
  const xml = strFromU8(unzipSync(redline, { filter: (f) => f.name === 'word/document.xml' })['word/document.xml']!);
  for (const m of xml.matchAll(/<w:(ins|del|moveFrom|moveTo|rPrChange|pPrChange)\b[^>]*>/g)) {
    assert.match(m[0], /w:author="Test Author"/, `${label}: ${m[0]}`);
    assert.match(m[0], /w:date="2026-02-03T04:05:06Z"/, `${label}: ${m[0]}`);
  }
}

async function assertRejects(p: Promise<unknown>, kind: string, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof QuireError, `expected a QuireError, got ${String(e)}`);
    assert.equal(e.kind, kind, `${e.code}: ${e.message}`);
    assert.equal(e.code, code);
    return true;
  });
}

// ---- the tests ----

describe('the known-edits pair', () => {
  const pair = knownEditsPair();
  let original: string;
  let revised: string;
  before(() => {
    original = writeDocx(join(work, 'known-original.docx'), pair.original);
    revised = writeDocx(join(work, 'known-revised.docx'), pair.revised);
  });

  test('every edit is reported once, with its type, text and page, and nothing else', async () => {
    const r = await compare(original, revised);
    assert.equal(r.pageCount, 2);
    const got = r.changes.map((c) => ({ type: c.type, text: c.text, ...(c.originalText !== undefined ? { originalText: c.originalText } : {}), pageIndex: c.pageIndex }));
    assert.deepEqual(got, pair.expected);
    r.changes.forEach((c, i) => {
      assert.equal(c.id, String(i + 1));
      assert.equal(c.endPageIndex, c.pageIndex, `change ${c.id} is on one page`);
      assert.ok(c.rectangles && c.rectangles.length > 0, `change ${c.id} has rectangles`);
      for (const rect of c.rectangles) {
        assert.equal(rect.pageIndex, c.pageIndex);
        // Letter: 816 × 1056 px at 96 dpi.
        assert.ok(rect.x >= 0 && rect.y >= 0 && rect.x + rect.width <= 816 && rect.y + rect.height <= 1056, JSON.stringify(rect));
        assert.ok(rect.width > 0 && rect.height > 5 && rect.height < 40, JSON.stringify(rect));
      }
    });
    const from = r.changes.find((c) => c.type === 'ContentMovedFrom')!;
    const to = r.changes.find((c) => c.type === 'ContentMovedTo')!;
    assert.equal(from.pairedChangeId, to.id);
    assert.equal(to.pairedChangeId, from.id);
    // The inserted word sits right of the line's start, on the second line of text.
    const very = r.changes[0]!.rectangles![0]!;
    assert.ok(very.x > 200 && very.width < 60, JSON.stringify(very));
    assertTrackedChangesResolve(r, readFileSync(original), readFileSync(revised), 'known edits', { original: readFileSync(original), revised: readFileSync(revised) });
  });

  test('the redline DOCX carries real tracked changes of each kind, and its PDF shows both texts', async () => {
    const r = await compare(original, revised);
    const xml = strFromU8(unzipSync(readFileSync(r.redlineDocxPath))['word/document.xml']!);
    for (const tag of ['w:ins', 'w:del', 'w:delText', 'w:moveFrom', 'w:moveTo', 'w:rPrChange', 'w:moveFromRangeStart', 'w:moveToRangeEnd']) {
      assert.ok(xml.includes(`<${tag} `) || xml.includes(`<${tag}>`), `has ${tag}`);
    }
    const text = (await pdf.documentText(r.redlinePdfPath)).map((p) => p.text).join('\n');
    for (const s of ['very', 'second sentence will be removed', 'twelve', 'ten', 'Gamma deliverable', 'Quire comparison test']) assert.ok(text.includes(s), `PDF shows "${s}"`);
  });

  test('identical documents give no changes', async () => {
    const r = await compare(original, original);
    assert.deepEqual(r.changes, []);
    assertTrackedChangesResolve(r, readFileSync(original), readFileSync(original), 'identical');
  });

  test('tracked changes already in an input count as accepted', async () => {
    const redline = (await compare(original, revised)).redlineDocxPath;
    assert.deepEqual((await compare(redline, revised)).changes, []);
    const again = await compare(original, redline);
    assert.deepEqual(
      again.changes.map((c) => [c.type, c.text]),
      pair.expected.map((c) => [c.type, c.text]),
    );
  });

  test('odt, rtf and a real binary .doc (made by LibreOffice) give exactly the docx pair\'s changes', async () => {
    const inputs: Record<string, [string, string]> = {};
    for (const ext of ['odt', 'rtf']) {
      const to = (src: string, name: string) => pool.convert(src, join(work, `${name}.${ext}`), { format: ext, inputExtension: 'docx' }).then(() => join(work, `${name}.${ext}`));
      inputs[ext] = await Promise.all([to(original, 'known-original'), to(revised, 'known-revised')]);
    }
    // The pool writes no .doc: soffice's own converter, with a profile of its own, writes Word 97.
    const docDir = join(work, 'doc');
    await promisify(execFile)('soffice', ['--headless', '--norestore', `-env:UserInstallation=file://${join(work, 'soffice-doc-profile')}`, '--convert-to', 'doc', '--outdir', docDir, original, revised], { timeout: 180_000 });
    inputs.doc = [join(docDir, 'known-original.doc'), join(docDir, 'known-revised.doc')];
    for (const path of inputs.doc) assert.equal(readFileSync(path).subarray(0, 8).toString('hex'), 'd0cf11e0a1b11ae1', `${path} is an OLE compound file`);

    for (const [ext, [o, v]] of Object.entries(inputs)) {
      const r = await compare(o, v, [ext, ext]);
      assert.equal(r.pageCount, 2, ext);
      const got = r.changes.map((c) => ({ type: c.type, text: c.text, ...(c.originalText !== undefined ? { originalText: c.originalText } : {}), pageIndex: c.pageIndex }));
      assert.deepEqual(got, pair.expected, `${ext}: every change, once, on its page, nothing else`);
      for (const c of r.changes) {
        assert.equal(c.endPageIndex, c.pageIndex, `${ext}: change ${c.id} is on one page`);
        assert.ok(c.rectangles && c.rectangles.length > 0 && c.rectangles.every((x) => x.pageIndex === c.pageIndex), `${ext}: change ${c.id} is located on its page`);
      }
      const from = r.changes.find((c) => c.type === 'ContentMovedFrom')!;
      assert.equal(r.changes.find((c) => c.pairedChangeId === from.id)?.type, 'ContentMovedTo', `${ext}: the move's halves are linked`);
      // The round trip through LibreOffice loses no text: accepting gives the generated revised
      // document's paragraphs, rejecting the original's. Layout is checked against LibreOffice's own
      // DOCX of each input (it names styles its own way).
      const converted = (role: string) => readFileSync(join(dirname(r.redlineDocxPath), `${role}.docx`));
      assertTrackedChangesResolve(r, readFileSync(original), readFileSync(revised), ext, { original: converted('original'), revised: converted('revised') });
    }
  });
});

describe('paragraph properties and table cells', () => {
  const pair = layoutEditsPair();

  test('alignment, style and cell-count changes: each once, with its type, page and the lines it covers', async () => {
    const original = writeDocx(join(work, 'layout-original.docx'), pair.original);
    const revised = writeDocx(join(work, 'layout-revised.docx'), pair.revised);
    const r = await compare(original, revised);
    assert.equal(r.pageCount, 2);
    const got = r.changes.map((c) => ({ type: c.type, text: c.text, ...(c.originalText !== undefined ? { originalText: c.originalText } : {}), pageIndex: c.pageIndex }));
    assert.deepEqual(
      got,
      pair.expected.map(({ align: _, ...c }) => c),
    );
    // Letter, 1-inch margins: the text column runs from x = 96 to 720 px.
    const [left, right] = [96, 720];
    r.changes.forEach((c, i) => {
      const want = pair.expected[i]!;
      assert.equal(c.endPageIndex, c.pageIndex, `change ${c.id} is on one page`);
      assert.ok(c.rectangles && c.rectangles.length > 0, `change ${c.id} has rectangles`);
      for (const rect of c.rectangles) {
        assert.equal(rect.pageIndex, c.pageIndex);
        assert.ok(rect.x >= left - 2 && rect.x + rect.width <= right + 2 && rect.width > 10 && rect.height > 5 && rect.height < 40, `${c.type}: ${JSON.stringify(rect)}`);
      }
      const first = c.rectangles[0]!;
      if (want.align === 'left') assert.ok(Math.abs(first.x - left) < 3, `${c.type} starts at the left margin: ${JSON.stringify(first)}`);
      if (want.align === 'center') assert.ok(Math.abs(first.x + first.width / 2 - (left + right) / 2) < 4, `${c.type} is centred: ${JSON.stringify(first)}`);
      if (want.align === 'right') assert.ok(Math.abs(first.x + first.width - right) < 4, `${c.type} ends at the right margin: ${JSON.stringify(first)}`);
    });
    // The paragraph made a heading is drawn in the heading's larger type.
    const [centred, heading, cellIns, , cellDel] = r.changes.map((c) => ({ ...c, rectangles: c.rectangles! }));
    assert.ok(heading!.rectangles[0]!.height > centred!.rectangles[0]!.height * 1.25, `heading ${heading!.rectangles[0]!.height} vs body ${centred!.rectangles[0]!.height}`);
    // A row that gained or lost a cell is shown deleted and re-inserted: one rectangle per row, the
    // revised row below the original one; the one with three cells reaches the third column.
    for (const c of [cellIns!, cellDel!]) {
      assert.equal(c.rectangles.length, 2, `${c.type}: ${JSON.stringify(c.rectangles)}`);
      assert.ok(c.rectangles[1]!.y > c.rectangles[0]!.y + 10, `${c.type}: rows one under the other`);
    }
    const thirdColumn = left + 2 * 200; // 3000-twip columns are 200 px
    assert.ok(cellIns!.rectangles[1]!.x + cellIns!.rectangles[1]!.width > thirdColumn, `"2019" is in the third column: ${JSON.stringify(cellIns!.rectangles)}`);
    assert.ok(cellIns!.rectangles[0]!.x + cellIns!.rectangles[0]!.width < thirdColumn, `the original row has two cells: ${JSON.stringify(cellIns!.rectangles)}`);

    // The tracked changes: w:pPrChange keeps each paragraph's original properties, rows are marked
    // inserted and deleted; accepting gives the revised layout, rejecting the original.
    const xml = strFromU8(unzipSync(readFileSync(r.redlineDocxPath))['word/document.xml']!);
    assert.equal(xml.match(/<w:pPrChange\b/g)?.length, 3);
    assert.equal(xml.match(/<w:trPr><w:ins\b/g)?.length, 2);
    assert.equal(xml.match(/<w:trPr><w:del\b/g)?.length, 2);
    const docs = { original: readFileSync(original), revised: readFileSync(revised) };
    assertTrackedChangesResolve(r, docs.original, docs.revised, 'layout edits', docs);
    assert.ok(resolvedText(readFileSync(r.redlineDocxPath), 'accept', { structure: true }).includes('[@center] This opening paragraph keeps its words but changes its alignment.'));
    assert.ok(resolvedText(readFileSync(r.redlineDocxPath), 'reject', { structure: true }).includes('A plain paragraph that becomes a heading.'));
    // The redline PDF shows the removed cell's text and the added one's.
    const text = (await pdf.documentText(r.redlinePdfPath)).map((p) => p.text);
    assert.match(text[0]!, /2019/);
    assert.match(text[1]!, /Two/);
  });
});

/**
 * A corpus document edited: a paragraph added at the start and one at the end, a word replaced in
 * the first body paragraph with a few plain words, a word put before the first text of the first
 * table. Returns the changes expected, in document order.
 */
function editCorpusDocx(bytes: Uint8Array): { revised: Uint8Array; expected: { type: string; text: string; originalText?: string }[] } {
  const files = unzipSync(bytes);
  const doc = parseXml(strFromU8(files['word/document.xml']!));
  const body = find(doc.root, 'w:body')!;
  const edits: { at: number; change: { type: string; text: string; originalText?: string } }[] = [];
  const blocks = body.children.filter(isEl);
  const paragraph = (text: string): XmlElement => ({ name: 'w:p', attrs: {}, children: [{ name: 'w:r', attrs: {}, children: [{ name: 'w:t', attrs: {}, children: [text] }] }] });

  // A word replaced: in a run directly in a body paragraph, with three plain words.
  for (const [i, p] of blocks.entries()) {
    if (p.name !== 'w:p') continue;
    const t = p.children
      .filter((r): r is XmlElement => isEl(r) && r.name === 'w:r')
      .map((r) => find(r, 'w:t'))
      .find((x): x is XmlElement => !!x && /[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}/.test(x.children.join('')));
    if (!t) continue;
    const words = t.children.join('').split(' ');
    const at = words.findIndex((w, k) => k > 0 && /^[A-Za-z]{2,}$/.test(w));
    edits.push({ at: i, change: { type: 'ContentReplaced', text: 'Quirereplaced', originalText: words[at]! } });
    words[at] = 'Quirereplaced';
    t.children = [words.join(' ')];
    break;
  }
  // A word inserted in a table cell.
  for (const [i, tbl] of blocks.entries()) {
    if (tbl.name !== 'w:tbl') continue;
    const t = findDeep(tbl, (e) => e.name === 'w:t' && /^[A-Za-z]/.test(e.children.join('')));
    if (!t) continue;
    t.children = ['Quirecell ' + t.children.join('')];
    edits.push({ at: i, change: { type: 'ContentInserted', text: 'Quirecell ' } });
    break;
  }
  const firstAt = body.children.findIndex(isEl);
  body.children.splice(firstAt, 0, paragraph('Quire added this opening paragraph.'));
  edits.push({ at: -1, change: { type: 'ContentInserted', text: 'Quire added this opening paragraph.' } });
  const sectAt = body.children.findIndex((c) => isEl(c) && c.name === 'w:sectPr');
  body.children.splice(sectAt < 0 ? body.children.length : sectAt, 0, paragraph('Quire added this closing paragraph.'));
  edits.push({ at: Infinity, change: { type: 'ContentInserted', text: 'Quire added this closing paragraph.' } });

  files['word/document.xml'] = strToU8(serializeDocument(doc));
  return { revised: zipSync(files), expected: edits.sort((x, y) => x.at - y.at).map((e) => e.change) };
}

function findDeep(e: XmlElement, test: (e: XmlElement) => boolean): XmlElement | undefined {
  for (const c of e.children) {
    if (!isEl(c)) continue;
    if (test(c)) return c;
    const found = findDeep(c, test);
    if (found) return found;
  }
  return undefined;
}

describe('the shared corpus', () => {
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.docx'));

  test('each document compared with itself gives no changes', async () => {
    await Promise.all(
      files.map(async (f) => {
        const r = await compare(join(CORPUS, f), join(CORPUS, f));
        assert.deepEqual(r.changes, [], f);
      }),
    );
  });

  test('each document edited: exactly those changes, and the redline resolves both ways', async () => {
    let edited = 0;
    await Promise.all(
      files.map(async (f) => {
        const original = readFileSync(join(CORPUS, f));
        const edit = editCorpusDocx(original);
        if (edit.expected.length > 2) edited++;
        const revisedPath = join(work, `edited-${f}`);
        writeFileSync(revisedPath, edit.revised);
        const r = await compare(join(CORPUS, f), revisedPath);
        const got = r.changes.map((c) => ({ type: c.type, text: c.text, ...(c.originalText !== undefined ? { originalText: c.originalText } : {}) }));
        assert.deepEqual(got, edit.expected, f);
        // Each edit carries a word found nowhere else: the page the redline PDF shows it on (read
        // with the PDF engine, not the comparison's own reader) is the change's page.
        const pageTexts = (await pdf.documentText(r.redlinePdfPath)).map((p) => p.text.replace(/\s+/g, ' '));
        assert.equal(pageTexts.length, r.pageCount, f);
        for (const c of r.changes) {
          const marker = /Quire(replaced|cell|\b added this (opening|closing))/.exec(c.text ?? '')?.[0];
          assert.ok(marker, `${f}: ${c.text}`);
          const pages = pageTexts.flatMap((t, i) => (t.includes(marker) ? [i] : []));
          assert.equal(pages.length, 1, `${f}: "${marker}" is on one page: ${pages.join(', ')}`);
          assert.equal(c.pageIndex, pages[0], `${f}: ${c.type} "${c.text}" is on page ${pages[0]}: ${JSON.stringify(c)}`);
          assert.equal(c.endPageIndex, pages[0], `${f}: ${c.type} "${c.text}" ends on page ${pages[0]}`);
          assert.ok(c.rectangles && c.rectangles.length > 0 && c.rectangles.every((x) => x.pageIndex === c.pageIndex), `${f}: ${c.type} is found on its page`);
          if (marker === 'Quire added this opening') assert.equal(c.pageIndex, 0, `${f}: the opening paragraph is on the first page`);
        }
        assertTrackedChangesResolve(r, original, edit.revised, f, { original, revised: edit.revised });
      }),
    );
    assert.ok(edited >= 10, `only ${edited} corpus documents had a word or a cell to edit`);
  });

  test('different documents compared pairwise: the redline resolves both ways and renders', async () => {
    await Promise.all(
      files.map(async (f, i) => {
        const g = files[(i + 1) % files.length]!;
        const r = await compare(join(CORPUS, f), join(CORPUS, g));
        assert.ok(r.changes.length > 0, `${f} → ${g}`);
        for (const c of r.changes) assert.ok(c.pageIndex >= 0 && c.endPageIndex < r.pageCount, `${f} → ${g}: ${JSON.stringify(c)}`);
        const [a, b] = [readFileSync(join(CORPUS, f)), readFileSync(join(CORPUS, g))];
        assertTrackedChangesResolve(r, a, b, `${f} → ${g}`, { original: a, revised: b });
      }),
    );
  });
});

describe('errors', () => {
  test('formats other than doc, docx, odt and rtf: UnsupportedFormatForComparison', async () => {
    const p = join(CORPUS, files0());
    await assertRejects(compare(p, p, ['pdf', 'docx']), 'input', 'UnsupportedFormatForComparison');
    await assertRejects(compare(p, p, ['docx', 'xlsx']), 'input', 'UnsupportedFormatForComparison');
  });

  test('a damaged document: ComparisonDocumentUnreadable naming which one', async () => {
    const bad = join(work, 'bad.docx');
    writeFileSync(bad, readFileSync(join(CORPUS, files0())).subarray(0, 700));
    await assert.rejects(compare(join(CORPUS, files0()), bad), (e: unknown) => {
      assert.ok(e instanceof QuireError);
      assert.equal(e.code, 'ComparisonDocumentUnreadable');
      assert.equal(e.kind, 'processing');
      assert.equal(e.details?.at, 'revised');
      return true;
    });
  });

  test('a comparison over its time limit: ComparisonTimedOut', async () => {
    const p = join(CORPUS, files0());
    await assertRejects(compare(p, p, ['docx', 'docx'], 1), 'processing', 'ComparisonTimedOut');
  });
});

function files0(): string {
  return 'pydocx-test.docx';
}
