// Every route of the PrizmDoc Viewing Sessions page (../shared/spec/003_…txt) with its documented
// statuses, errorCodes and headers, through real HTTP against a started Quire.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, startQuire, type Quire } from './helpers/quire.ts';
import {
  DOCX,
  DOCX2,
  PDF,
  UNRECOGNIZABLE,
  V1,
  V2,
  assert480,
  bytesOf,
  createSession,
  createSessionNotStartingWithU,
  createWorkFile,
  uploadSlot,
  uploadSource,
  SEED_WATERMARK,
} from './helpers/prizmdoc.ts';

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

let q: Quire;
before(async () => (q = await startQuire()));
after(async () => q.dispose());

describe('POST /ViewingSession and GET /ViewingSession/u{id}', () => {
  test('an empty body creates a session; GET echoes every default, nulls and creationTime', async () => {
    const before = Date.now();
    const r = await call(q, 'POST', V1, { json: {} });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const id = r.body.viewingSessionId as string;
    // At least 128 random bits, URL-safe.
    assert.match(id, /^[A-Za-z0-9_-]{22,}$/);
    assert.equal(typeof r.body.affinityToken, 'string');
    assert.ok(r.body.affinityToken.length > 0);

    const got = await call(q, 'GET', `${V1}/u${id}`);
    assert.equal(got.status, 200);
    const { creationTime, ...rest } = got.body;
    assert.match(creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const t = Date.parse(creationTime);
    assert.ok(t >= before - 1000 && t <= Date.now() + 1000, `creationTime ${creationTime} is not now`);
    assert.deepEqual(rest, {
      origin: {},
      render: { flash: { optimizationLevel: 1 }, html5: { alwaysUseRaster: false, rasterResolution: 150 } },
      password: null,
      watermarkText: null,
      externalId: null,
      attachmentIndex: 0,
      attachmentDisplayName: null,
      tenantId: null,
      countOfInitialPages: 0,
      documentSource: null,
      documentExtension: null,
      serverCaching: 'full',
      startConverting: null,
      contentType: null,
      pageContentEncryption: null,
      watermarks: [],
    });
  });

  test('a request with no body at all also creates a session', async () => {
    const r = await call(q, 'POST', V1);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(typeof r.body.viewingSessionId, 'string');
  });

  test('the properties given are echoed back as given', async () => {
    const body = {
      tenantId: 'my application name',
      externalId: 'my-unique-document-name.docx',
      render: { html5: { alwaysUseRaster: true, rasterResolution: 96 } },
      password: 'secret',
      countOfInitialPages: 3,
      serverCaching: 'none',
      startConverting: 'none',
      contentType: 'png',
      origin: { app: 'tests', n: 1 },
      attachmentIndex: 0,
    };
    const id = await createSession(q, body);
    const got = await call(q, 'GET', `${V1}/u${id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.tenantId, 'my application name');
    assert.equal(got.body.externalId, 'my-unique-document-name.docx');
    assert.deepEqual(got.body.render, { flash: { optimizationLevel: 1 }, html5: { alwaysUseRaster: true, rasterResolution: 96 } });
    assert.equal(got.body.password, 'secret');
    assert.equal(got.body.countOfInitialPages, 3);
    assert.equal(got.body.serverCaching, 'none');
    assert.equal(got.body.startConverting, 'none');
    assert.equal(got.body.contentType, 'png');
    assert.deepEqual(got.body.origin, { app: 'tests', n: 1 });
  });

  const wrong: [string, unknown, string][] = [
    ['render.html5.alwaysUseRaster as a string', { render: { html5: { alwaysUseRaster: 'yes' } } }, 'input.render.html5.alwaysUseRaster'],
    ['render.html5.rasterResolution as a float', { render: { html5: { rasterResolution: 1.5 } } }, 'input.render.html5.rasterResolution'],
    ['serverCaching outside its enum', { serverCaching: 'sometimes' }, 'input.serverCaching'],
    ['countOfInitialPages negative', { countOfInitialPages: -1 }, 'input.countOfInitialPages'],
    ['tenantId as a number', { tenantId: 7 }, 'input.tenantId'],
    ['password as an object', { password: { a: 1 } }, 'input.password'],
    ['watermarks not an array', { watermarks: 'red' }, 'input.watermarks'],
    ['a watermark that is not an object', { watermarks: [1] }, 'input.watermarks[0]'],
    ['origin as an array', { origin: [] }, 'input.origin'],
    ['documentSource unknown', { documentSource: 'ftp' }, 'input.documentSource'],
    ['the body itself an array', [], 'input'],
  ];
  for (const [name, body, at] of wrong) {
    test(`480 InvalidInput for ${name}, errorDetails.at = ${at}`, async () => {
      const r = await call(q, 'POST', V1, { json: body });
      assert480(r, 'InvalidInput', at);
      assert.equal(r.body.errorDetails.in, 'body');
    });
  }

  test('malformed JSON is 480 InvalidInput, not 400 or 500', async () => {
    const r = await call(q, 'POST', V1, { body: '{"render": ', headers: { 'content-type': 'application/json' } });
    assert480(r, 'InvalidInput');
  });

  test('minSecondsAvailable with serverCaching full (the default) is 480 InputNotSupportedWithServerCachineEnabled', async () => {
    for (const body of [{ minSecondsAvailable: 1500 }, { minSecondsAvailable: 1500, serverCaching: 'full' }]) {
      const r = await call(q, 'POST', V1, { json: body });
      assert480(r, 'InputNotSupportedWithServerCachineEnabled');
      assert.ok(r.body.errorDetails, 'errorDetails says where');
    }
  });

  test('minSecondsAvailable with serverCaching none is accepted and echoed', async () => {
    const id = await createSession(q, { minSecondsAvailable: 1500, serverCaching: 'none' });
    const got = await call(q, 'GET', `${V1}/u${id}`);
    assert.equal(got.body.minSecondsAvailable, 1500);
  });

  test("the seed page's own example body (minSecondsAvailable + watermarks) succeeds", async () => {
    const body = {
      tenantId: 'my application name',
      externalId: 'my-unique-document-name.docx',
      render: { html5: { alwaysUseRaster: false } },
      minSecondsAvailable: 1500,
      watermarks: [SEED_WATERMARK],
    };
    const r = await call(q, 'POST', V1, { json: body, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const got = await call(q, 'GET', `${V1}/u${r.body.viewingSessionId}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.watermarks, body.watermarks);
    assert.equal(got.body.tenantId, body.tenantId);
  });

  test('Accusoft-Affinity-Hint and Accusoft-Affinity-Token are accepted and an affinityToken is returned', async () => {
    const first = await call(q, 'POST', V1, { json: {}, headers: { 'Accusoft-Affinity-Hint': 'my-unique-document-name.docx' } });
    assert.equal(first.status, 200);
    assert.equal(typeof first.body.affinityToken, 'string');
    assert.ok(first.body.affinityToken.length > 0);
    const second = await call(q, 'POST', V1, { json: {}, headers: { 'Accusoft-Affinity-Token': first.body.affinityToken } });
    assert.equal(second.status, 200);
    assert.equal(second.body.affinityToken, first.body.affinityToken, 'one server, one token');
  });

  test('unknown ids are 404 JSON; an id without its u prefix is 480 JSON', async () => {
    const unknown = 'A'.repeat(64);
    const r = await call(q, 'GET', `${V1}/u${unknown}`);
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(typeof r.body.errorCode, 'string');

    const id = await createSessionNotStartingWithU(q);
    for (const [method, path] of [
      ['GET', `${V1}/${id}`],
      ['GET', `${V1}/${id}/SourceFile`],
      ['GET', `${V1}/${id}/FileId`],
      ['DELETE', `${V1}/${id}`],
    ] as const) {
      const bad = await call(q, method, path);
      assert480(bad, 'InvalidInput', 'viewingSessionId');
      assert.equal(bad.body.errorDetails.in, 'path');
    }
    const bad = await call(q, 'POST', `${V1}/${id}/Notification/SessionStarted`, { json: {} });
    assert480(bad, 'InvalidInput', 'viewingSessionId');
    // And the session itself was not touched by any of that.
    assert.equal((await call(q, 'GET', `${V1}/u${id}`)).status, 200);
  });

  test('/v2/viewingSessions is matched case-insensitively, the id is not', async () => {
    const id = await createSession(q);
    const bytes = bytesOf(DOCX);
    const put = await call(q, 'PUT', `/v2/ViewingSessions/${id}/SourceFile/Original`, { body: bytes });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const got = await call(q, 'GET', `/V2/VIEWINGSESSIONS/${id}/sourceFile/original`);
    assert.equal(got.status, 200);
    assert.ok(got.bytes.equals(bytes));
    const wrongCase = id.toLowerCase() === id ? id.toUpperCase() : id.toLowerCase();
    assert.equal((await call(q, 'GET', `${V2}/${wrongCase}/sourceFile/original`)).status, 404);
  });
});

describe('PUT SourceFile and FileExtension', () => {
  test('FileExtension is case-insensitive: text uploaded with FileExtension=TXT is accepted as txt', async () => {
    const id = await createSession(q);
    const text = Buffer.from('Hello, Quire.\nSecond line.\n');
    const r = await uploadSource(q, id, text, { ext: 'TXT' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const got = await call(q, 'GET', `${V1}/u${id}/SourceFile`);
    assert.equal(got.status, 200);
    assert.ok(got.bytes.equals(text));
    assert.match(got.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(got.headers.get('content-disposition') ?? '', /filename="SourceFile\.txt"/);
  });

  test('a leading period in FileExtension is 480 and the slot stays free', async () => {
    const id = await createSession(q);
    const r = await uploadSource(q, id, Buffer.from('a,b\n1,2\n'), { ext: '.csv' });
    assert480(r, 'InvalidInput', 'FileExtension');
    assert.equal(r.body.errorDetails.in, 'query');
    assert.equal((await uploadSource(q, id, Buffer.from('a,b\n1,2\n'), { ext: 'csv' })).status, 200);
  });

  test('580 Unrecognized File Format for bytes that cannot be told, with or without a non-text FileExtension', async () => {
    for (const ext of [undefined, 'docx']) {
      const id = await createSession(q);
      const r = await uploadSource(q, id, UNRECOGNIZABLE, ext === undefined ? {} : { ext });
      assert.equal(r.status, 580, JSON.stringify(r.body));
      assert.equal(r.headers.get('accusoft-status-message'), 'Unrecognized File Format');
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      // The same bytes declared as text are fine.
      const retry = await uploadSource(q, id, UNRECOGNIZABLE, { ext: 'txt' });
      assert.equal(retry.status, 200, 'a failed upload does not keep the slot');
    }
  });

  test('a second source upload is 480 CannotChangeDocument and the first document stays', async () => {
    const id = await createSession(q);
    const first = bytesOf(DOCX);
    assert.equal((await uploadSource(q, id, first)).status, 200);
    assert480(await uploadSource(q, id, bytesOf(DOCX2)), 'CannotChangeDocument');
    const got = await call(q, 'GET', `${V1}/u${id}/SourceFile`);
    assert.ok(got.bytes.equals(first));
  });

  test('IncorrectUsage both ways: SourceFile after original, original/revised after SourceFile', async () => {
    const a = await createSession(q);
    assert.equal((await uploadSlot(q, a, 'original', bytesOf(DOCX))).status, 200);
    assert480(await uploadSource(q, a, bytesOf(DOCX)), 'IncorrectUsage');

    const b = await createSession(q);
    assert.equal((await uploadSource(q, b, bytesOf(DOCX))).status, 200);
    assert480(await uploadSlot(q, b, 'original', bytesOf(DOCX)), 'IncorrectUsage');
    assert480(await uploadSlot(q, b, 'revised', bytesOf(DOCX)), 'IncorrectUsage');
  });

  test('concurrent uploads to one session: exactly one 200, the others 480 CannotChangeDocument', async () => {
    const id = await createSession(q);
    const docs = [DOCX, DOCX2].map(bytesOf);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => uploadSource(q, id, docs[i % 2]!)));
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, `statuses: ${results.map((r) => r.status).join(',')}`);
    for (const r of results) if (r.status !== 200) assert480(r, 'CannotChangeDocument');
    const winner = results.findIndex((r) => r.status === 200);
    const got = await call(q, 'GET', `${V1}/u${id}/SourceFile`);
    assert.ok(got.bytes.equals(docs[winner % 2]!), 'the stored document is the winner\'s');
  });

  test('uploads to an unknown session are 404', async () => {
    assert.equal((await uploadSource(q, 'B'.repeat(64), bytesOf(DOCX))).status, 404);
    assert.equal((await uploadSlot(q, 'B'.repeat(64), 'original', bytesOf(DOCX))).status, 404);
  });
});

describe('comparison: sourceFile/original and sourceFile/revised', () => {
  test('upload both, download both with their default names', async () => {
    const id = await createSession(q);
    const [o, r] = [bytesOf(DOCX), bytesOf(DOCX2)];
    assert.equal((await uploadSlot(q, id, 'original', o)).status, 200);
    assert.equal((await uploadSlot(q, id, 'revised', r)).status, 200);
    const go = await call(q, 'GET', `${V2}/${id}/sourceFile/original`);
    assert.equal(go.status, 200);
    assert.ok(go.bytes.equals(o));
    assert.equal(go.headers.get('content-type'), DOCX_MIME);
    assert.equal(go.headers.get('content-disposition'), `attachment; filename="OriginalSourceFile.docx"; filename*=UTF-8''OriginalSourceFile.docx`);
    const gr = await call(q, 'GET', `${V2}/${id}/sourceFile/revised?contentDispositionFilename=NewMonthlySalesReport`);
    assert.equal(gr.status, 200);
    assert.ok(gr.bytes.equals(r));
    assert.equal(gr.headers.get('content-disposition'), `attachment; filename="NewMonthlySalesReport.docx"; filename*=UTF-8''NewMonthlySalesReport.docx`);
    // A comparison session has no single source.
    assert480(await call(q, 'GET', `${V1}/u${id}/SourceFile`), 'IncorrectUsage');
  });

  test('CannotChangeDocument for a second original or a second revised', async () => {
    const id = await createSession(q);
    assert.equal((await uploadSlot(q, id, 'original', bytesOf(DOCX))).status, 200);
    assert480(await uploadSlot(q, id, 'original', bytesOf(DOCX2)), 'CannotChangeDocument');
    assert.equal((await uploadSlot(q, id, 'revised', bytesOf(DOCX2))).status, 200);
    assert480(await uploadSlot(q, id, 'revised', bytesOf(DOCX)), 'CannotChangeDocument');
  });

  test('DocumentNotProvidedYet for original, revised, SourceFile and FileId before any upload', async () => {
    const id = await createSession(q);
    assert480(await call(q, 'GET', `${V2}/${id}/sourceFile/original`), 'DocumentNotProvidedYet');
    assert480(await call(q, 'GET', `${V2}/${id}/sourceFile/revised`), 'DocumentNotProvidedYet');
    assert480(await call(q, 'GET', `${V1}/u${id}/SourceFile`), 'DocumentNotProvidedYet');
    assert480(await call(q, 'GET', `${V1}/u${id}/FileId`), 'DocumentNotProvidedYet');
    // Only the original given: the revised is still not provided.
    assert.equal((await uploadSlot(q, id, 'original', bytesOf(DOCX))).status, 200);
    assert480(await call(q, 'GET', `${V2}/${id}/sourceFile/revised`), 'DocumentNotProvidedYet');
  });

  test('GET original/revised of a single-source session is 480 IncorrectUsage', async () => {
    const id = await createSession(q);
    assert.equal((await uploadSource(q, id, bytesOf(DOCX))).status, 200);
    assert480(await call(q, 'GET', `${V2}/${id}/sourceFile/original`), 'IncorrectUsage');
    assert480(await call(q, 'GET', `${V2}/${id}/sourceFile/revised`), 'IncorrectUsage');
  });

  test('a PDF as original or revised is 480 UnsupportedFormatForComparison, and the slot stays free', async () => {
    const id = await createSession(q);
    assert480(await uploadSlot(q, id, 'original', bytesOf(PDF)), 'UnsupportedFormatForComparison');
    assert480(await uploadSlot(q, id, 'revised', bytesOf(PDF)), 'UnsupportedFormatForComparison');
    assert.equal((await uploadSlot(q, id, 'original', bytesOf(DOCX))).status, 200);
  });

  test('GET original/revised of an unknown session is 404', async () => {
    assert.equal((await call(q, 'GET', `${V2}/${'C'.repeat(64)}/sourceFile/original`)).status, 404);
    assert.equal((await call(q, 'GET', `${V2}/${'C'.repeat(64)}/sourceFile/revised`)).status, 404);
  });
});

describe('PUT SourceRef', () => {
  test('a single work file becomes the source; FileId names a work file with the same bytes', async () => {
    const bytes = bytesOf(DOCX);
    const wf = await createWorkFile(q, bytes);
    const id = await createSession(q, {}, { 'Accusoft-Affinity-Token': wf.affinityToken });
    const r = await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { json: { refType: 'workFile', fileId: wf.fileId } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const got = await call(q, 'GET', `${V1}/u${id}/SourceFile`);
    assert.ok(got.bytes.equals(bytes));
    const fid = await call(q, 'GET', `${V1}/u${id}/FileId`);
    assert.equal(fid.status, 200);
    assert.equal(typeof fid.body.fileId, 'string');
    assert.equal(typeof fid.body.affinityToken, 'string');
    const file = await call(q, 'GET', `/PCCIS/V1/WorkFile/${fid.body.fileId}`);
    assert.equal(file.status, 200);
    assert.ok(file.bytes.equals(bytes));
    // Attaching again is CannotChangeDocument; a comparison pair is IncorrectUsage.
    assert480(await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { json: { refType: 'workFile', fileId: wf.fileId } }), 'CannotChangeDocument');
    const pair = { refType: 'comparison', original: { refType: 'workFile', fileId: wf.fileId }, revised: { refType: 'workFile', fileId: wf.fileId } };
    assert480(await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { json: pair }), 'IncorrectUsage');
  });

  test('a comparison pair of work files fills original and revised', async () => {
    const [o, r] = [bytesOf(DOCX), bytesOf(DOCX2)];
    const [wo, wr] = [await createWorkFile(q, o), await createWorkFile(q, r)];
    const id = await createSession(q);
    const put = await call(q, 'PUT', `${V1}/u${id}/SourceRef`, {
      json: { refType: 'comparison', original: { refType: 'workFile', fileId: wo.fileId }, revised: { refType: 'workFile', fileId: wr.fileId } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.ok((await call(q, 'GET', `${V2}/${id}/sourceFile/original`)).bytes.equals(o));
    assert.ok((await call(q, 'GET', `${V2}/${id}/sourceFile/revised`)).bytes.equals(r));
    // A single source afterwards is IncorrectUsage, by ref and by upload.
    assert480(await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { json: { refType: 'workFile', fileId: wo.fileId } }), 'IncorrectUsage');
    assert480(await uploadSource(q, id, o), 'IncorrectUsage');
  });

  test('a PDF work file in a comparison is UnsupportedFormatForComparison and nothing is attached', async () => {
    const [wo, wp] = [await createWorkFile(q, bytesOf(DOCX)), await createWorkFile(q, bytesOf(PDF))];
    const id = await createSession(q);
    const r = await call(q, 'PUT', `${V1}/u${id}/SourceRef`, {
      json: { refType: 'comparison', original: { refType: 'workFile', fileId: wp.fileId }, revised: { refType: 'workFile', fileId: wo.fileId } },
    });
    assert480(r, 'UnsupportedFormatForComparison');
    assert480(await call(q, 'GET', `${V2}/${id}/sourceFile/original`), 'DocumentNotProvidedYet');
    assert480(await call(q, 'GET', `${V2}/${id}/sourceFile/revised`), 'DocumentNotProvidedYet');
  });

  test('a missing work file is 480 NotFound with errorDetails, for single and comparison refs', async () => {
    const id = await createSession(q);
    const missing = 'Zm9vYmFyYmF6cXV4cXV1eA';
    assert480(await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { json: { refType: 'workFile', fileId: missing } }), 'NotFound', 'input.fileId');
    const wf = await createWorkFile(q, bytesOf(DOCX));
    const r = await call(q, 'PUT', `${V1}/u${id}/SourceRef`, {
      json: { refType: 'comparison', original: { refType: 'workFile', fileId: wf.fileId }, revised: { refType: 'workFile', fileId: missing } },
    });
    assert480(r, 'NotFound', 'input.revised.fileId');
    // Nothing was attached by the failed requests.
    assert.equal((await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { json: { refType: 'workFile', fileId: wf.fileId } })).status, 200);
  });

  test('MissingInput and InvalidInput in the SourceRef body', async () => {
    const id = await createSession(q);
    assert480(await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { json: { refType: 'workFile' } }), 'MissingInput', 'input.fileId');
    assert480(await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { json: { refType: 'url', fileId: 'x' } }), 'InvalidInput', 'input.refType');
    assert480(await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { json: { refType: 'comparison', original: { refType: 'workFile', fileId: 'abc' } } }), 'MissingInput', 'input.revised');
    assert480(await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { body: '{oops', headers: { 'content-type': 'application/json' } }), 'InvalidInput');
  });
});

