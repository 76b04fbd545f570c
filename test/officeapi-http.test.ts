// The Office Integrator routes over plain HTTP, for what the vendor's SDK cannot express: the apikey as
// a form field, a `url` source behind the download guard, sessions of one document ended one at a
// time, tenants kept apart, expiry, save_url, the formats the SDK cannot read, and the links' base.
import assert from 'node:assert/strict';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { call, startQuire, type Quire } from './helpers/quire.ts';
import { DOCX, DOCX2, DOCX_COMMENTS, DOCX_ODD_EVEN, V1, assertOfficeError, docxParts, multipart, pathOf, pdfText, postForm } from './helpers/officeapi.ts';

const KEY_A = 'tenant-a-key-0001';
const KEY_B = 'tenant-b-key-0002';
const KEYS = `${KEY_A}:alpha,${KEY_B}:beta`;
const QUIET = { QUIRE_OFFICE_INSTANCES: '1', QUIRE_LOG_LEVEL: 'warn' };
const docx = readFileSync(DOCX);

/** The test DOCX with a tracked insertion (ADDED-TEXT) and a tracked deletion (REMOVED-TEXT). */
function withTrackedChanges(bytes: Buffer): Buffer {
  const files = unzipSync(new Uint8Array(bytes));
  const xml = strFromU8(files['word/document.xml']!).replace(
    '<w:r><w:t>python-docx was here too!</w:t></w:r>',
    '<w:r><w:t>python-docx was here too!</w:t></w:r>' +
      '<w:ins w:id="901" w:author="T" w:date="2024-01-01T00:00:00Z"><w:r><w:t xml:space="preserve"> ADDED-TEXT</w:t></w:r></w:ins>' +
      '<w:del w:id="902" w:author="T" w:date="2024-01-01T00:00:00Z"><w:r><w:delText xml:space="preserve"> REMOVED-TEXT</w:delText></w:r></w:del>',
  );
  assert.ok(xml.includes('ADDED-TEXT'));
  files['word/document.xml'] = strToU8(xml);
  return Buffer.from(zipSync(files));
}

async function serve(routes: Record<string, Buffer>): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = routes[(req.url ?? '').split('?')[0]!];
    if (body) res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) }).end(body);
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}

