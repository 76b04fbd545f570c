// Tenant isolation across every route of both dialects. One Quire, two tenants (alpha, beta). Alpha
// makes one of everything there is; beta then tries every route against alpha's ids.
//
// What isolation means here:
// - Management routes (those that take an API key) must answer beta for alpha's id exactly as for an
//   id that never existed: same status, reason, headers that carry meaning, and body (with the id
//   itself replaced) — so beta cannot even tell that alpha's id exists — and must change nothing.
// - Viewer routes (page content, attributes, text, search tasks, revisionData, /viewer/{id}, and the
//   Office Integrator session links edit/preview/compare/save) are authorized by the unguessable id
//   alone, as the vendors' are (docs/api-prizmdoc.md, docs/api-officeapi.md): whoever holds the id
//   holds a capability, whatever key (if any) comes with it. So beta *holding* alpha's session id can
//   view alpha's pages — that is the design, asserted below so a change is deliberate — while beta
//   with a guessed or other id gets the same 404 as for a random id. Ids are 384 (viewing sessions),
//   256 (office sessions) and 128 bits (search and conversion processes) of randomness.
// - The route list is taken from the dialects' own registrations (their Fastify plugins registered in
//   a bare Fastify instance, which runs none of their handlers) and compared with the table below, so
//   a new route without a tenant test fails this file.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { officeApi } from '../src/api/officeapi/index.ts';
import { prizmdocApi } from '../src/api/prizmdoc/index.ts';
import { viewerRoutes } from '../src/viewer/routes.ts';
import { call, startQuire, type Quire } from './helpers/quire.ts';
import { DOCX, DOCX2, V1, V2, bytesOf, createSession, createWorkFile, uploadSlot, uploadSource } from './helpers/prizmdoc.ts';
import { V1 as OV1, postForm } from './helpers/officeapi.ts';

const KA = 'ka-alpha-0123456789';
const KB = 'kb-beta-9876543210';
const A = { 'Acs-Api-Key': KA };
const B = { 'Acs-Api-Key': KB };
const WF = '/PCCIS/V1/WorkFile';

let q: Quire;
before(async () => (q = await startQuire({ env: { QUIRE_API_KEYS: `${KA}:alpha,${KB}:beta` } })));
after(async () => q?.dispose());

// ---- ids of the same shape as Quire's, that name nothing -----------------------------------------
const randomSessionId = () => randomBytes(48).toString('base64url');
const randomFileId = () => randomBytes(16).toString('base64url');
const randomProcessId = () => randomBytes(16).toString('base64url');
const randomOfficeSessionId = () => randomBytes(32).toString('hex');
const randomDocumentId = () => randomBytes(16).toString('hex');

type Answer = Awaited<ReturnType<typeof call>>;

/** What a caller can observe of an answer, with the id it asked about replaced by a placeholder. */
function observable(r: Answer, id: string) {
  let text = r.bytes.toString('utf8');
  if (id) text = text.replaceAll(id, '<ID>').replaceAll(encodeURIComponent(id), '<ID>');
  return {
    status: r.status,
    statusText: r.statusText,
    type: r.headers.get('content-type'),
    statusMessage: r.headers.get('accusoft-status-message'),
    statusNumber: r.headers.get('accusoft-status-number'),
    cache: r.headers.get('cache-control'),
    body: text,
  };
}

/** Every route exercised, with how; compared with the registered routes at the end. */
const exercised = new Set<string>();

/**
 * Beta's request about alpha's id must be indistinguishable from its request about a random id, and
 * must be refused with `status`.
 */
async function sameAsUnknown(route: string, alphaId: string, otherId: string, path: (id: string) => string, opts: { json?: unknown; body?: Uint8Array; headers?: Record<string, string> } = {}, status = 404) {
  exercised.add(route);
  const method = route.split(' ')[0]!;
  const headers = { ...B, ...opts.headers };
  const forAlpha = await call(q, method, path(alphaId), { ...opts, headers });
  const forOther = await call(q, method, path(otherId), { ...opts, headers });
  assert.equal(forAlpha.status, status, `${route} as beta on alpha's id answered ${forAlpha.status} ${forAlpha.bytes.toString().slice(0, 300)}`);
  assert.deepEqual(observable(forAlpha, alphaId), observable(forOther, otherId), `${route}: alpha's id is distinguishable from an unknown one`);
  assert.match(forAlpha.headers.get('content-type') ?? '', /application\/json/, route);
  return forAlpha;
}

