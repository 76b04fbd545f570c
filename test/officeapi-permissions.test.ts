// What an Office Integrator session's settings do in the browser: permissions["document.print"] and
// ["document.export"] decide the viewer's print and download buttons (through the viewer link's
// options, for preview_url and document_url alike), compare's `title` is the compare page's title, and
// compare's `lang` is validated. Over HTTP against a started Quire, then in Chromium for the buttons.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { launchChromium, watchConsole } from './helpers/browser.ts';
import { DOCX, DOCX2, V1, assertOfficeError, pathOf, postForm, type Part } from './helpers/officeapi.ts';
import { call, startQuire, type Quire } from './helpers/quire.ts';

const KEY = 'permissions-test-key';
let q: Quire;
before(async () => {
  q = await startQuire({ env: { QUIRE_OFFICE_INSTANCES: '1', QUIRE_LOG_LEVEL: 'warn', QUIRE_API_KEYS: KEY } });
});
after(async () => {
  await q.dispose();
});

const docx = readFileSync(DOCX);
const docx2 = readFileSync(DOCX2);
const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

async function preview(permissions?: Record<string, boolean>, name = 'Quarterly report'): Promise<string> {
  const parts: Part[] = [{ name: 'document', file: docx, filename: 'report.docx' }, { name: 'document_info', value: JSON.stringify({ document_name: name }) }];
  if (permissions) parts.push({ name: 'permissions', value: JSON.stringify(permissions) });
  const r = await postForm(q, `${V1}/document/preview?apikey=${KEY}`, parts);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.preview_url;
}

/** Where a preview_url / compare_url sends the browser: the viewer page, with its options. */
async function viewerLink(openUrl: string): Promise<URL> {
  const r = await fetch(`${q.baseUrl}${pathOf(openUrl)}`, { redirect: 'manual' });
  await r.arrayBuffer();
  assert.equal(r.status, 302);
  const to = new URL(r.headers.get('location')!);
  assert.match(to.pathname, /^\/viewer\/[A-Za-z0-9_-]+$/);
  return to;
}

const options = (u: URL) => ({ print: u.searchParams.get('print'), download: u.searchParams.get('download') });

/** The <title> of the HTML at `path`. */
async function pageTitle(path: string): Promise<string> {
  const r = await call(q, 'GET', path);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
  return unescape(/<title>([^<]*)<\/title>/.exec(r.bytes.toString('utf8'))![1]!);
}

describe('permissions reach the viewer', () => {
  test('preview_url: print and download buttons exactly as document.print and document.export allow', async () => {
    const cases: [Record<string, boolean> | undefined, { print: string | null; download: string | null }][] = [
      [undefined, { print: '1', download: '1' }], // the vendor's defaults: both allowed
      [{ 'document.print': true, 'document.export': true }, { print: '1', download: '1' }],
      [{ 'document.print': false, 'document.export': false }, { print: null, download: null }],
      [{ 'document.print': true, 'document.export': false }, { print: '1', download: null }],
      [{ 'document.print': false, 'document.export': true, 'document.edit': false }, { print: null, download: '1' }],
    ];
    for (const [permissions, want] of cases) {
      const link = await viewerLink(await preview(permissions));
      assert.deepEqual(options(link), want, JSON.stringify(permissions));
      // The viewer page there is the document's, titled with its name.
      assert.equal(await pageTitle(link.pathname + link.search), 'Quarterly report');
    }
  });

  test('document_url: the read-only page frames the viewer with the same options', async () => {
    for (const [print, want] of [[false, null], [true, '1']] as const) {
      const r = await postForm(q, `${V1}/documents?apikey=${KEY}`, [
        { name: 'document', file: docx, filename: 'contract.docx' },
        { name: 'permissions', value: JSON.stringify({ 'document.print': print, 'document.export': false }) },
      ]);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const page = await call(q, 'GET', pathOf(r.body.document_url));
      assert.equal(page.status, 200);
      const src = new URL(unescape(/<iframe src="([^"]*)"/.exec(page.bytes.toString('utf8'))![1]!));
      assert.deepEqual(options(src), { print: want, download: null }, `document.print ${print}`);
      assert.equal(src.searchParams.get('title'), 'contract');
    }
  });

  test('an unknown permission key is still 1832 and a non-boolean 1831', async () => {
    const parts = (p: string): Part[] => [{ name: 'document', file: docx, filename: 'a.docx' }, { name: 'permissions', value: p }];
    assertOfficeError(await postForm(q, `${V1}/document/preview?apikey=${KEY}`, parts('{"document.prnt": false}')), 1832, 'permissions', 'document.prnt');
    assertOfficeError(await postForm(q, `${V1}/document/preview?apikey=${KEY}`, parts('{"document.print": "no"}')), 1831, 'permissions', 'document.print');
  });
});