describe('downloads: Content-Type and Content-Disposition', () => {
  let id: string;
  const bytes = bytesOf(DOCX);
  before(async () => {
    id = await createSession(q);
    assert.equal((await uploadSource(q, id, bytes)).status, 200);
  });

  test('the seed example: ContentDispositionFilename=MonthlySalesReport', async () => {
    const r = await call(q, 'GET', `${V1}/u${id}/SourceFile?ContentDispositionFilename=MonthlySalesReport`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), DOCX_MIME);
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="MonthlySalesReport.docx"; filename*=UTF-8''MonthlySalesReport.docx`);
    assert.equal(r.headers.get('content-length'), String(bytes.length));
    assert.ok(r.bytes.equals(bytes));
  });

  test('a non-ASCII name: ASCII fallback in filename, exact UTF-8 in filename*', async () => {
    const name = 'Résumé 報告';
    const r = await call(q, 'GET', `${V1}/u${id}/SourceFile?ContentDispositionFilename=${encodeURIComponent(name)}`);
    assert.equal(r.status, 200);
    const cd = r.headers.get('content-disposition') ?? '';
    const ascii = /filename="([^"]*)"/.exec(cd)?.[1];
    assert.ok(ascii && /^[\x20-\x7e]+$/.test(ascii) && ascii.endsWith('.docx'), cd);
    const star = /filename\*=UTF-8''(\S+)/.exec(cd)?.[1];
    assert.ok(star, cd);
    assert.equal(decodeURIComponent(star), `${name}.docx`);
  });

  test('a hostile name with CR/LF, quotes and semicolons cannot inject headers or parameters', async () => {
    const name = 'evil"\r\nX-Injected: yes\r\n\r\n; filename=hack.exe';
    const r = await call(q, 'GET', `${V1}/u${id}/SourceFile?ContentDispositionFilename=${encodeURIComponent(name)}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-injected'), null);
    const cd = r.headers.get('content-disposition') ?? '';
    assert.doesNotMatch(cd, /[\r\n]/);
    // Exactly one filename and one filename* parameter, the quoted one without inner quotes.
    assert.equal(cd.match(/;\s*filename=/g)?.length, 1, cd);
    assert.equal(cd.match(/;\s*filename\*=/g)?.length, 1, cd);
    assert.match(cd, /^attachment; filename="[^"]*\.docx"; filename\*=UTF-8''[A-Za-z0-9%!._~-]+$/);
    assert.ok(r.bytes.equals(bytes));
  });

  test('the default name is SourceFile.<ext>', async () => {
    const r = await call(q, 'GET', `${V1}/u${id}/SourceFile`);
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="SourceFile.docx"; filename*=UTF-8''SourceFile.docx`);
  });

  test('FileId answers {fileId, affinityToken} and the work file holds the same bytes', async () => {
    const r = await call(q, 'GET', `${V1}/u${id}/FileId`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    assert.match(r.body.fileId, /^[A-Za-z0-9_-]{16,}$/);
    const wf = await call(q, 'GET', `/PCCIS/V1/WorkFile/${r.body.fileId}`);
    assert.ok(wf.bytes.equals(bytes));
  });
});

describe('notifications', () => {
  test('SessionStarted with {} and with an empty body (and with a User-Agent) answers 200', async () => {
    const id = await createSession(q);
    const a = await call(q, 'POST', `${V1}/u${id}/Notification/SessionStarted`, { json: {}, headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' } });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    const b = await call(q, 'POST', `${V1}/u${id}/Notification/SessionStarted`);
    assert.equal(b.status, 200, JSON.stringify(b.body));
    const c = await call(q, 'POST', `${V1}/u${id}/Notification/SessionStarted`, { body: '', headers: { 'content-type': 'application/json' } });
    assert.equal(c.status, 200, JSON.stringify(c.body));
    const d = await call(q, 'POST', `${V1}/u${id}/Notification/SessionStarted`, { json: { viewer: 'HTML5' } });
    assert.equal(d.status, 200);
    assert.equal((await call(q, 'POST', `${V1}/u${'D'.repeat(64)}/Notification/SessionStarted`, { json: {} })).status, 404);
  });

  test('SessionStopped: every later request answers the chosen status and reason with Accusoft-Status-* headers', async () => {
    const id = await createSession(q, { serverCaching: 'none' });
    assert.equal((await uploadSource(q, id, bytesOf(DOCX))).status, 200);
    const stop = await call(q, 'POST', `${V1}/u${id}/Notification/SessionStopped`, { json: { httpStatus: 418, endUserMessage: 'My custom end user error message' } });
    assert.equal(stop.status, 200, JSON.stringify(stop.body));
    const later = [
      await call(q, 'GET', `${V1}/u${id}`),
      await call(q, 'GET', `${V1}/u${id}/SourceFile`),
      await call(q, 'GET', `${V1}/u${id}/FileId`),
      await call(q, 'POST', `${V1}/u${id}/Notification/SessionStarted`, { json: {} }),
      await call(q, 'POST', `${V1}/u${id}/Notification/SessionStopped`, { json: { httpStatus: 410, endUserMessage: 'again' } }),
      await call(q, 'POST', `${V1}/u${id}/Replacement`, { json: { password: 'x' } }),
      await uploadSource(q, id, bytesOf(DOCX2)),
      await call(q, 'PUT', `${V1}/u${id}/SourceRef`, { json: { refType: 'workFile', fileId: 'AAAAAAAAAAAAAAAAAAAAAA' } }),
    ];
    for (const r of later) {
      assert.equal(r.status, 418);
      assert.equal(r.statusText, 'My custom end user error message');
      assert.equal(r.headers.get('accusoft-status-message'), 'My custom end user error message');
      assert.equal(r.headers.get('accusoft-status-number'), '418');
    }
  });

  test('SessionStopped with a message carrying CR/LF still answers with safe headers', async () => {
    const id = await createSession(q);
    const stop = await call(q, 'POST', `${V1}/u${id}/Notification/SessionStopped`, { json: { httpStatus: 410, endUserMessage: 'bye\r\nX-Injected: 1' } });
    assert.equal(stop.status, 200);
    const r = await call(q, 'GET', `${V1}/u${id}`);
    assert.equal(r.status, 410);
    assert.equal(r.headers.get('x-injected'), null);
    assert.doesNotMatch(r.headers.get('accusoft-status-message') ?? '', /[\r\n]/);
    assert.equal(r.headers.get('accusoft-status-number'), '410');
  });

  test('SessionStopped/SessionErrored bodies are validated', async () => {
    const id = await createSession(q);
    for (const name of ['SessionStopped', 'SessionErrored']) {
      assert480(await call(q, 'POST', `${V1}/u${id}/Notification/${name}`, { json: { endUserMessage: 'x' } }), 'MissingInput', 'input.httpStatus');
      assert480(await call(q, 'POST', `${V1}/u${id}/Notification/${name}`, { json: { httpStatus: 'teapot', endUserMessage: 'x' } }), 'InvalidInput', 'input.httpStatus');
      assert480(await call(q, 'POST', `${V1}/u${id}/Notification/${name}`, { json: { httpStatus: 200, endUserMessage: 'x' } }), 'InvalidInput', 'input.httpStatus');
    }
    // Still active after all those refusals.
    assert.equal((await call(q, 'GET', `${V1}/u${id}`)).status, 200);
  });

  test('SessionErrored: later requests answer the chosen status, but SourceFile stays downloadable', async () => {
    const id = await createSession(q);
    const bytes = bytesOf(DOCX);
    assert.equal((await uploadSource(q, id, bytes)).status, 200);
    const err = await call(q, 'POST', `${V1}/u${id}/Notification/SessionErrored`, { json: { httpStatus: 418, endUserMessage: 'My custom end user error message' } });
    assert.equal(err.status, 200, JSON.stringify(err.body));
    for (const r of [await call(q, 'GET', `${V1}/u${id}`), await call(q, 'POST', `${V1}/u${id}/Notification/SessionStarted`, { json: {} })]) {
      assert.equal(r.status, 418);
      assert.equal(r.statusText, 'My custom end user error message');
      assert.equal(r.headers.get('accusoft-status-message'), 'My custom end user error message');
      assert.equal(r.headers.get('accusoft-status-number'), '418');
    }
    const src = await call(q, 'GET', `${V1}/u${id}/SourceFile`);
    assert.equal(src.status, 200);
    assert.ok(src.bytes.equals(bytes));
  });
});

describe('POST Replacement', () => {
  test('a new session with the same properties and the new password; the old one is stopped', async () => {
    const props = { tenantId: 'repl', render: { html5: { alwaysUseRaster: true } }, password: 'wrong', serverCaching: 'none', origin: { k: 'v' } };
    const id = await createSession(q, props);
    const bytes = bytesOf(DOCX);
    assert.equal((await uploadSource(q, id, bytes)).status, 200);
    const oldProps = (await call(q, 'GET', `${V1}/u${id}`)).body;
    // The documented use: the session errored on a bad password, then is replaced.
    assert.equal((await call(q, 'POST', `${V1}/u${id}/Notification/SessionErrored`, { json: { httpStatus: 480, endUserMessage: 'Document requires a password' } })).status, 200);
    const r = await call(q, 'POST', `${V1}/u${id}/Replacement`, { json: { password: '123' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    const nid = r.body.viewingSessionId as string;
    assert.notEqual(nid, id);
    assert.equal(typeof r.body.affinityToken, 'string');

    const got = await call(q, 'GET', `${V1}/u${nid}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.password, '123');
    const { creationTime: _a, password: _b, ...same } = oldProps;
    const { creationTime: _c, password: _d, ...now } = got.body;
    assert.deepEqual(now, same, 'every property but the password is the same');
    assert.equal(got.body.tenantId, 'repl');
    assert.equal(got.body.render.html5.alwaysUseRaster, true);
    // The uploaded document went along.
    const src = await call(q, 'GET', `${V1}/u${nid}/SourceFile`);
    assert.equal(src.status, 200);
    assert.ok(src.bytes.equals(bytes));
    // The old session is stopped.
    const old = await call(q, 'GET', `${V1}/u${id}`);
    assert.ok(old.status >= 400 && old.status !== 404, `old session answered ${old.status}`);
    assert.equal(old.headers.get('accusoft-status-number'), String(old.status));
    assert.ok(old.headers.get('accusoft-status-message'));
  });

  test('replacing an active session (no document yet) also works', async () => {
    const id = await createSession(q, { tenantId: 't' });
    const r = await call(q, 'POST', `${V1}/u${id}/Replacement`, { json: { password: 'p' } });
    assert.equal(r.status, 200);
    const got = await call(q, 'GET', `${V1}/u${r.body.viewingSessionId}`);
    assert.equal(got.body.password, 'p');
    assert.equal(got.body.tenantId, 't');
    assert.equal((await uploadSource(q, r.body.viewingSessionId, bytesOf(DOCX))).status, 200);
  });

  test('any other property is 480 PropertyNotReplaceable and changes nothing', async () => {
    const id = await createSession(q);
    for (const body of [{ tenantId: 'x' }, { password: '1', serverCaching: 'none' }, { render: { html5: { alwaysUseRaster: true } } }]) {
      const r = await call(q, 'POST', `${V1}/u${id}/Replacement`, { json: body });
      assert480(r, 'PropertyNotReplaceable');
      assert.ok(r.body.errorDetails?.at, JSON.stringify(r.body));
    }
    assert.equal((await call(q, 'GET', `${V1}/u${id}`)).status, 200, 'the session is still active');
  });

  test('unknown session is 404', async () => {
    assert.equal((await call(q, 'POST', `${V1}/u${'E'.repeat(64)}/Replacement`, { json: { password: '1' } })).status, 404);
  });
});

