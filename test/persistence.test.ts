// Nothing is lost across restarts, clean (SIGTERM) or not (SIGKILL), and a crash in the middle of
// an upload leaves no partial file behind.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, startQuire, type Quire } from './helpers/quire.ts';
import { DOCX, DOCX2, PDF, V1, V2, bytesOf, createSession, createWorkFile, uploadSlot, uploadSource } from './helpers/prizmdoc.ts';
import { assertBlobsIntact, filesUnder } from './helpers/faults.ts';

const WF = '/PCCIS/V1/WorkFile';

describe('restarts keep sessions and work files', () => {
  let q: Quire;
  before(async () => (q = await startQuire()));
  after(async () => q.dispose());

  for (const kill of [false, true]) {
    test(`after a ${kill ? 'SIGKILL' : 'SIGTERM'} restart everything answers as before`, async () => {
      const docx = bytesOf(DOCX);
      const docx2 = bytesOf(DOCX2);
      const pdf = bytesOf(PDF);
      const single = await createSession(q, { tenantId: 'persist', password: 'pw', render: { html5: { alwaysUseRaster: true } } });
      assert.equal((await uploadSource(q, single, pdf)).status, 200);
      const singleProps = (await call(q, 'GET', `${V1}/u${single}`)).body;
      const comparison = await createSession(q);
      assert.equal((await uploadSlot(q, comparison, 'original', docx)).status, 200);
      assert.equal((await uploadSlot(q, comparison, 'revised', docx2)).status, 200);
      const empty = await createSession(q, { serverCaching: 'none' });
      const stopped = await createSession(q);
      assert.equal((await call(q, 'POST', `${V1}/u${stopped}/Notification/SessionStopped`, { json: { httpStatus: 418, endUserMessage: 'Gone fishing' } })).status, 200);
      const errored = await createSession(q);
      assert.equal((await uploadSource(q, errored, docx)).status, 200);
      assert.equal((await call(q, 'POST', `${V1}/u${errored}/Notification/SessionErrored`, { json: { httpStatus: 409, endUserMessage: 'Bad password' } })).status, 200);
      const wf = await createWorkFile(q, docx2);
      const wfInfo = (await call(q, 'GET', `${WF}/${wf.fileId}/Info`)).body;
      // Answered within the last moment before the crash: still there afterwards (committed = durable).
      const last = await createWorkFile(q, pdf);

      q = await q.restart({ kill });

      const got = await call(q, 'GET', `${V1}/u${single}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, singleProps);
      assert.ok((await call(q, 'GET', `${V1}/u${single}/SourceFile`)).bytes.equals(pdf));
      assert.ok((await call(q, 'GET', `${V2}/${comparison}/sourceFile/original`)).bytes.equals(docx));
      assert.ok((await call(q, 'GET', `${V2}/${comparison}/sourceFile/revised`)).bytes.equals(docx2));
      // The empty session can still take its document, once.
      assert.equal((await uploadSource(q, empty, docx)).status, 200);
      assert.equal((await uploadSource(q, empty, docx)).status, 480);
      const s = await call(q, 'GET', `${V1}/u${stopped}`);
      assert.equal(s.status, 418);
      assert.equal(s.headers.get('accusoft-status-message'), 'Gone fishing');
      assert.equal((await call(q, 'GET', `${V1}/u${errored}`)).status, 409);
      assert.ok((await call(q, 'GET', `${V1}/u${errored}/SourceFile`)).bytes.equals(docx));
      assert.ok((await call(q, 'GET', `${WF}/${wf.fileId}`)).bytes.equals(docx2));
      assert.deepEqual((await call(q, 'GET', `${WF}/${wf.fileId}/Info`)).body, wfInfo);
      assert.ok((await call(q, 'GET', `${WF}/${last.fileId}`)).bytes.equals(pdf));
      // Same server, same affinity token.
      assert.equal((await createWorkFile(q, pdf)).affinityToken, wf.affinityToken);
      assertBlobsIntact(q.dataDir);
    });
  }
});

describe('a crash during an upload', () => {
  let q: Quire;
  before(async () => (q = await startQuire()));
  after(async () => q.dispose());

  test('leaves no partial file: tmp is emptied, blobs are intact, the claim is released', async () => {
    const id = await createSession(q);
    const wfBefore = await createWorkFile(q, bytesOf(DOCX));
    const total = 32 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 0x5a);
    const url = new URL(`${V1}/u${id}/SourceFile?FileExtension=txt`, q.baseUrl);
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': String(total) } });
    const outcome = new Promise<string>((res) => {
      req.on('response', (r) => res(`response ${r.statusCode}`));
      req.on('error', (e) => res(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
    // Send about a quarter, slowly, then keep the request open.
    for (let sent = 0; sent < total / 4; sent += chunk.length) {
      req.write(chunk);
      await sleep(5);
    }
    // The partial upload is on disk, in tmp/ only, and the slot is held.
    const tmp = join(q.dataDir, 'tmp');
    let partial: string[] = [];
    for (let i = 0; i < 100 && partial.length === 0; i++) {
      partial = readdirSync(tmp).filter((f) => statSync(join(tmp, f)).size > 0);
      if (partial.length === 0) await sleep(20);
    }
    assert.equal(partial.length, 1, 'the upload is being written to tmp/');
    const other = await uploadSource(q, id, bytesOf(DOCX));
    assert.equal(other.status, 480, 'the upload in progress holds the slot');
    assert.equal(other.body.errorCode, 'CannotChangeDocument');
    const blobsBefore = filesUnder(join(q.dataDir, 'blobs')).length;

    q = await q.restart({ kill: true });
    assert.match(await outcome, /^error /, 'the client saw the crash');

    assert.deepEqual(readdirSync(tmp), [], 'tmp/ is empty after the restart');
    assert.equal(assertBlobsIntact(q.dataDir), blobsBefore, 'no new blob appeared from the partial upload');
    const got = await call(q, 'GET', `${V1}/u${id}/SourceFile`);
    assert.equal(got.status, 480);
    assert.equal(got.body.errorCode, 'DocumentNotProvidedYet');
    const fresh = bytesOf(DOCX2);
    assert.equal((await uploadSource(q, id, fresh)).status, 200, 'the claim was released');
    assert.ok((await call(q, 'GET', `${V1}/u${id}/SourceFile`)).bytes.equals(fresh));
    assert.ok((await call(q, 'GET', `${WF}/${wfBefore.fileId}`)).bytes.equals(bytesOf(DOCX)));
    assertBlobsIntact(q.dataDir);
  });

  test('a client that disconnects mid-upload leaves no partial file and releases the claim (no restart)', async () => {
    const id = await createSession(q);
    const url = new URL(`${V1}/u${id}/SourceFile?FileExtension=txt`, q.baseUrl);
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': String(8 * 1024 * 1024) } });
    req.on('error', () => {});
    req.write(Buffer.alloc(1024 * 1024, 0x61));
    const tmp = join(q.dataDir, 'tmp');
    for (let i = 0; i < 100 && readdirSync(tmp).length === 0; i++) await sleep(20);
    assert.equal(readdirSync(tmp).length, 1);
    req.destroy();
    for (let i = 0; i < 100 && readdirSync(tmp).length > 0; i++) await sleep(20);
    assert.deepEqual(readdirSync(tmp), [], 'the partial file was removed');
    let status = 0;
    for (let i = 0; i < 50; i++) {
      status = (await uploadSource(q, id, bytesOf(DOCX))).status;
      if (status === 200) break;
      await sleep(20);
    }
    assert.equal(status, 200, 'the claim was released');
    assertBlobsIntact(q.dataDir);
  });
});
