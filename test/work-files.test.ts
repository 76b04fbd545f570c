// Work files: POST raw bytes, GET them back, Info, DELETE; lifetimes; the upload limit; and the
// vendor's own Node client (@accusoft/prizmdoc-rest-client) driving them against Quire.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { call, startQuire, type Quire } from './helpers/quire.ts';
import { DOCX, PDF, PPTX, UNRECOGNIZABLE, V1, XLSX, assert480, bytesOf, createSession, createWorkFile, uploadSource } from './helpers/prizmdoc.ts';

const WF = '/PCCIS/V1/WorkFile';
const DAY_MS = 24 * 3600 * 1000;

let q: Quire;
before(async () => (q = await startQuire()));
after(async () => q.dispose());

describe('POST / GET / Info / DELETE', () => {
  for (const [path, ext, mime] of [
    [DOCX, 'docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    [PDF, 'pdf', 'application/pdf'],
    [PPTX, 'pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
    [XLSX, 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ] as const) {
    test(`a ${ext} round-trips byte for byte, its format detected without FileExtension`, async () => {
      const bytes = bytesOf(path);
      const t0 = Date.now();
      const r = await call(q, 'POST', WF, { body: bytes });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      assert.match(r.body.fileId, /^[A-Za-z0-9_-]{22,}$/);
      assert.equal(r.body.fileExtension, ext);
      assert.equal(typeof r.body.affinityToken, 'string');

      const got = await call(q, 'GET', `${WF}/${r.body.fileId}`);
      assert.equal(got.status, 200);
      assert.ok(got.bytes.equals(bytes));
      assert.equal(got.headers.get('content-type'), mime);
      assert.equal(got.headers.get('content-disposition'), `attachment; filename="WorkFile.${ext}"; filename*=UTF-8''WorkFile.${ext}`);

      const named = await call(q, 'GET', `${WF}/${r.body.fileId}?ContentDispositionFilename=Report`);
      assert.equal(named.headers.get('content-disposition'), `attachment; filename="Report.${ext}"; filename*=UTF-8''Report.${ext}`);

      const info = await call(q, 'GET', `${WF}/${r.body.fileId}/Info`);
      assert.equal(info.status, 200);
      assert.equal(info.body.fileId, r.body.fileId);
      assert.equal(info.body.fileExtension, ext);
      assert.equal(info.body.fileSize, bytes.length);
      // Default lifetime: 24 hours from creation.
      const expires = Date.parse(info.body.expirationDateTime);
      assert.ok(Math.abs(expires - (t0 + DAY_MS)) < 60_000, `expirationDateTime ${info.body.expirationDateTime} is not ~24 h away`);
    });
  }

  test('text needs FileExtension; it is kept (lower-cased) and a leading period is 480', async () => {
    const text = Buffer.from('col1,col2\n1,2\n');
    const r = await createWorkFile(q, text, { ext: 'CSV' });
    assert.equal(r.fileExtension, 'csv');
    const got = await call(q, 'GET', `${WF}/${r.fileId}`);
    assert.ok(got.bytes.equals(text));
    assert.match(got.headers.get('content-type') ?? '', /^text\/csv/);
    assert480(await call(q, 'POST', `${WF}?FileExtension=.csv`, { body: text }), 'InvalidInput', 'FileExtension');
  });

  test('bytes of an unknown format are still stored as a work file (only sessions need a known format)', async () => {
    const r = await call(q, 'POST', WF, { body: UNRECOGNIZABLE });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const got = await call(q, 'GET', `${WF}/${r.body.fileId}`);
    assert.ok(got.bytes.equals(UNRECOGNIZABLE));
    assert.equal(got.headers.get('content-type'), 'application/octet-stream');
  });

  test('MinSecondsAvailable lengthens the lifetime; bad values are 480', async () => {
    const t0 = Date.now();
    const r = await createWorkFile(q, bytesOf(PDF), { query: `MinSecondsAvailable=${3 * 86400}` });
    const info = await call(q, 'GET', `${WF}/${r.fileId}/Info`);
    const expires = Date.parse(info.body.expirationDateTime);
    assert.ok(Math.abs(expires - (t0 + 3 * DAY_MS)) < 60_000, info.body.expirationDateTime);
    for (const bad of ['-5', 'soon', '1.5', '0']) {
      assert480(await call(q, 'POST', `${WF}?MinSecondsAvailable=${bad}`, { body: bytesOf(PDF) }), 'InvalidInput', 'MinSecondsAvailable');
    }
  });

  test('DELETE removes it: 204, then 404 on GET, Info and DELETE', async () => {
    const r = await createWorkFile(q, bytesOf(DOCX));
    const del = await call(q, 'DELETE', `${WF}/${r.fileId}`);
    assert.equal(del.status, 204);
    for (const [m, p] of [['GET', `${WF}/${r.fileId}`], ['GET', `${WF}/${r.fileId}/Info`], ['DELETE', `${WF}/${r.fileId}`]] as const) {
      const res = await call(q, m, p);
      assert.equal(res.status, 404, `${m} ${p}`);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(typeof res.body.errorCode, 'string');
    }
  });

  test('unknown and malformed ids are 404 JSON', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not..an..id', 'x']) {
      const r = await call(q, 'GET', `${WF}/${encodeURIComponent(id)}`);
      assert.equal(r.status, 404, id);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    }
  });

  test('the same bytes twice are two work files: deleting one leaves the other readable', async () => {
    const bytes = bytesOf(DOCX);
    const a = await createWorkFile(q, bytes);
    const b = await createWorkFile(q, bytes);
    assert.notEqual(a.fileId, b.fileId);
    assert.equal((await call(q, 'DELETE', `${WF}/${a.fileId}`)).status, 204);
    assert.ok((await call(q, 'GET', `${WF}/${b.fileId}`)).bytes.equals(bytes));
  });
});

describe('work files and sessions', () => {
  test("a session's source is a work file: FileId → GET WorkFile gives the same bytes", async () => {
    const id = await createSession(q);
    const bytes = bytesOf(PPTX);
    assert.equal((await uploadSource(q, id, bytes)).status, 200);
    const fid = await call(q, 'GET', `${V1}/u${id}/FileId`);
    assert.equal(fid.status, 200);
    const wf = await call(q, 'GET', `${WF}/${fid.body.fileId}`);
    assert.equal(wf.status, 200);
    assert.ok(wf.bytes.equals(bytes));
    const info = await call(q, 'GET', `${WF}/${fid.body.fileId}/Info`);
    assert.equal(info.body.fileExtension, 'pptx');
    // And that work file can be the source of a second session.
    const id2 = await createSession(q, {}, { 'Accusoft-Affinity-Token': fid.body.affinityToken });
    assert.equal((await call(q, 'PUT', `${V1}/u${id2}/SourceRef`, { json: { refType: 'workFile', fileId: fid.body.fileId } })).status, 200);
    assert.ok((await call(q, 'GET', `${V1}/u${id2}/SourceFile`)).bytes.equals(bytes));
  });

  test('a deleted work file is NotFound for SourceRef, a session already using it keeps its bytes', async () => {
    const bytes = bytesOf(DOCX);
    const wf = await createWorkFile(q, bytes);
    const id = await createSession(q);
    assert.equal((await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { json: { refType: 'workFile', fileId: wf.fileId } })).status, 200);
    assert.equal((await call(q, 'DELETE', `${WF}/${wf.fileId}`)).status, 204);
    assert.ok((await call(q, 'GET', `${V1}/u${id}/SourceFile`)).bytes.equals(bytes));
    const fid = await call(q, 'GET', `${V1}/u${id}/FileId`);
    assert.equal(fid.status, 200, 'FileId makes a work file again when the old one is gone');
    assert.ok((await call(q, 'GET', `${WF}/${fid.body.fileId}`)).bytes.equals(bytes));
    const id2 = await createSession(q);
    assert480(await call(q, 'PUT', `${V1}/u${id2}/SourceRef`, { json: { refType: 'workFile', fileId: wf.fileId } }), 'NotFound', 'input.fileId');
  });

  test('malformed JSON bodies are 480 InvalidInput on every JSON route', async () => {
    const id = await createSession(q);
    const bad = { body: '{"refType": "workFile", "fileId": ', headers: { 'content-type': 'application/json' } };
    for (const [m, p] of [
      ['POST', V1],
      ['PUT', `${V1}/u${id}/SourceRef`],
      ['POST', `${V1}/u${id}/Notification/SessionStarted`],
      ['POST', `${V1}/u${id}/Notification/SessionStopped`],
      ['POST', `${V1}/u${id}/Notification/SessionErrored`],
      ['POST', `${V1}/u${id}/Replacement`],
    ] as const) {
      assert480(await call(q, m, p, bad), 'InvalidInput');
    }
    // JSON sent without a content type is still read as JSON (clients often omit it).
    const wf = await createWorkFile(q, bytesOf(DOCX));
    const r = await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { body: JSON.stringify({ refType: 'workFile', fileId: wf.fileId }), headers: { 'content-type': 'text/plain' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });
});

describe('upload size limit', () => {
  const LIMIT = 64 * 1024;
  let small: Quire;
  before(async () => (small = await startQuire({ env: { QUIRE_MAX_UPLOAD_BYTES: String(LIMIT) } })));
  after(async () => small.dispose());

  test('a work file over the limit is 413 JSON (declared length), one at the limit is accepted', async () => {
    const over = Buffer.alloc(LIMIT + 1, 0x41);
    const r = await call(small, 'POST', `${WF}?FileExtension=txt`, { body: over });
    assert.equal(r.status, 413);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(typeof r.body.errorCode, 'string');
    const at = Buffer.alloc(LIMIT, 0x41);
    assert.equal((await call(small, 'POST', `${WF}?FileExtension=txt`, { body: at })).status, 200);
  });

  test('a chunked upload (no Content-Length) over the limit is 413 JSON too, and leaves the session usable', async () => {
    const chunk = Buffer.alloc(16 * 1024, 0x42);
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 6; i++) c.enqueue(chunk);
          c.close();
        },
      });
    const r = await call(small, 'POST', `${WF}?FileExtension=txt`, { body: stream() });
    assert.equal(r.status, 413);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);

    const id = await createSession(small);
    const s = await call(small, 'PUT', `${V1}/u${id}/SourceFile?FileExtension=txt`, { body: stream() });
    assert.equal(s.status, 413);
    assert.match(s.headers.get('content-type') ?? '', /application\/json/);
    // The refused upload released its claim.
    assert.equal((await uploadSource(small, id, bytesOf(DOCX))).status, 200);
  });
  test('a body far over the limit still gets its 413 JSON answer, not a reset connection', async () => {
    // The server must let the client finish sending (or read its answer) instead of closing on it.
    const big = Buffer.alloc(8 * 1024 * 1024, 0x43);
    const chunked = () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 128; i++) c.enqueue(big.subarray(0, 64 * 1024));
          c.close();
        },
      });
    const id = await createSession(small);
    for (let i = 0; i < 3; i++) {
      for (const [path, body] of [
        [`${WF}?FileExtension=txt`, big],
        [`${WF}?FileExtension=txt`, chunked()],
        [`${V1}/u${id}/SourceFile?FileExtension=txt`, big],
        [`${V1}/u${id}/SourceFile?FileExtension=txt`, chunked()],
      ] as const) {
        const r = await call(small, path.startsWith(WF) ? 'POST' : 'PUT', path, { body });
        assert.equal(r.status, 413, `${path} attempt ${i}`);
        assert.equal(r.body.errorCode, 'PayloadTooLarge');
      }
    }
    assert.equal((await uploadSource(small, id, bytesOf(DOCX))).status, 200);
  });
});