describe('DELETE /ViewingSession/u{id}', () => {
  test('204 for serverCaching none, then the session is gone (404)', async () => {
    const id = await createSession(q, { serverCaching: 'none' });
    assert.equal((await uploadSource(q, id, bytesOf(DOCX))).status, 200);
    const r = await call(q, 'DELETE', `${V1}/u${id}`);
    assert.equal(r.status, 204);
    assert.equal(r.bytes.length, 0);
    assert.equal((await call(q, 'GET', `${V1}/u${id}`)).status, 404);
    assert.equal((await call(q, 'GET', `${V1}/u${id}/SourceFile`)).status, 404);
    assert.equal((await call(q, 'DELETE', `${V1}/u${id}`)).status, 404);
  });

  test('580 CannotDeleteCachedViewingSession for serverCaching full (explicit or default)', async () => {
    for (const body of [{}, { serverCaching: 'full' }]) {
      const id = await createSession(q, body);
      const r = await call(q, 'DELETE', `${V1}/u${id}`);
      assert.equal(r.status, 580, JSON.stringify(r.body));
      assert.equal(r.body.errorCode, 'CannotDeleteCachedViewingSession');
      assert.equal((await call(q, 'GET', `${V1}/u${id}`)).status, 200, 'still there');
    }
  });

  test('404 for an unknown id', async () => {
    const r = await call(q, 'DELETE', `${V1}/u${'F'.repeat(64)}`);
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  });
});