// ---- alpha's objects ----------------------------------------------------------------------------

interface Alpha {
  sid: string;
  cid: string;
  freshSid: string;
  freshCid: string;
  fileId: string;
  searchPid: string;
  spareSearchPid: string;
  convertPid: string;
  convertResult: string;
  sessionProps: unknown;
  page0: Buffer;
  office: { documentId: string; s1: string; s2: string; previewSession: string; previewDocument: string; compareSession: string };
}

const docx = bytesOf(DOCX);
const docx2 = bytesOf(DOCX2);
let alpha: Alpha;

async function makeAlpha(): Promise<Alpha> {
  const sid = await createSession(q, {}, A);
  assert.equal((await uploadSource(q, sid, docx, { headers: A })).status, 200);
  // Rendered: page 0 and its text exist as renditions before beta tries anything.
  const page0 = await call(q, 'GET', `/PCCIS/V1/Page/q/0?DocumentID=u${sid}&ContentType=png`);
  assert.equal(page0.status, 200);
  const cid = await createSession(q, {}, A);
  assert.equal((await uploadSlot(q, cid, 'original', docx, A)).status, 200);
  assert.equal((await uploadSlot(q, cid, 'revised', docx2, A)).status, 200);
  const freshSid = await createSession(q, {}, A);
  const freshCid = await createSession(q, {}, A);
  const { fileId } = await createWorkFile(q, docx, { headers: A });

  const search = async () => {
    const r = await call(q, 'POST', `${V2}/${sid}/searchTasks`, { json: { input: { searchTerms: [{ type: 'simple', pattern: 'the' }] } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.processId as string;
  };
  const searchPid = await search();
  const spareSearchPid = await search();

  const conv = await call(q, 'POST', '/v2/contentConverters', { json: { input: { sources: [{ fileId }], dest: { format: 'pdf' } } }, headers: A });
  assert.equal(conv.status, 200, JSON.stringify(conv.body));
  const convertPid = conv.body.processId as string;
  let status = conv.body;
  for (const deadline = Date.now() + 60_000; status.state === 'processing' && Date.now() < deadline; ) {
    await sleep(200);
    status = (await call(q, 'GET', `/v2/contentConverters/${convertPid}`, { headers: A })).body;
  }
  assert.equal(status.state, 'complete', JSON.stringify(status));

  const info = { name: 'document_info', value: JSON.stringify({ document_id: 'alpha-doc-1', document_name: 'Alpha' }) };
  const o1 = await postForm(q, `${OV1}/documents?apikey=${KA}`, [info, { name: 'user_info', value: JSON.stringify({ user_id: 'ann' }) }, { name: 'document', file: docx, filename: 'a.docx' }]);
  assert.equal(o1.status, 200, JSON.stringify(o1.body));
  // The second session: apikey as a form field this time.
  const o2 = await postForm(q, `${OV1}/documents`, [{ name: 'apikey', value: KA }, info, { name: 'user_info', value: JSON.stringify({ user_id: 'bob' }) }]);
  assert.equal(o2.status, 200, JSON.stringify(o2.body));
  assert.equal(o2.body.document_id, 'alpha-doc-1');
  const pv = await postForm(q, `${OV1}/document/preview?apikey=${KA}`, [{ name: 'document', file: docx, filename: 'p.docx' }]);
  assert.equal(pv.status, 200, JSON.stringify(pv.body));
  const cmp = await postForm(q, `${OV1}/document/compare?apikey=${KA}`, [{ name: 'document1', file: docx, filename: 'o.docx' }, { name: 'document2', file: docx2, filename: 'r.docx' }]);
  assert.equal(cmp.status, 200, JSON.stringify(cmp.body));
  const compareSession = /\/sessions\/([0-9a-f]{64})$/.exec(cmp.body.session_delete_url)![1]!;

  return {
    sid,
    cid,
    freshSid,
    freshCid,
    fileId,
    searchPid,
    spareSearchPid,
    convertPid,
    convertResult: status.output.results[0].fileId,
    sessionProps: (await call(q, 'GET', `${V1}/u${sid}`, { headers: A })).body,
    page0: page0.bytes,
    office: { documentId: 'alpha-doc-1', s1: o1.body.session_id, s2: o2.body.session_id, previewSession: pv.body.session_id, previewDocument: pv.body.document_id, compareSession },
  };
}

describe('beta against alpha', () => {
  before(async () => (alpha = await makeAlpha()));

  test('PrizmDoc management routes: alpha\'s ids answer beta exactly as unknown ids do', async () => {
    const a = alpha;
    const sid = (p: string) => (id: string) => `${V1}/u${id}${p}`;
    const v2 = (p: string) => (id: string) => `${V2}/${id}${p}`;
    const rs = randomSessionId;
    await sameAsUnknown('GET /PCCIS/V1/ViewingSession/:sid', a.sid, rs(), sid(''));
    // Uploads into alpha's free slots and into its filled ones.
    for (const target of [a.freshSid, a.sid]) {
      await sameAsUnknown('PUT /PCCIS/V1/ViewingSession/:sid/SourceFile', target, rs(), sid('/SourceFile?FileExtension=docx'), { body: docx });
    }
    for (const slot of ['original', 'revised']) {
      for (const target of [a.freshCid, a.cid]) {
        await sameAsUnknown(`PUT /v2/viewingSessions/:id/sourceFile/${slot}`, target, rs(), v2(`/sourceFile/${slot}`), { body: docx });
      }
      await sameAsUnknown(`GET /v2/viewingSessions/:id/sourceFile/${slot}`, a.cid, rs(), v2(`/sourceFile/${slot}`));
    }
    // SourceRef naming beta's own (valid) work file: only the session can be what is refused.
    const betaFile = await createWorkFile(q, docx, { headers: B });
    await sameAsUnknown('PUT /PCCIS/V1/ViewingSession/:sid/SourceRef', a.freshSid, rs(), sid('/SourceRef'), { json: { refType: 'workFile', fileId: betaFile.fileId } });
    await sameAsUnknown('GET /PCCIS/V1/ViewingSession/:sid/SourceFile', a.sid, rs(), sid('/SourceFile'));
    await sameAsUnknown('GET /PCCIS/V1/ViewingSession/:sid/FileId', a.sid, rs(), sid('/FileId'));
    await sameAsUnknown('POST /PCCIS/V1/ViewingSession/:sid/Notification/SessionStarted', a.sid, rs(), sid('/Notification/SessionStarted'), { json: {} });
    for (const n of ['SessionStopped', 'SessionErrored']) {
      await sameAsUnknown(`POST /PCCIS/V1/ViewingSession/:sid/Notification/${n}`, a.sid, rs(), sid(`/Notification/${n}`), { json: { httpStatus: 410, endUserMessage: 'taken over' } });
    }
    await sameAsUnknown('POST /PCCIS/V1/ViewingSession/:sid/Replacement', a.sid, rs(), sid('/Replacement'), { json: { password: 'x' } });
    for (const target of [a.sid, a.cid, a.freshSid]) await sameAsUnknown('DELETE /PCCIS/V1/ViewingSession/:sid', target, rs(), sid(''));
    await sameAsUnknown('GET /v2/viewingSessions/:id/redline', a.cid, rs(), v2('/redline?format=pdf'));

    const wf = (p: string) => (id: string) => `${WF}/${id}${p}`;
    for (const id of [a.fileId, a.convertResult]) {
      await sameAsUnknown('GET /PCCIS/V1/WorkFile/:id', id, randomFileId(), wf(''));
      await sameAsUnknown('GET /PCCIS/V1/WorkFile/:id/Info', id, randomFileId(), wf('/Info'));
      await sameAsUnknown('DELETE /PCCIS/V1/WorkFile/:id', id, randomFileId(), wf(''));
    }
    await sameAsUnknown('GET /v2/contentConverters/:pid', a.convertPid, randomProcessId(), (id) => `/v2/contentConverters/${id}`);
  });

  test("routes that take an id in their body: alpha's work file is beta's unknown work file", async () => {
    // SourceRef of beta's own session to alpha's work file (single and comparison).
    const betaSession = await createSession(q, {}, B);
    for (const [fileId, other] of [[alpha.fileId, randomFileId()], [alpha.convertResult, randomFileId()]] as const) {
      const r1 = await call(q, 'PUT', `${V1}/u${betaSession}/SourceRef`, { json: { refType: 'workFile', fileId }, headers: B });
      const r2 = await call(q, 'PUT', `${V1}/u${betaSession}/SourceRef`, { json: { refType: 'workFile', fileId: other }, headers: B });
      assert.equal(r1.status, 480);
      assert.deepEqual(observable(r1, fileId), observable(r2, other));
      const body = (id: string) => ({ refType: 'comparison', original: { refType: 'workFile', fileId: id }, revised: { refType: 'workFile', fileId: id } });
      const c1 = await call(q, 'PUT', `${V1}/u${betaSession}/SourceRef`, { json: body(fileId), headers: B });
      const c2 = await call(q, 'PUT', `${V1}/u${betaSession}/SourceRef`, { json: body(other), headers: B });
      assert.equal(c1.status, 480);
      assert.deepEqual(observable(c1, fileId), observable(c2, other));
      // A content conversion of alpha's file.
      const conv = (id: string) => call(q, 'POST', '/v2/contentConverters', { json: { input: { sources: [{ fileId: id }], dest: { format: 'png' } } }, headers: B });
      const k1 = await conv(fileId);
      const k2 = await conv(other);
      assert.equal(k1.status, 480, JSON.stringify(k1.body));
      assert.equal(k1.body.errorCode, 'WorkFileDoesNotExist');
      assert.deepEqual(observable(k1, fileId), observable(k2, other));
    }
    exercised.add('POST /v2/contentConverters');
    // Beta's session still takes a document after all those refusals (nothing was claimed).
    assert.equal((await uploadSource(q, betaSession, docx, { headers: B })).status, 200);

    // A watermark image named by alpha's work file: beta's session with it fails exactly as with an unknown file.
    const watermarked = async (imageWorkFileId: string) => {
      const props = { serverCaching: 'none', watermarks: [{ type: 'image', imageWorkFileId }] };
      const r = await call(q, 'POST', V1, { json: props, headers: B });
      if (r.status !== 200) return { r, id: imageWorkFileId };
      const id = r.body.viewingSessionId as string;
      assert.equal((await uploadSource(q, id, Buffer.from('watermarked\n'), { ext: 'txt', headers: B })).status, 200);
      return { r: await call(q, 'GET', `/PCCIS/V1/Page/q/0?DocumentID=u${id}&ContentType=png`), id };
    };
    const png = (await call(q, 'GET', `/PCCIS/V1/Page/q/0?DocumentID=u${alpha.sid}&ContentType=png&Scale=0.1`)).bytes;
    const { fileId: alphaImage } = await createWorkFile(q, png, { headers: A });
    const w1 = await watermarked(alphaImage);
    const w2 = await watermarked(randomFileId());
    assert.ok(w1.r.status >= 400 && w1.r.status < 500, `watermark with alpha's image answered ${w1.r.status} ${w1.r.bytes.toString().slice(0, 200)}`);
    assert.deepEqual(observable(w1.r, w1.id), observable(w2.r, w2.id));
    exercised.add('POST /PCCIS/V1/ViewingSession');
    exercised.add('POST /PCCIS/V1/WorkFile');
  });

  test('Office Integrator routes: alpha\'s documents and sessions are beta\'s unknown ones', async () => {
    const o = alpha.office;
    const k = `?apikey=${KB}`;
    for (const s of [o.s1, o.s2, o.previewSession, o.compareSession]) {
      const r = await sameAsUnknown('GET /writer/officeapi/v1/sessions/:id', s, randomOfficeSessionId(), (id) => `${OV1}/sessions/${id}${k}`, {}, 400);
      assert.equal(r.body.code, 1833);
      assert.equal((await sameAsUnknown('DELETE /writer/officeapi/v1/sessions/:id', s, randomOfficeSessionId(), (id) => `${OV1}/sessions/${id}${k}`, {}, 400)).body.code, 1833);
    }
    for (const d of [o.documentId, o.previewDocument]) {
      const other = d === o.documentId ? `beta-never-${randomBytes(4).toString('hex')}` : randomDocumentId();
      for (const route of ['GET /writer/officeapi/v1/documents/:id', 'GET /writer/officeapi/v1/documents/:id/sessions', 'DELETE /writer/officeapi/v1/documents/:id']) {
        const suffix = route.endsWith('/sessions') ? '/sessions' : '';
        const r = await sameAsUnknown(route, d, other, (id) => `${OV1}/documents/${id}${suffix}${k}`, {}, 400);
        assert.equal(r.body.code, 1844);
      }
    }
    // The PrizmDoc key header is not an Office key: without apikey the answer is 1846 whatever the id.
    const headerOnly = await call(q, 'GET', `${OV1}/sessions/${o.s1}`, { headers: A });
    assert.equal(headerOnly.body.code, 1846);

    // Creating with alpha's document_id makes beta's own document, exactly as with a new id.
    const create = async (documentId: string) => postForm(q, `${OV1}/documents${k}`, [{ name: 'document_info', value: JSON.stringify({ document_id: documentId, document_name: 'Beta' }) }]);
    const other = `beta-fresh-${randomBytes(4).toString('hex')}`;
    const c1 = await create(o.documentId);
    const c2 = await create(other);
    assert.equal(c1.status, 200, JSON.stringify(c1.body));
    assert.deepEqual(Object.keys(c1.body).sort(), Object.keys(c2.body).sort());
    assert.equal(c1.body.document_id, o.documentId);
    const betaDoc = await call(q, 'GET', `${OV1}/documents/${o.documentId}${k}`);
    assert.equal(betaDoc.body.document_name, 'Beta');
    assert.equal(betaDoc.body.active_sessions_count, 1);
    exercised.add('POST /writer/officeapi/v1/documents');

    // Routes that name no id: beta's call is about beta's own input only.
    for (const path of ['document/preview', 'document/compare', 'document/convert', 'document/watermark']) {
      const parts = path === 'document/convert' ? [{ name: 'output_options', value: JSON.stringify({ format: 'pdf' }) }] : path === 'document/watermark' ? [{ name: 'watermark_settings', value: JSON.stringify({ text: 'x' }) }] : [];
      const r = await postForm(q, `${OV1}/${path}${k}`, parts);
      assert.equal(r.status, 400);
      assert.equal(r.body.code, 1837, `${path}: ${JSON.stringify(r.body)}`);
      exercised.add(`POST /writer/officeapi/v1/${path}`);
    }
    for (const path of ['templates', 'fields', 'document/merge', 'document/merge/webhook', 'fillabletemplates', 'fillabletemplates/fillablelink', 'document/combine']) {
      const r = await postForm(q, `${OV1}/${path}${k}`, []);
      assert.equal(r.body.code, 1838, path);
      exercised.add(`POST /writer/officeapi/v1/${path}`);
    }

    // The plan counts beta's sessions only (its two creates above), never alpha's four.
    const plan = await call(q, 'GET', `/api/v1/plan${k}`);
    const alphaPlan = await call(q, 'GET', `/api/v1/plan?apikey=${KA}`);
    assert.equal(plan.body.total_usage, 2);
    assert.equal(alphaPlan.body.total_usage, 4);
    assert.notEqual(plan.body.apikey_id, alphaPlan.body.apikey_id);
    exercised.add('GET /api/v1/plan');
  });

  test('Office session links are capabilities: the session id opens them, an unknown id is 404', async () => {
    const o = alpha.office;
    // Whoever holds the session id opens it (the link is what a browser gets), key or no key.
    const edit = await call(q, 'GET', `${OV1}/documents/${o.s1}/edit?apikey=${KB}`);
    assert.equal(edit.status, 200);
    assert.match(edit.headers.get('content-type') ?? '', /text\/html/);
    for (const [suffix, s] of [['preview', o.previewSession], ['compare', o.compareSession]] as const) {
      const r = await fetch(`${q.baseUrl}${OV1}/documents/${s}/${suffix}`, { redirect: 'manual' });
      await r.arrayBuffer();
      assert.equal(r.status, 302);
    }
    for (const suffix of ['edit', 'preview', 'compare']) {
      exercised.add(`GET /writer/officeapi/v1/documents/:id/${suffix}`);
      const r = await call(q, 'GET', `${OV1}/documents/${randomOfficeSessionId()}/${suffix}?apikey=${KB}`);
      assert.equal(r.status, 404);
      assert.match(r.body, /No such session/);
    }
    // save_url: an unknown session id is 1833. (Alpha's id would save: it is the capability save_url hands out.)
    exercised.add('POST /writer/officeapi/v1/documents/:id/save');
    const save = await call(q, 'POST', `${OV1}/documents/${randomOfficeSessionId()}/save?apikey=${KB}`, { body: docx, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(save.status, 400);
    assert.equal(save.body.code, 1833);
  });

  test('viewer routes are capabilities: alpha\'s session id reads alpha\'s pages; any other id is 404', async () => {
    const a = alpha;
    const viewerPaths: [string, (id: string) => string][] = [];
    for (const prefix of ['/PCCIS/V1', '']) {
      const p = (route: string, path: (d: string) => string) => viewerPaths.push([`GET ${prefix}${route}`, (id) => `${prefix}${path(`DocumentID=u${id}`)}`]);
      p('/Page/q/:n', (d) => `/Page/q/0?${d}&ContentType=png`);
      p('/Page/q/:n/Tile/:x/:y/:w/:h', (d) => `/Page/q/0/Tile/0/0/64/64?${d}`);
      p('/Page/q/:n/:size', (d) => `/Page/q/0/60x80?${d}`);
      p('/Page/q/:n/Attributes', (d) => `/Page/q/0/Attributes?${d}`);
      p('/Document/q/Attributes', (d) => `/Document/q/Attributes?${d}`);
      p('/Document/q/:range/Text', (d) => `/Document/q/0-0/Text?${d}`);
    }
    for (const [route, path] of viewerPaths) {
      exercised.add(route);
      const withId = await call(q, 'GET', path(a.sid), { headers: B });
      assert.equal(withId.status, 200, `${route} with alpha's session id: ${withId.status}`);
      const guessed = await call(q, 'GET', path(randomSessionId()), { headers: B });
      assert.equal(guessed.status, 404, route);
      assert.equal(guessed.body.errorCode, 'NotFound');
    }
    // The id alone decides: the same page for beta's key, alpha's key, or none.
    const png = (h: Record<string, string>) => call(q, 'GET', `/PCCIS/V1/Page/q/0?DocumentID=u${a.sid}&ContentType=png`, { headers: h });
    assert.ok((await png(B)).bytes.equals(a.page0));
    assert.ok((await png({})).bytes.equals(a.page0));

    // Search tasks: started with a session id, then read by the process id.
    exercised.add('POST /v2/viewingSessions/:id/searchTasks');
    const body = { input: { searchTerms: [{ type: 'simple', pattern: 'the' }] } };
    assert.equal((await call(q, 'POST', `${V2}/${a.sid}/searchTasks`, { json: body, headers: B })).status, 200);
    assert.equal((await call(q, 'POST', `${V2}/${randomSessionId()}/searchTasks`, { json: body, headers: B })).status, 404);
    for (const [route, path] of [['GET /v2/searchTasks/:pid', ''], ['GET /v2/searchTasks/:pid/results', '/results']] as const) {
      exercised.add(route);
      assert.equal((await call(q, 'GET', `/v2/searchTasks/${a.searchPid}${path}`, { headers: B })).status, 200);
      const unknown = await call(q, 'GET', `/v2/searchTasks/${randomProcessId()}${path}`, { headers: B });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.errorCode, 'NotFound');
    }
    exercised.add('DELETE /v2/searchTasks/:pid');
    assert.equal((await call(q, 'DELETE', `/v2/searchTasks/${randomProcessId()}`, { headers: B })).status, 404);
    // Holding a process id is holding the task (a spare one of alpha's: its main task is checked below).
    assert.equal((await call(q, 'DELETE', `/v2/searchTasks/${a.spareSearchPid}`, { headers: B })).status, 204);

    exercised.add('GET /v2/viewingSessions/:id/revisionData');
    const rev = await call(q, 'GET', `${V2}/${a.cid}/revisionData`, { headers: B });
    assert.equal(rev.status, 200, JSON.stringify(rev.body));
    assert.ok(Array.isArray(rev.body.changes));
    assert.equal((await call(q, 'GET', `${V2}/${randomSessionId()}/revisionData`, { headers: B })).status, 404);

    // The viewer page is the same page for any well-formed id: it reveals nothing about the id.
    exercised.add('GET /viewer/:id');
    const other = randomSessionId();
    const v1 = await call(q, 'GET', `/viewer/${a.sid}`);
    const v2 = await call(q, 'GET', `/viewer/${other}`);
    assert.equal(v1.status, 200);
    assert.deepEqual(observable(v1, a.sid), observable(v2, other));
    exercised.add('GET /viewer/assets/:name');
    assert.equal((await call(q, 'GET', '/viewer/assets/quire-viewer.css')).status, 200);
    exercised.add('GET /PCCIS/V1/Service/Current/Health');
    assert.equal((await call(q, 'GET', '/PCCIS/V1/Service/Current/Health')).status, 200);
  });

  test("after all of it, alpha's objects are unchanged", async () => {
    const a = alpha;
    assert.deepEqual((await call(q, 'GET', `${V1}/u${a.sid}`, { headers: A })).body, a.sessionProps);
    assert.ok((await call(q, 'GET', `${V1}/u${a.sid}/SourceFile`, { headers: A })).bytes.equals(docx));
    assert.ok((await call(q, 'GET', `${V2}/${a.cid}/sourceFile/original`, { headers: A })).bytes.equals(docx));
    assert.ok((await call(q, 'GET', `${V2}/${a.cid}/sourceFile/revised`, { headers: A })).bytes.equals(docx2));
    assert.ok((await call(q, 'GET', `${WF}/${a.fileId}`, { headers: A })).bytes.equals(docx));
    assert.equal((await call(q, 'GET', `${WF}/${a.convertResult}`, { headers: A })).bytes.subarray(0, 5).toString(), '%PDF-');
    const conv = await call(q, 'GET', `/v2/contentConverters/${a.convertPid}`, { headers: A });
    assert.equal(conv.body.state, 'complete');
    assert.equal(conv.body.output.results[0].fileId, a.convertResult);
    assert.equal((await call(q, 'GET', `/v2/searchTasks/${a.searchPid}/results`)).status, 200);
    // Not stopped, not errored, not replaced: pages still render and notifications still work for alpha.
    assert.equal((await call(q, 'GET', `/PCCIS/V1/Page/q/0?DocumentID=u${a.sid}&ContentType=png`)).status, 200);
    assert.equal((await call(q, 'GET', `${V1}/u${a.cid}`, { headers: A })).status, 200);
    // The slots beta tried to fill are still free for alpha.
    assert.equal((await uploadSource(q, a.freshSid, docx, { headers: A })).status, 200);
    assert.equal((await uploadSlot(q, a.freshCid, 'original', docx, A)).status, 200);
    assert.equal((await uploadSlot(q, a.freshCid, 'revised', docx2, A)).status, 200);

    const o = a.office;
    const doc = await call(q, 'GET', `${OV1}/documents/${o.documentId}/sessions?apikey=${KA}`);
    assert.equal(doc.status, 200);
    assert.equal(doc.body.document_name, 'Alpha');
    assert.equal(doc.body.active_sessions_count, 2);
    assert.deepEqual(doc.body.sessions.map((s: any) => s.user_info.user_id).sort(), ['ann', 'bob']);
    for (const s of [o.s1, o.s2, o.previewSession, o.compareSession]) assert.equal((await call(q, 'GET', `${OV1}/sessions/${s}?apikey=${KA}`)).status, 200);
    assert.equal((await call(q, 'GET', `${OV1}/documents/${o.previewDocument}?apikey=${KA}`)).status, 200);
    assert.equal((await call(q, 'GET', `${OV1}/documents/${o.s2}/edit`)).status, 200);
  });
});

describe('renditions', () => {
  const sha = (...parts: (string | Buffer)[]) => createHash('sha256').update(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))).digest('hex');
  // rendering/rendition-key.ts sharedKey: tenant, bytes, format, password.
  const sharedKey = (tenant: string, bytes: Buffer, ext: string) => sha('tenant\0', tenant, '\0', sha(bytes), '\0', ext, '\0');
  const dirOf = (key: string) => join(q.dataDir, 'renditions', key.slice(0, 2), key);
  const prepared = (key: string) => q.output().split('\n').filter((l) => l.includes('document prepared') && l.includes(`"key":"${key.slice(0, 12)}"`)).length;

  test('the same bytes with serverCaching "full" are converted and cached per tenant; alpha\'s cache never answers beta', async () => {
    const bytes = Buffer.from(`Isolation ${randomBytes(8).toString('hex')}\nsecond line\n`);
    const open = async (h: Record<string, string>) => {
      const id = await createSession(q, { serverCaching: 'full' }, h);
      assert.equal((await uploadSource(q, id, bytes, { ext: 'txt', headers: h })).status, 200);
      return id;
    };
    const svg = (id: string) => call(q, 'GET', `/PCCIS/V1/Page/q/0?DocumentID=u${id}&ContentType=svgb`);
    const ka = sharedKey('alpha', bytes, 'txt');
    const kb = sharedKey('beta', bytes, 'txt');
    const sa = await open(A);
    const first = await svg(sa);
    assert.equal(first.status, 200);
    assert.equal(prepared(ka), 1);
    assert.ok(existsSync(dirOf(ka)));
    assert.ok(!existsSync(dirOf(kb)), 'nothing of beta exists before beta uploads');

    // Alpha's cached page is replaced by a marker: whatever serves it from the cache shows the marker.
    const cached = readdirSync(dirOf(ka)).filter((f) => f.endsWith('.svg'));
    assert.ok(cached.length > 0, `no cached svg in ${readdirSync(dirOf(ka)).join(',')}`);
    const marker = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><desc>alpha-only-marker</desc></svg>';
    for (const f of cached) writeFileSync(join(dirOf(ka), f), marker);
    assert.match((await svg(sa)).bytes.toString(), /alpha-only-marker/, 'alpha\'s own sessions read the cache');

    const sb = await open(B);
    const betaPage = await svg(sb);
    assert.equal(betaPage.status, 200);
    assert.doesNotMatch(betaPage.bytes.toString(), /alpha-only-marker/);
    assert.ok(betaPage.bytes.equals(first.bytes), 'beta drew the same page itself');
    assert.equal(prepared(kb), 1, 'beta converted its own copy');
    assert.equal(prepared(ka), 1, 'alpha\'s conversion was not repeated or touched');
    assert.ok(existsSync(dirOf(kb)));
    assert.notEqual(ka, kb);

    // A content conversion by beta of the same bytes uses beta's cache, never alpha's.
    const { fileId } = await createWorkFile(q, bytes, { ext: 'txt', headers: B });
    const conv = await call(q, 'POST', '/v2/contentConverters', { json: { input: { sources: [{ fileId }], dest: { format: 'svg' } } }, headers: B });
    assert.equal(conv.status, 200, JSON.stringify(conv.body));
    let status = conv.body;
    for (const deadline = Date.now() + 60_000; status.state === 'processing' && Date.now() < deadline; ) {
      await sleep(200);
      status = (await call(q, 'GET', `/v2/contentConverters/${status.processId}`, { headers: B })).body;
    }
    assert.equal(status.state, 'complete', JSON.stringify(status));
    const out = await call(q, 'GET', `${WF}/${status.output.results[0].fileId}`, { headers: B });
    assert.doesNotMatch(out.bytes.toString(), /alpha-only-marker/);
    assert.equal(prepared(ka), 1);
  });
});

describe('route coverage', () => {
  test('every registered route of both dialects and the viewer is exercised above', async () => {
    const app = Fastify();
    const registered = new Set<string>();
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') registered.add(`${m} ${r.url}`);
    });
    // Registering only records the routes: no handler runs, so the dependencies are never used.
    const none = {} as never;
    await app.register(viewerRoutes, none);
    await app.register(prizmdocApi, none);
    await app.register(officeApi, { maxUploadBytes: 1, maxFieldBytes: 1, sweepIntervalMs: 60_000 } as never);
    await app.ready();
    await app.close();
    assert.ok(registered.size > 50, `only ${registered.size} routes found`);
    const missing = [...registered].filter((r) => !exercised.has(r)).sort();
    const unknown = [...exercised].filter((r) => !registered.has(r)).sort();
    assert.deepEqual(missing, [], `routes without a tenant test: ${missing.join(', ')}`);
    assert.deepEqual(unknown, [], `routes tested that are not registered: ${unknown.join(', ')}`);
  });
});