describe('the vendor client @accusoft/prizmdoc-rest-client', () => {
  // It is CommonJS without types; used exactly as its README shows.
  const PrizmDocRestClient = createRequire(import.meta.url)('@accusoft/prizmdoc-rest-client');

  test('uploads a work file, picks up the affinity token, downloads the bytes back', async () => {
    const prizmdocServer = new PrizmDocRestClient({ baseUrl: q.baseUrl });
    const session = prizmdocServer.createAffinitySession();
    const input = bytesOf(DOCX);

    let res = await session.post('/PCCIS/V1/WorkFile', { body: input });
    assert.equal(res.status, 200);
    const inputWorkFile = await res.json();
    assert.equal(typeof inputWorkFile.fileId, 'string');
    assert.equal(inputWorkFile.fileExtension, 'docx');
    // The client now sends Accusoft-Affinity-Token on every request.
    assert.equal(session.defaults.headers['Accusoft-Affinity-Token'], inputWorkFile.affinityToken);

    res = await session.get(`/PCCIS/V1/WorkFile/${inputWorkFile.fileId}`);
    assert.equal(res.status, 200);
    const out = Buffer.from(await res.buffer());
    assert.ok(out.equals(input));

    res = await session.get(`/PCCIS/V1/WorkFile/${inputWorkFile.fileId}/Info`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).fileSize, input.length);

    res = await session.delete(`/PCCIS/V1/WorkFile/${inputWorkFile.fileId}`);
    assert.equal(res.status, 204);
    res = await session.get(`/PCCIS/V1/WorkFile/${inputWorkFile.fileId}`);
    assert.equal(res.status, 404);
  });

  test('with an API key header, as the README configures it', async () => {
    const keyed = await startQuire({ env: { QUIRE_API_KEYS: 'clientKey123:clients' } });
    try {
      const session = new PrizmDocRestClient({ baseUrl: keyed.baseUrl, headers: { 'Acs-Api-Key': 'clientKey123' } }).createAffinitySession();
      const res = await session.post('/PCCIS/V1/WorkFile', { body: bytesOf(PDF) });
      assert.equal(res.status, 200);
      const wf = await res.json();
      const back = await session.get(`/PCCIS/V1/WorkFile/${wf.fileId}`);
      assert.ok(Buffer.from(await back.buffer()).equals(bytesOf(PDF)));
      const anonymous = new PrizmDocRestClient({ baseUrl: keyed.baseUrl }).createAffinitySession();
      assert.equal((await anonymous.get(`/PCCIS/V1/WorkFile/${wf.fileId}`)).status, 401);
    } finally {
      await keyed.dispose();
    }
  });
});