describe('requests racing an upload in progress', () => {
  /** Starts a 2 MB upload, sends half, and returns a function that sends the rest and gives the answer. */
  function halfUpload(id: string) {
    const req = http.request(new URL(`${V1}/u${id}/SourceFile?FileExtension=txt`, q.baseUrl), { method: 'PUT', headers: { 'content-length': '2000000' } });
    const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
      req.on('response', (r) => {
        let b = '';
        r.on('data', (d) => (b += d)).on('end', () => resolve({ status: r.statusCode ?? 0, body: b ? JSON.parse(b) : undefined }));
      });
      req.on('error', reject);
    });
    req.write(Buffer.alloc(1_000_000, 0x61));
    return async () => {
      req.end(Buffer.alloc(1_000_000, 0x61));
      return answer;
    };
  }

  test('a session deleted during its upload: the upload answers 404, not 500', async () => {
    const id = await createSession(q, { serverCaching: 'none' });
    const finish = halfUpload(id);
    await sleep(100);
    assert.equal((await call(q, 'DELETE', `${V1}/u${id}`)).status, 204);
    const r = await finish();
    assert.equal(r.status, 404, JSON.stringify(r.body));
  });

  test('a session stopped during its upload: the upload answers the stop status', async () => {
    const id = await createSession(q);
    const finish = halfUpload(id);
    await sleep(100);
    assert.equal((await call(q, 'POST', `${V1}/u${id}/Notification/SessionStopped`, { json: { httpStatus: 410, endUserMessage: 'Closed' } })).status, 200);
    const r = await finish();
    assert.equal(r.status, 410, JSON.stringify(r.body));
  });
});