describe('keys, tenants and sessions (two keys)', () => {
  let q: Quire;
  before(async () => {
    q = await startQuire({ env: { ...QUIET, QUIRE_API_KEYS: KEYS } });
  });
  after(async () => {
    await q?.dispose();
  });

  test('the apikey works as a form field; missing or wrong keys are 1846', async () => {
    const ok = await postForm(q, `${V1}/documents`, [{ name: 'apikey', value: KEY_A }, { name: 'document', file: docx, filename: 'a.docx' }]);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.match(ok.body.session_id, /^[0-9a-f]{64}$/);
    // The field may also come after the file.
    const late = await postForm(q, `${V1}/documents`, [{ name: 'document', file: docx }, { name: 'apikey', value: KEY_A }]);
    assert.equal(late.status, 200, JSON.stringify(late.body));
    assertOfficeError(await postForm(q, `${V1}/documents`, [{ name: 'apikey', value: 'wrong-key-000000' }]), 1846, 'apikey');
    assertOfficeError(await postForm(q, `${V1}/documents`, []), 1846, 'apikey');
    assertOfficeError(await call(q, 'POST', `${V1}/documents`), 1846, 'apikey');
    assertOfficeError(await call(q, 'GET', `${V1}/sessions/${ok.body.session_id}`), 1846);
    // urlencoded and JSON bodies carry the same parameters.
    const form = await call(q, 'POST', `${V1}/documents`, { body: new URLSearchParams({ apikey: KEY_A, document_info: JSON.stringify({ document_name: 'Form' }) }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 200, JSON.stringify(form.body));
    const json = await call(q, 'POST', `${V1}/documents?apikey=${KEY_A}`, { json: { document_info: { document_name: 'Json' }, permissions: { 'document.print': false } } });
    assert.equal(json.status, 200, JSON.stringify(json.body));
    assert.equal((await call(q, 'GET', `${V1}/documents/${json.body.document_id}?apikey=${KEY_A}`)).body.document_name, 'Json');
  });

  test("one tenant's documents and sessions do not exist for another; both may use the same document_id", async () => {
    const info = { name: 'document_info', value: JSON.stringify({ document_id: 'shared-name', document_name: 'A' }) };
    const a = await postForm(q, `${V1}/documents?apikey=${KEY_A}`, [info, { name: 'document', file: docx }]);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assertOfficeError(await call(q, 'GET', `${V1}/documents/shared-name?apikey=${KEY_B}`), 1844);
    assertOfficeError(await call(q, 'GET', `${V1}/documents/shared-name/sessions?apikey=${KEY_B}`), 1844);
    assertOfficeError(await call(q, 'DELETE', `${V1}/documents/shared-name?apikey=${KEY_B}`), 1844);
    assertOfficeError(await call(q, 'GET', `${V1}/sessions/${a.body.session_id}?apikey=${KEY_B}`), 1833);
    assertOfficeError(await call(q, 'DELETE', `${V1}/sessions/${a.body.session_id}?apikey=${KEY_B}`), 1833);
    // B's document of the same name is B's own.
    const b = await postForm(q, `${V1}/documents?apikey=${KEY_B}`, [{ name: 'document_info', value: JSON.stringify({ document_id: 'shared-name', document_name: 'B' }) }]);
    assert.equal(b.status, 200);
    assert.equal((await call(q, 'GET', `${V1}/documents/shared-name?apikey=${KEY_A}`)).body.document_name, 'A');
    assert.equal((await call(q, 'GET', `${V1}/documents/shared-name?apikey=${KEY_B}`)).body.document_name, 'B');
    assert.equal((await call(q, 'GET', `${V1}/documents/shared-name?apikey=${KEY_A}`)).body.active_sessions_count, 1);
    // A's session is still fine after all of B's attempts.
    assert.equal((await call(q, 'GET', `${V1}/sessions/${a.body.session_id}?apikey=${KEY_A}`)).status, 200);
    // The viewing session behind A's link belongs to A's tenant.
    const page = await call(q, 'GET', pathOf(a.body.document_url));
    const viewerId = /\/viewer\/([A-Za-z0-9_-]+)/.exec(page.body)![1]!;
    assert.equal((await call(q, 'GET', `/PCCIS/V1/ViewingSession/u${viewerId}`, { headers: { 'Acs-Api-Key': KEY_A } })).status, 200);
    assert.equal((await call(q, 'GET', `/PCCIS/V1/ViewingSession/u${viewerId}`, { headers: { 'Acs-Api-Key': KEY_B } })).status, 404);
  });

  test('deleting one session of a document ends only that one: its link and calls stop, the other goes on', async () => {
    const info = { name: 'document_info', value: JSON.stringify({ document_id: 'co-edit-1' }) };
    const first = await postForm(q, `${V1}/documents?apikey=${KEY_A}`, [info, { name: 'user_info', value: JSON.stringify({ user_id: 'ann', display_name: 'Ann' }) }, { name: 'document', file: docx }]);
    const second = await postForm(q, `${V1}/documents?apikey=${KEY_A}`, [info, { name: 'user_info', value: JSON.stringify({ user_id: 'bob', display_name: 'Bob' }) }]);
    assert.equal(first.body.document_id, 'co-edit-1');
    assert.equal(second.body.document_id, 'co-edit-1');
    for (const s of [first, second]) assert.equal((await call(q, 'GET', pathOf(s.body.document_url))).status, 200);

    const del = await call(q, 'DELETE', `${pathOf(first.body.session_delete_url)}?apikey=${KEY_A}`);
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { session_deleted: true });

    const ended = await call(q, 'GET', pathOf(first.body.document_url));
    assert.equal(ended.status, 410);
    assert.match(ended.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(ended.body, /This session has ended/);
    assertOfficeError(await call(q, 'GET', `${V1}/sessions/${first.body.session_id}?apikey=${KEY_A}`), 1833);
    assertOfficeError(await call(q, 'POST', `${pathOf(first.body.save_url)}`, { body: docx }), 1833);

    const live = await call(q, 'GET', pathOf(second.body.document_url));
    assert.equal(live.status, 200);
    assert.match(live.body, /Editing is not available yet/);
    assert.equal((await call(q, 'GET', `${V1}/sessions/${second.body.session_id}?apikey=${KEY_A}`)).body.user_info.display_name, 'Bob');
    const doc = await call(q, 'GET', `${V1}/documents/co-edit-1/sessions?apikey=${KEY_A}`);
    assert.equal(doc.body.active_sessions_count, 1);
    assert.deepEqual(doc.body.sessions.map((s: any) => s.user_info.user_id), ['bob']);
    // Deleting the document ends the rest.
    assert.deepEqual((await call(q, 'DELETE', `${V1}/documents/co-edit-1?apikey=${KEY_A}`)).body, { document_deleted: true });
    assert.equal((await call(q, 'GET', pathOf(second.body.document_url))).status, 410);
    assert.equal((await call(q, 'GET', `${V1}/documents/${'f'.repeat(64)}/edit`)).status, 404);
  });

  test('save_url replaces the content with a DOCX (raw or as the content part); anything else is 1852', async () => {
    const created = await postForm(q, `${V1}/documents?apikey=${KEY_A}`, [{ name: 'document', file: docx }]);
    const before = await call(q, 'GET', pathOf(created.body.document_url));
    const viewerBefore = /\/viewer\/([A-Za-z0-9_-]+)/.exec(before.body)![1]!;

    const saved = await call(q, 'POST', pathOf(created.body.save_url), { body: readFileSync(DOCX2), headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' } });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.saved, true);
    // The next open shows the new content in a new viewing session.
    const afterSave = await call(q, 'GET', pathOf(created.body.document_url));
    const viewerAfter = /\/viewer\/([A-Za-z0-9_-]+)/.exec(afterSave.body)![1]!;
    assert.notEqual(viewerAfter, viewerBefore);
    const shown = await call(q, 'GET', `/PCCIS/V1/ViewingSession/u${viewerAfter}/SourceFile`, { headers: { 'Acs-Api-Key': KEY_A } });
    assert.deepEqual(shown.bytes, readFileSync(DOCX2));

    const part = multipart([{ name: 'content', file: docx, filename: 'x.docx' }]);
    assert.equal((await call(q, 'POST', pathOf(created.body.save_url), { body: part.body, headers: part.headers })).status, 200);
    assertOfficeError(await call(q, 'POST', pathOf(created.body.save_url), { body: Buffer.from('%PDF-1.4\n%%EOF\n') }), 1852, 'content');
    assertOfficeError(await call(q, 'POST', pathOf(created.body.save_url)), 1837, 'content');

    // A preview session cannot save; a session without document.edit may not.
    const readOnly = await postForm(q, `${V1}/documents?apikey=${KEY_A}`, [{ name: 'permissions', value: JSON.stringify({ 'document.edit': false }) }]);
    assertOfficeError(await call(q, 'POST', pathOf(readOnly.body.save_url), { body: docx }), 1831, 'permissions', 'document.edit');
  });
});

describe('url sources', () => {
  let guarded: Quire;
  let allowed: Quire;
  let files: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    files = await serve({ '/docs/Remote%20Report.docx': docx, '/docs/other.docx': readFileSync(DOCX2) });
    [guarded, allowed] = await Promise.all([startQuire({ env: QUIET }), startQuire({ env: { ...QUIET, QUIRE_FETCH_ALLOW: '127.0.0.1' } })]);
  });
  after(async () => {
    await Promise.all([guarded?.dispose(), allowed?.dispose(), files?.close()]);
  });

  test('loopback, private and link-local addresses are refused (1831 at url) and never contacted', async () => {
    for (const target of [`${files.url}/docs/other.docx`, 'http://10.1.2.3/x.docx', 'http://169.254.169.254/latest/meta-data/', 'file:///etc/passwd']) {
      assertOfficeError(await postForm(guarded, `${V1}/documents`, [{ name: 'url', value: target }]), 1831, 'url');
    }
    assertOfficeError(await postForm(guarded, `${V1}/document/compare`, [{ name: 'url1', value: `${files.url}/docs/other.docx` }, { name: 'url2', value: `${files.url}/docs/other.docx` }]), 1831, 'url1');
    assert.deepEqual(files.hits, []);
  });

  test('an allowed address is downloaded; its file name names the document', async () => {
    const r = await postForm(allowed, `${V1}/documents`, [{ name: 'url', value: `${files.url}/docs/Remote%20Report.docx` }]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await call(allowed, 'GET', `${V1}/documents/${r.body.document_id}`)).body.document_name, 'Remote Report');
    const cmp = await postForm(allowed, `${V1}/document/compare`, [{ name: 'url1', value: `${files.url}/docs/Remote%20Report.docx` }, { name: 'url2', value: `${files.url}/docs/other.docx` }]);
    assert.equal(cmp.status, 200, JSON.stringify(cmp.body));
    assert.deepEqual(Object.keys(cmp.body).sort(), ['compare_url', 'session_delete_url']);
    const missing = await postForm(allowed, `${V1}/documents`, [{ name: 'url', value: `${files.url}/docs/none.docx` }]);
    assertOfficeError(missing, 1831, 'url');
  });
});

describe('conversions the SDK cannot read, passwords, review options, watermark choices', () => {
  let q: Quire;
  before(async () => {
    q = await startQuire({ env: QUIET });
  });
  after(async () => {
    await q?.dispose();
  });

  const convert = (file: Buffer, options: Record<string, unknown>, extra: { name: string; value: string }[] = []) =>
    postForm(q, `${V1}/document/convert`, [{ name: 'document', file, filename: 'in.docx' }, { name: 'output_options', value: JSON.stringify(options) }, ...extra]);

  test('odt, rtf and txt come with their own types and a file name', async () => {
    const cases: [string, RegExp, (b: Buffer) => boolean][] = [
      ['odt', /^application\/vnd\.oasis\.opendocument\.text$/, (b) => b.subarray(0, 2).toString() === 'PK'],
      ['rtf', /^application\/rtf$/, (b) => b.subarray(0, 5).toString() === '{\\rtf'],
      ['txt', /^text\/plain; charset=utf-8$/, (b) => b.toString('utf8').includes('python-docx was here')],
    ];
    for (const [format, type, check] of cases) {
      const r = await convert(docx, { format, document_name: 'Out' });
      assert.equal(r.status, 200, `${format}: ${r.bytes.toString('utf8', 0, 200)}`);
      assert.match(r.headers.get('content-type') ?? '', type);
      assert.match(r.headers.get('content-disposition') ?? '', new RegExp(`filename="Out\\.${format}"`));
      assert.ok(check(r.bytes), format);
    }
  });

  test('output_options.password protects pdf and odt; the input password opens a protected document', async () => {
    const pdf = await convert(docx, { format: 'pdf', password: 's3cret pass' });
    assert.equal(pdf.status, 200);
    // Poppler needs the password now.
    assert.throws(() => pdfText(pdf.bytes));
    const odt = await convert(docx, { format: 'odt', password: 'open sesame' });
    assert.equal(odt.status, 200);
    // The protected ODT needs its password to be converted again.
    const withoutPassword = await postForm(q, `${V1}/document/convert`, [{ name: 'document', file: odt.bytes }, { name: 'output_options', value: JSON.stringify({ format: 'txt' }) }]);
    assertOfficeError(withoutPassword, 1831, 'password');
    const withPassword = await postForm(q, `${V1}/document/convert`, [{ name: 'document', file: odt.bytes }, { name: 'password', value: 'open sesame' }, { name: 'output_options', value: JSON.stringify({ format: 'txt' }) }]);
    assert.equal(withPassword.status, 200, withPassword.bytes.toString('utf8', 0, 300));
    assert.match(withPassword.bytes.toString('utf8'), /python-docx was here/);
    assertOfficeError(await convert(docx, { format: 'docx', password: 'x' }), 1831, 'output_options', 'password');
  });

  test('include_comments "none" drops comments; include_changes "none" leaves no change markup', async () => {
    const withComments = await convert(readFileSync(DOCX_COMMENTS), { format: 'docx' });
    const parts = docxParts(withComments.bytes);
    assert.ok([...parts.values()].some((x) => x.includes('commentReference')), 'the original has comments');
    const without = await convert(readFileSync(DOCX_COMMENTS), { format: 'docx', include_comments: 'none' });
    assert.equal(without.status, 200);
    assert.ok(![...docxParts(without.bytes).values()].some((x) => /commentReference|<w:comment\b/.test(x)), 'no comments left');
    // A document with one tracked insertion and one tracked deletion.
    const tracked = withTrackedChanges(docx);
    const asIs = await convert(tracked, { format: 'docx', include_changes: 'all' });
    assert.match(docxParts(asIs.bytes).get('word/document.xml')!, /<w:del\b/);
    const accepted = await convert(tracked, { format: 'docx', include_changes: 'none' });
    assert.equal(accepted.status, 200);
    const xml = docxParts(accepted.bytes).get('word/document.xml')!;
    assert.ok(!/<w:(ins|del)\b/.test(xml), 'no change markup');
    assert.ok(!xml.includes('REMOVED-TEXT') && xml.includes('ADDED-TEXT'), 'the changes are accepted');
    const pdf = await convert(tracked, { format: 'pdf', include_changes: 'none' });
    const text = pdfText(pdf.bytes);
    assert.ok(text.includes('ADDED-TEXT') && !text.includes('REMOVED-TEXT'), text);
    assertOfficeError(await convert(docx, { format: 'pdf', include_changes: 'some' }), 1831, 'output_options', 'include_changes');
  });

  test('watermark: output_format pdf for a Word document; text in other scripts; headers of every kind', async () => {
    const settings = { type: 'text', text: 'Секретно سري', orientation: 'horizontal', font_size: 40, font_color: '#0000ff', opacity: 50 };
    const pdf = await postForm(q, `${V1}/document/watermark`, [{ name: 'document', file: docx }, { name: 'watermark_settings', value: JSON.stringify(settings) }, { name: 'output_format', value: 'pdf' }]);
    assert.equal(pdf.status, 200, pdf.bytes.toString('utf8', 0, 300));
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    const text = pdfText(pdf.bytes);
    assert.match(text, /Секретно/);
    assert.match(text, /python-docx was here/);

    // A document with first-page and even-page headers: each kind carries the mark.
    const odd = await postForm(q, `${V1}/document/watermark`, [{ name: 'document', file: readFileSync(DOCX_ODD_EVEN) }, { name: 'watermark_settings', value: JSON.stringify({ text: 'DRAFT' }) }]);
    assert.equal(odd.status, 200);
    const parts = docxParts(odd.bytes);
    const doc = parts.get('word/document.xml')!;
    const referenced = [...doc.matchAll(/<w:headerReference w:type="(\w+)" r:id="(\w+)"/g)].map((m) => m[2]);
    const rels = parts.get('word/_rels/document.xml.rels')!;
    for (const id of referenced) {
      const target = new RegExp(`Id="${id}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ?? new RegExp(`Target="([^"]+)"[^>]*Id="${id}"`).exec(rels)?.[1];
      assert.ok(target, id);
      assert.match(parts.get(`word/${target}`)!, /string="DRAFT"/, target);
    }
    assertOfficeError(await postForm(q, `${V1}/document/watermark`, [{ name: 'document', file: docx }, { name: 'watermark_settings', value: '{"text":"x","font_color":"red"}' }]), 1831, 'watermark_settings', 'font_color');
    assertOfficeError(await postForm(q, `${V1}/document/watermark`, [{ name: 'document', file: docx }, { name: 'watermark_settings', value: 'not json' }]), 1831, 'watermark_settings');
  });

  test('document_defaults shape the new blank document', async () => {
    const created = await postForm(q, `${V1}/documents`, [
      { name: 'document_defaults', value: JSON.stringify({ orientation: 'landscape', paper_size: 'A4', font_name: 'Liberation Serif', font_size: 14, track_changes: 'enabled', margin: { top: '2cm', left: '1in', bottom: '2cm', right: '1in' } }) },
    ]);
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const page = await call(q, 'GET', pathOf(created.body.document_url));
    const viewerId = /\/viewer\/([A-Za-z0-9_-]+)/.exec(page.body)![1]!;
    const source = await call(q, 'GET', `/PCCIS/V1/ViewingSession/u${viewerId}/SourceFile`);
    const parts = docxParts(source.bytes);
    assert.match(parts.get('word/document.xml')!, /<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"\/>/);
    assert.match(parts.get('word/document.xml')!, /<w:pgMar w:top="1134"/);
    assert.match(parts.get('word/styles.xml')!, /w:ascii="Liberation Serif"[\s\S]*<w:sz w:val="28"\/>/);
    assert.match(parts.get('word/settings.xml')!, /<w:trackRevisions\/>/);
    assertOfficeError(await postForm(q, `${V1}/documents`, [{ name: 'document_defaults', value: JSON.stringify({ margin: { top: 'wide' } }) }]), 1831, 'document_defaults', 'top');
  });

  test('links are built on the Host the client used', async () => {
    // fetch will not send another Host: plain node:http does.
    const r = await new Promise<any>((resolve, reject) => {
      const req = http.request(`${q.baseUrl}${V1}/documents`, { method: 'POST', headers: { host: 'docs.example.test:8443' } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(r.status, 200);
    assert.match(r.body.document_url, /^http:\/\/docs\.example\.test:8443\/writer\/officeapi\/v1\/documents\/[0-9a-f]{64}\/edit$/);
    // Forwarded headers are ignored unless configured as trusted.
    const f = await call(q, 'POST', `${V1}/documents`, { headers: { 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'https' } });
    assert.ok(!f.body.document_url.includes('evil.test'));
  });
});

describe('expiry and the configured public address', () => {
  let q: Quire;
  before(async () => {
    q = await startQuire({
      env: { ...QUIET, QUIRE_OFFICE_SESSION_LIFETIME_SECONDS: '2', QUIRE_OFFICE_DOCUMENT_LIFETIME_SECONDS: '2', QUIRE_SWEEP_INTERVAL_SECONDS: '1', QUIRE_PUBLIC_URL: 'https://docs.example.com/quire/' },
    });
  });
  after(async () => {
    await q?.dispose();
  });

  test('an expired session answers 1834 and its page says so; its viewing session is stopped', async () => {
    const created = await postForm(q, `${V1}/documents`, [{ name: 'document', file: docx }, { name: 'document_info', value: JSON.stringify({ document_id: 'short-lived' }) }]);
    assert.equal(created.status, 200);
    assert.match(created.body.document_url, /^https:\/\/docs\.example\.com\/quire\/writer\/officeapi\/v1\/documents\/[0-9a-f]{64}\/edit$/);
    const page = await call(q, 'GET', pathOf(created.body.document_url).replace(/^\/quire/, ''));
    assert.match(page.body, /https:\/\/docs\.example\.com\/quire\/viewer\//);
    const viewerId = /\/viewer\/([A-Za-z0-9_-]+)/.exec(page.body)![1]!;
    await sleep(3500);
    assertOfficeError(await call(q, 'GET', `${V1}/sessions/${created.body.session_id}`), 1834);
    assertOfficeError(await call(q, 'DELETE', `${V1}/sessions/${created.body.session_id}`), 1834);
    assertOfficeError(await call(q, 'GET', `${V1}/documents/short-lived`), 1834);
    const expired = await call(q, 'GET', pathOf(created.body.document_url).replace(/^\/quire/, ''));
    assert.equal(expired.status, 410);
    assert.match(expired.body, /This session has expired/);
    // The sweep stopped the viewing session the link had opened.
    assert.equal((await call(q, 'GET', `/PCCIS/V1/ViewingSession/u${viewerId}`)).status, 403);
    // The id is free again: a new document of the same id starts afresh.
    const again = await postForm(q, `${V1}/documents`, [{ name: 'document_info', value: JSON.stringify({ document_id: 'short-lived', document_name: 'Again' }) }]);
    assert.equal(again.status, 200);
    assert.equal((await call(q, 'GET', `${V1}/documents/short-lived`)).body.document_name, 'Again');
  });
});
