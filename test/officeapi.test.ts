// The Office Integrator Writer API driven by the vendor's own Node SDK, unmodified, against a started
// Quire: every route, and the class the SDK parsed each answer into.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { ROOT, call, startQuire, type Quire } from './helpers/quire.ts';
import {
  DOCX,
  DOCX2,
  PDF,
  SDK,
  docxParts,
  expectClass,
  expectError,
  fileBytes,
  fromBuffer,
  fromPath,
  initSdk,
  pathOf,
  pdfText,
  redPixels,
  safeJson,
} from './helpers/officeapi.ts';

const KEY = 'sdk-test-key-0001';
const TENANT = 'sdk-tenant';

// The seed page's DeleteDocumentSession sample, verbatim.
const SEED_SAMPLE = `import * as SDK from "@zoho-corp/office-integrator-sdk";
class DeleteDocumentSession {
static async execute() {
//Initializing SDK once is enough. Calling here since code sample will be tested standalone.
//You can place SDK initializer code in you application and call once while your application start-up.
await this.initializeSdk();
try {
var createDocumentParameters = new SDK.V1.CreateDocumentParameters();
var sdkOperations = new SDK.V1.V1Operations();
var createResponse = await sdkOperations.createDocument(createDocumentParameters);
var sessionId = createResponse.object.getSessionId();
console.log("\\nCreated a session to demonstrate the session delete api. Created document session ID - " + sessionId);
var responseObject = await sdkOperations.deleteSession(sessionId);
if(responseObject != null) {
//Get the status code from response
console.log("\\nStatus Code: " + responseObject.statusCode);
//Get the api response object from responseObject
let writerResponseObject = responseObject.object;
if(writerResponseObject != null){
if(writerResponseObject instanceof SDK.V1.DocumentSessionDeleteSuccessResponse){
console.log("\\nSession delete status - " + writerResponseObject.getSessionDeleted());
} else if (writerResponseObject instanceof SDK.V1.InvalidConfigurationException) {
console.log("\\nInvalid configuration exception. Exception json - ", writerResponseObject);
} else {
console.log("\\nRequest not completed successfullly");
}
}
}
} catch (error) {
console.log("\\nException while running sample code", error);
}
}
//Include office-integrator-sdk package in your package json and the execute this code.
static async initializeSdk() {
// Refer this help page for api end point domain details - https://www.zoho.com/officeintegrator/api/v1/getting-started.html
let environment = await new SDK.DataCenter.Production("https://api.office-integrator.com");
let auth = new SDK.AuthBuilder()
.addParam("apikey", "2ae438cf864488657cc9********") //Update this apikey with your own apikey signed up in office integrator service
.authenticationSchema(await new SDK.V1.Authentication().getTokenFlow())
.build();
let tokens = [ auth ];
//Sdk application log configuration
let logger = new SDK.LogBuilder()
.level(SDK.Levels.INFO)
//.filePath("<file absolute path where logs would be written>") //No I18N
.build();
let initialize = await new SDK.InitializeBuilder();
await initialize.environment(environment).tokens(tokens).logger(logger).initialize();
console.log("SDK initialized successfully.");
}
}
DeleteDocumentSession.execute();
`;