describe('compare: title and lang', () => {
  const compare = (extra: Part[]) =>
    postForm(q, `${V1}/document/compare?apikey=${KEY}`, [{ name: 'document1', file: docx, filename: 'v1.docx' }, { name: 'document2', file: docx2, filename: 'v2.docx' }, ...extra]);

  test('the title is the compare page\'s title (escaped); without one it is "Comparison"', async () => {
    const title = 'Contrat v1 → v2 <brouillon> & "notes"';
    const r = await compare([{ name: 'title', value: title }, { name: 'lang', value: 'fr-FR' }]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const link = await viewerLink(r.body.compare_url);
    assert.equal(link.searchParams.get('title'), title);
    // A comparison may be printed; there is no single document to download.
    assert.deepEqual(options(link), { print: '1', download: null });
    const html = (await call(q, 'GET', link.pathname + link.search)).bytes.toString('utf8');
    assert.ok(!html.includes('<brouillon>'), 'the title is text, not markup');
    assert.equal(await pageTitle(link.pathname + link.search), title);
    // The viewing session behind it is the comparison of the two documents.
    const viewerId = link.pathname.split('/').pop()!;
    for (const [slot, bytes] of [['original', docx], ['revised', docx2]] as const) {
      const doc = await call(q, 'GET', `/v2/viewingSessions/${viewerId}/sourceFile/${slot}`, { headers: { 'Acs-Api-Key': KEY } });
      assert.ok(doc.bytes.equals(bytes), slot);
    }

    const untitled = await compare([]);
    assert.equal(await pageTitle(pathOf((await viewerLink(untitled.body.compare_url)).href)), 'Comparison');
  });

  test('lang must be a language code and title at most 255 characters of text: 1831 naming the parameter', async () => {
    for (const lang of ['en', 'fr-FR', 'zh_Hans_CN', 'de-CH-1996']) assert.equal((await compare([{ name: 'lang', value: lang }])).status, 200, lang);
    for (const lang of ['english!', 'e', 'fr FR', 'x'.repeat(40)]) assertOfficeError(await compare([{ name: 'lang', value: lang }]), 1831, 'lang');
    assertOfficeError(await compare([{ name: 'title', value: 'x'.repeat(256) }]), 1831, 'title');
    assertOfficeError(await compare([{ name: 'title', value: 'line\nbreak' }]), 1831, 'title');
  });
});

test('in Chromium: the preview shows print and download buttons only when allowed, the compare page its title', async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const log = watchConsole(page);
    const buttons = async (url: string) => {
      await page.goto(`${q.baseUrl}${pathOf(url)}`);
      await page.waitForSelector('.qv-page-total', { timeout: 60_000 });
      return { print: (await page.$('.qv-print')) !== null, download: (await page.$('.qv-download')) !== null };
    };
    assert.deepEqual(await buttons(await preview({ 'document.print': false, 'document.export': false })), { print: false, download: false }, log());
    assert.deepEqual(await buttons(await preview()), { print: true, download: true }, log());
    assert.deepEqual(await buttons(await preview({ 'document.export': false })), { print: true, download: false }, log());
    assert.equal(await page.title(), 'Quarterly report');
    const r = await postForm(q, `${V1}/document/compare?apikey=${KEY}`, [
      { name: 'document1', file: docx, filename: 'v1.docx' },
      { name: 'document2', file: docx2, filename: 'v2.docx' },
      { name: 'title', value: 'Draft 1 against draft 2' },
    ]);
    assert.deepEqual(await buttons(r.body.compare_url), { print: true, download: false }, log());
    assert.equal(await page.title(), 'Draft 1 against draft 2');
  } finally {
    await browser.close();
  }
});