describe('JSON body limit', () => {
  test('a JSON body over QUIRE_MAX_JSON_BYTES (default 1 MiB) is 413 JSON', async () => {
    const big = JSON.stringify({ origin: { pad: 'a'.repeat(2 * 1024 * 1024) } });
    const r = await call(q, 'POST', V1, { body: big, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 413);
    assert.equal(r.body.errorCode, 'PayloadTooLarge');
  });
});

describe('expiry', () => {
  let short: Quire;
  before(
    async () =>
      (short = await startQuire({ env: { QUIRE_SESSION_LIFETIME_SECONDS: '1', QUIRE_WORKFILE_LIFETIME_SECONDS: '1', QUIRE_SWEEP_INTERVAL_SECONDS: '1' } })),
  );
  after(async () => short.dispose());

  test('a session past its lifetime answers 403 "The session is invalid or has expired" on every route', async () => {
    const id = await createSession(short);
    assert.equal((await uploadSource(short, id, bytesOf(DOCX))).status, 200);
    await sleep(1600);
    const rs = [
      await call(short, 'GET', `${V1}/u${id}`),
      await call(short, 'GET', `${V1}/u${id}/SourceFile`),
      await call(short, 'GET', `${V1}/u${id}/FileId`),
      await call(short, 'POST', `${V1}/u${id}/Notification/SessionStarted`, { json: {} }),
      await call(short, 'POST', `${V1}/u${id}/Replacement`, { json: { password: 'a' } }),
    ];
    for (const r of rs) {
      assert.equal(r.status, 403, JSON.stringify(r.body));
      assert.equal(r.statusText, 'The session is invalid or has expired');
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    }
    // Once the sweep has run (every second here) the session still answers 403, not 404 or its bytes.
    await sleep(1500);
    assert.equal((await call(short, 'GET', `${V1}/u${id}`)).status, 403);
    assert.equal((await call(short, 'GET', `${V1}/u${id}/SourceFile`)).status, 403);
  });

  test('a work file past its lifetime is 404 on GET, Info and SourceRef; MinSecondsAvailable keeps one alive', async () => {
    const gone = await createWorkFile(short, bytesOf(DOCX));
    const kept = await createWorkFile(short, bytesOf(DOCX), { query: 'MinSecondsAvailable=600' });
    await sleep(1600);
    assert.equal((await call(short, 'GET', `/PCCIS/V1/WorkFile/${gone.fileId}`)).status, 404);
    assert.equal((await call(short, 'GET', `/PCCIS/V1/WorkFile/${gone.fileId}/Info`)).status, 404);
    const id = await createSession(short);
    assert480(await call(short, 'PUT', `${V1}/u${id}/SourceRef`, { json: { refType: 'workFile', fileId: gone.fileId } }), 'NotFound', 'input.fileId');
    assert.ok((await call(short, 'GET', `/PCCIS/V1/WorkFile/${kept.fileId}`)).bytes.equals(bytesOf(DOCX)));
  });

  test('the lifetime slides: a session in use does not expire, an idle one does', async () => {
    const id = await createSession(short);
    // Used every 300 ms for more than twice its 1 s lifetime.
    for (let t = 0; t < 2400; t += 300) {
      assert.equal((await call(short, 'GET', `${V1}/u${id}`)).status, 200, `after ${t} ms`);
      await sleep(300);
    }
    await sleep(1300);
    assert.equal((await call(short, 'GET', `${V1}/u${id}`)).status, 403);
  });
});