describe('Office Integrator through the vendor SDK', () => {
  let q: Quire;
  let ops: any;

  before(async () => {
    q = await startQuire({ env: { QUIRE_API_KEYS: `${KEY}:${TENANT}`, QUIRE_OFFICE_INSTANCES: '1', QUIRE_LOG_LEVEL: 'warn' } });
    ops = await initSdk(q.baseUrl, KEY);
  });
  after(async () => {
    await q?.dispose();
  });

  test("the seed page's DeleteDocumentSession sample runs with only the server URL and the key changed", async () => {
    const changed = SEED_SAMPLE.replace('new SDK.DataCenter.Production("https://api.office-integrator.com")', `new SDK.ApiServer.Production(${JSON.stringify(q.baseUrl)})`).replace(
      '"2ae438cf864488657cc9********"',
      JSON.stringify(KEY),
    );
    assert.notEqual(changed, SEED_SAMPLE);
    // A folder of its own whose node_modules is the project's, so the sample imports the SDK by name.
    const dir = mkdtempSync(join(tmpdir(), 'quire-seed-'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'sample.mjs'), changed);
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'sample.mjs')], { cwd: dir, timeout: 60_000 }).finally(() => rmSync(dir, { recursive: true, force: true }));
    assert.match(stdout, /SDK initialized successfully\./);
    assert.match(stdout, /Created document session ID - [0-9a-f]{64}/);
    assert.match(stdout, /Status Code: 200/);
    assert.match(stdout, /Session delete status - true/);
  });

  test('createDocument: blank, from a path, from a Buffer; a document_id chosen twice is one document with two sessions', async () => {
    const blank = expectClass(await ops.createDocument(new SDK.V1.CreateDocumentParameters()), SDK.V1.CreateDocumentResponse);
    for (const k of ['getDocumentUrl', 'getSessionId', 'getSessionDeleteUrl', 'getSaveUrl', 'getDocumentId', 'getDocumentDeleteUrl']) {
      assert.equal(typeof blank[k](), 'string', k);
    }
    assert.match(blank.getSessionId(), /^[0-9a-f]{64}$/);
    assert.equal(blank.getDocumentUrl(), `${q.baseUrl}/writer/officeapi/v1/documents/${blank.getSessionId()}/edit`);

    const p = new SDK.V1.CreateDocumentParameters();
    p.setDocument(fromPath(DOCX));
    const info = new SDK.V1.DocumentInfo();
    info.setDocumentId('contract-42');
    info.setDocumentName('Contract');
    p.setDocumentInfo(info);
    const user = new SDK.V1.UserInfo();
    user.setUserId('u-1');
    user.setDisplayName('Ada');
    p.setUserInfo(user);
    p.setPermissions(new Map<string, boolean>([['document.export', true], ['document.edit', false]]));
    const editor = new SDK.V1.EditorSettings();
    editor.setUnit('mm');
    editor.setView('pageview');
    p.setEditorSettings(editor);
    const ui = new SDK.V1.UiOptions();
    ui.setDarkMode('hide');
    p.setUiOptions(ui);
    const cb = new SDK.V1.CallbackSettings();
    cb.setSaveFormat('docx');
    cb.setSaveUrl('https://example.com/save');
    p.setCallbackSettings(cb);
    const first = expectClass(await ops.createDocument(p), SDK.V1.CreateDocumentResponse);
    assert.equal(first.getDocumentId(), 'contract-42');
    assert.equal(first.getDocumentDeleteUrl(), `${q.baseUrl}/writer/officeapi/v1/documents/contract-42`);

    const p2 = new SDK.V1.CreateDocumentParameters();
    p2.setDocument(fromBuffer(readFileSync(DOCX2)));
    const info2 = new SDK.V1.DocumentInfo();
    info2.setDocumentId('contract-42');
    p2.setDocumentInfo(info2);
    const user2 = new SDK.V1.UserInfo();
    user2.setUserId('u-2');
    user2.setDisplayName('Grace');
    p2.setUserInfo(user2);
    const second = expectClass(await ops.createDocument(p2), SDK.V1.CreateDocumentResponse);
    assert.equal(second.getDocumentId(), 'contract-42');
    assert.notEqual(second.getSessionId(), first.getSessionId());

    const meta = expectClass(await ops.getDocumentInfo('contract-42'), SDK.V1.DocumentMeta);
    assert.equal(meta.getDocumentName(), 'Contract');
    assert.equal(meta.getDocumentType(), 'writer');
    assert.equal(Number(meta.getActiveSessionsCount()), 2);
    assert.equal(Number(meta.getCollaboratorsCount()), 2);
    assert.ok(Number(meta.getExpiresOnMs()) > Number(meta.getCreatedTimeMs()));

    const all = expectClass(await ops.getAllSessions('contract-42'), SDK.V1.AllSessionsResponse);
    const sessions = all.getSessions();
    assert.equal(sessions.length, 2);
    assert.ok(sessions.every((s: unknown) => s instanceof SDK.V1.SessionMeta), safeJson(sessions));
    assert.deepEqual(sessions.map((s: any) => s.getUserInfo().getDisplayName()), ['Ada', 'Grace']);

    // A Buffer with no filename is still told apart from its bytes.
    const p3 = new SDK.V1.CreateDocumentParameters();
    p3.setDocument(fromBuffer(readFileSync(DOCX)));
    expectClass(await ops.createDocument(p3), SDK.V1.CreateDocumentResponse);
  });

  test('getSession answers SessionMeta with the user and the session links', async () => {
    const p = new SDK.V1.CreateDocumentParameters();
    const user = new SDK.V1.UserInfo();
    user.setUserId('reader-7');
    user.setDisplayName('Reader Seven');
    p.setUserInfo(user);
    const created = expectClass(await ops.createDocument(p), SDK.V1.CreateDocumentResponse);
    const meta = expectClass(await ops.getSession(created.getSessionId()), SDK.V1.SessionMeta);
    assert.equal(meta.getStatus(), 'active');
    assert.equal(meta.getInfo().getDocumentId(), created.getDocumentId());
    assert.equal(meta.getInfo().getSessionUrl(), created.getDocumentUrl());
    assert.equal(meta.getInfo().getSessionDeleteUrl(), created.getSessionDeleteUrl());
    assert.ok(Number(meta.getInfo().getExpiresOnMs()) > Number(meta.getInfo().getCreatedTimeMs()));
    assert.equal(meta.getUserInfo().getUserId(), 'reader-7');
    assert.equal(meta.getUserInfo().getDisplayName(), 'Reader Seven');
  });

  test('deleteSession: DocumentSessionDeleteSuccessResponse, then the session is 1833 and its page says it ended', async () => {
    const created = expectClass(await ops.createDocument(new SDK.V1.CreateDocumentParameters()), SDK.V1.CreateDocumentResponse);
    // Opening it makes the viewing session underneath.
    const opened = await call(q, 'GET', pathOf(created.getDocumentUrl()));
    assert.equal(opened.status, 200);
    assert.match(opened.body, /Editing is not available yet/);
    const viewerId = /\/viewer\/([A-Za-z0-9_-]+)/.exec(opened.body)![1]!;
    assert.equal((await call(q, 'GET', `/PCCIS/V1/ViewingSession/u${viewerId}`, { headers: { 'Acs-Api-Key': KEY } })).status, 200);

    const deleted = expectClass(await ops.deleteSession(created.getSessionId()), SDK.V1.DocumentSessionDeleteSuccessResponse);
    assert.equal(deleted.getSessionDeleted(), true);
    expectError(await ops.deleteSession(created.getSessionId()), 1833);
    expectError(await ops.getSession(created.getSessionId()), 1833);
    const page = await call(q, 'GET', pathOf(created.getDocumentUrl()));
    assert.equal(page.status, 410);
    assert.match(page.body, /This session has ended/);
    // The viewing session underneath stopped at once.
    assert.equal((await call(q, 'GET', `/PCCIS/V1/ViewingSession/u${viewerId}`, { headers: { 'Acs-Api-Key': KEY } })).status, 403);
    // The document itself goes on.
    expectClass(await ops.getDocumentInfo(created.getDocumentId()), SDK.V1.DocumentMeta);
  });

  test('deleteDocument: DocumentDeleteSuccessResponse; the document is 1844 and its sessions 1833', async () => {
    const created = expectClass(await ops.createDocument(new SDK.V1.CreateDocumentParameters()), SDK.V1.CreateDocumentResponse);
    const deleted = expectClass(await ops.deleteDocument(created.getDocumentId()), SDK.V1.DocumentDeleteSuccessResponse);
    assert.equal(deleted.getDocumentDeleted(), true);
    expectError(await ops.getDocumentInfo(created.getDocumentId()), 1844);
    expectError(await ops.getAllSessions(created.getDocumentId()), 1844);
    expectError(await ops.deleteDocument(created.getDocumentId()), 1844);
    expectError(await ops.getSession(created.getSessionId()), 1833);
    assert.equal((await call(q, 'GET', pathOf(created.getDocumentUrl()))).status, 410);
  });

  test('createDocumentPreview from a Buffer and from a path: PreviewResponse; preview_url goes to the viewer', async () => {
    const p = new SDK.V1.PreviewParameters();
    p.setDocument(fromBuffer(readFileSync(DOCX)));
    const info = new SDK.V1.PreviewDocumentInfo();
    info.setDocumentName('Preview me');
    p.setDocumentInfo(info);
    const preview = expectClass(await ops.createDocumentPreview(p), SDK.V1.PreviewResponse);
    assert.match(preview.getPreviewUrl(), /\/writer\/officeapi\/v1\/documents\/[0-9a-f]{64}\/preview$/);
    const r = await fetch(preview.getPreviewUrl(), { redirect: 'manual' });
    assert.equal(r.status, 302);
    const location = r.headers.get('location')!;
    assert.match(location, new RegExp(`^${q.baseUrl}/viewer/[A-Za-z0-9_-]+\\?`));
    const viewerId = new URL(location).pathname.split('/').pop()!;
    assert.equal((await call(q, 'GET', `/PCCIS/V1/ViewingSession/u${viewerId}`, { headers: { 'Acs-Api-Key': KEY } })).status, 200);
    assert.equal(expectClass(await ops.getDocumentInfo(preview.getDocumentId()), SDK.V1.DocumentMeta).getDocumentName(), 'Preview me');

    const pdf = new SDK.V1.PreviewParameters();
    pdf.setDocument(fromPath(PDF));
    expectClass(await ops.createDocumentPreview(pdf), SDK.V1.PreviewResponse);
  });

  test('compareDocument: CompareDocumentResponse whose compare_url opens a comparison viewing session', async () => {
    const p = new SDK.V1.CompareDocumentParameters();
    p.setDocument1(fromPath(DOCX));
    p.setDocument2(fromBuffer(readFileSync(DOCX2)));
    p.setTitle('v1 against v2');
    p.setLang('en');
    const cmp = expectClass(await ops.compareDocument(p), SDK.V1.CompareDocumentResponse);
    assert.match(cmp.getCompareUrl(), /\/compare$/);
    const r = await fetch(cmp.getCompareUrl(), { redirect: 'manual' });
    assert.equal(r.status, 302);
    const viewerId = new URL(r.headers.get('location')!).pathname.split('/').pop()!;
    for (const slot of ['original', 'revised']) {
      const doc = await call(q, 'GET', `/v2/viewingSessions/${viewerId}/sourceFile/${slot}`, { headers: { 'Acs-Api-Key': KEY } });
      assert.equal(doc.status, 200, slot);
    }
    const sessionId = cmp.getSessionDeleteUrl().split('/').pop();
    expectClass(await ops.getSession(sessionId), SDK.V1.SessionMeta);
    expectClass(await ops.deleteSession(sessionId), SDK.V1.DocumentSessionDeleteSuccessResponse);
    assert.equal((await fetch(cmp.getCompareUrl(), { redirect: 'manual' })).status, 410);

    const bad = new SDK.V1.CompareDocumentParameters();
    bad.setDocument1(fromPath(DOCX));
    bad.setDocument2(fromPath(PDF));
    expectError(await ops.compareDocument(bad), 1852, 'document2');
  });

  test('convertDocument: FileBodyWrapper for pdf, docx and html, named by document_name or the upload', async () => {
    const cases: [string, string | undefined, (b: Buffer) => void, string][] = [
      ['pdf', 'Quarterly report.pdf', (b) => assert.equal(b.subarray(0, 5).toString(), '%PDF-'), 'Quarterly%20report.pdf'],
      ['docx', undefined, (b) => assert.equal(b.subarray(0, 2).toString(), 'PK'), 'pydocx-test.docx'],
      ['html', 'page', (b) => assert.match(b.toString('utf8'), /<html/i), 'page.html'],
    ];
    for (const [format, name, check, filename] of cases) {
      const p = new SDK.V1.DocumentConversionParameters();
      p.setDocument(fromPath(DOCX));
      const out = new SDK.V1.DocumentConversionOutputOptions();
      out.setFormat(format);
      if (name) out.setDocumentName(name);
      p.setOutputOptions(out);
      const file = expectClass(await ops.convertDocument(p), SDK.V1.FileBodyWrapper);
      assert.equal(file.getFile().getName(), filename);
      check(fileBytes(file));
    }
    // A Buffer works too.
    const p = new SDK.V1.DocumentConversionParameters();
    p.setDocument(fromBuffer(readFileSync(DOCX2)));
    const out = new SDK.V1.DocumentConversionOutputOptions();
    out.setFormat('pdf');
    p.setOutputOptions(out);
    const file = expectClass(await ops.convertDocument(p), SDK.V1.FileBodyWrapper);
    assert.equal(file.getFile().getName(), 'document.pdf');
    assert.match(pdfText(fileBytes(file)), /\S/);
  });

  test('convertDocument errors: missing output_options 1837, unknown format 1831, unsupported input 1852, no document 1837', async () => {
    const none = new SDK.V1.DocumentConversionParameters();
    none.setDocument(fromPath(DOCX));
    expectError(await ops.convertDocument(none), 1837, 'output_options');

    const bad = new SDK.V1.DocumentConversionParameters();
    bad.setDocument(fromPath(DOCX));
    const out = new SDK.V1.DocumentConversionOutputOptions();
    out.setFormat('xyz');
    bad.setOutputOptions(out);
    expectError(await ops.convertDocument(bad), 1831, 'output_options', 'format');

    const png = new SDK.V1.DocumentConversionParameters();
    png.setDocument(fromBuffer(Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')));
    const o2 = new SDK.V1.DocumentConversionOutputOptions();
    o2.setFormat('pdf');
    png.setOutputOptions(o2);
    expectError(await ops.convertDocument(png), 1852, 'document');

    const noDoc = new SDK.V1.DocumentConversionParameters();
    noDoc.setOutputOptions(o2);
    expectError(await ops.convertDocument(noDoc), 1837, 'document');
  });

  test('createWatermarkDocument: a Word document comes back as DOCX with the mark in its header, a PDF as PDF', async () => {
    const settings = new SDK.V1.WatermarkSettings();
    settings.setType('text');
    settings.setText('CONFIDENTIAL');
    settings.setOrientation('diagonal');
    settings.setFontName('Arial');
    settings.setFontSize(48);
    settings.setFontColor('#cd4544');
    settings.setOpacity(70.0);

    const w = new SDK.V1.WatermarkParameters();
    w.setDocument(fromPath(DOCX));
    w.setWatermarkSettings(settings);
    const docx = expectClass(await ops.createWatermarkDocument(w), SDK.V1.FileBodyWrapper);
    assert.equal(docx.getFile().getName(), 'pydocx-test.docx');
    const bytes = fileBytes(docx);
    assert.equal(bytes.subarray(0, 2).toString(), 'PK');
    // Word's own watermark: a WordArt shape in the section's header.
    const parts = docxParts(bytes);
    const headers = [...parts].filter(([n]) => /^word\/header\d+\.xml$/.test(n)).map(([, xml]) => xml);
    assert.ok(headers.some((h) => /PowerPlusWaterMarkObject/.test(h) && /<v:textpath [^>]*string="CONFIDENTIAL"/.test(h) && /fillcolor="#cd4544"/.test(h)), 'a watermark header');
    assert.match(parts.get('word/document.xml')!, /<w:headerReference w:type="default" r:id="rIdQ\d+"\/>/);
    // LibreOffice draws it: the converted page has red on it where the original has none.
    const toPdf = async (doc: Buffer) => {
      const p = new SDK.V1.DocumentConversionParameters();
      p.setDocument(fromBuffer(doc));
      const out = new SDK.V1.DocumentConversionOutputOptions();
      out.setFormat('pdf');
      p.setOutputOptions(out);
      return fileBytes(expectClass(await ops.convertDocument(p), SDK.V1.FileBodyWrapper));
    };
    assert.equal(redPixels(await toPdf(readFileSync(DOCX))), 0);
    assert.ok(redPixels(await toPdf(bytes)) > 100);

    const wp = new SDK.V1.WatermarkParameters();
    wp.setDocument(fromBuffer(readFileSync(PDF)));
    wp.setWatermarkSettings(settings);
    const pdf = expectClass(await ops.createWatermarkDocument(wp), SDK.V1.FileBodyWrapper);
    assert.equal(pdf.getFile().getName(), 'document.pdf');
    assert.match(pdfText(fileBytes(pdf)).replace(/\s+/g, ''), /CONFIDENTIAL/);
    assert.ok(redPixels(fileBytes(pdf)) > 100);

    const missing = new SDK.V1.WatermarkParameters();
    missing.setDocument(fromPath(DOCX));
    expectError(await ops.createWatermarkDocument(missing), 1837, 'watermark_settings');
    const tooBig = new SDK.V1.WatermarkSettings();
    tooBig.setText('x');
    tooBig.setFontSize(500);
    const big = new SDK.V1.WatermarkParameters();
    big.setDocument(fromPath(DOCX));
    big.setWatermarkSettings(tooBig);
    expectError(await ops.createWatermarkDocument(big), 1831, 'watermark_settings', 'font_size');
  });

  test('parameter errors: unknown permission 1832 with key_name, bad value 1831, unknown session 1833, unknown document 1844', async () => {
    const p = new SDK.V1.CreateDocumentParameters();
    p.setPermissions(new Map<string, boolean>([['document.exprt', true]]));
    expectError(await ops.createDocument(p), 1832, 'permissions', 'document.exprt');

    const v = new SDK.V1.CreateDocumentParameters();
    const editor = new SDK.V1.EditorSettings();
    editor.setUnit('cm');
    v.setEditorSettings(editor);
    expectError(await ops.createDocument(v), 1831, 'editor_settings', 'unit');

    const id = new SDK.V1.CreateDocumentParameters();
    const info = new SDK.V1.DocumentInfo();
    info.setDocumentId('no/slashes');
    id.setDocumentInfo(info);
    expectError(await ops.createDocument(id), 1831, 'document_info', 'document_id');

    expectError(await ops.getSession('0'.repeat(64)), 1833);
    expectError(await ops.deleteSession('not-a-session'), 1833);
    expectError(await ops.getDocumentInfo('never-made'), 1844);
    // An operation Quire does not offer is 1838, not a 404 the SDK would give back as null.
    expectError(await ops.getMergeFields(new SDK.V1.GetMergeFieldsParameters()), 1838);
  });

  test('getPlanDetails: PlanDetails saying there are no limits', async () => {
    const plan = expectClass(await ops.getPlanDetails(), SDK.V1.PlanDetails);
    assert.match(plan.getPlanName(), /Quire/);
    assert.equal(Number(plan.getUsageLimit()), -1);
    assert.equal(Number(plan.getRemainingUsageLimit()), -1);
    assert.ok(Number(plan.getTotalUsage()) > 0);
    assert.ok(Number(plan.getApikeyId()) > 0);
  });

  test('a wrong key is InvalidConfigurationException 1846', async () => {
    try {
      const wrong = await initSdk(q.baseUrl, 'not-the-key-at-all');
      expectError(await wrong.createDocument(new SDK.V1.CreateDocumentParameters()), 1846, 'apikey');
      expectError(await wrong.getPlanDetails(), 1846);
    } finally {
      ops = await initSdk(q.baseUrl, KEY);
    }
  });
});
