// API keys and tenant isolation: QUIRE_API_KEYS="keyAAAAAAAA:alpha,keyBBBBBBBB:beta".
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, startQuire, type Quire } from './helpers/quire.ts';
import { DOCX, DOCX2, V1, V2, assert480, bytesOf, createSession, createWorkFile, uploadSlot, uploadSource } from './helpers/prizmdoc.ts';

const ALPHA = { 'Acs-Api-Key': 'keyAAAAAAAA' };
const BETA = { 'Acs-Api-Key': 'keyBBBBBBBB' };
const WF = '/PCCIS/V1/WorkFile';

let q: Quire;
before(async () => (q = await startQuire({ env: { QUIRE_API_KEYS: 'keyAAAAAAAA:alpha,keyBBBBBBBB:beta' } })));
after(async () => q.dispose());

interface AlphaFixture {
  /** A single-document session with its source uploaded. */
  sid: string;
  /** A comparison session with both documents uploaded. */
  cid: string;
  fileId: string;
}

/** Alpha's session, comparison session and work file, made fresh for one describe block. */
async function alphaFixture(docx: Buffer): Promise<AlphaFixture> {
  const sid = await createSession(q, { serverCaching: 'none' }, ALPHA);
  assert.equal((await uploadSource(q, sid, docx, { headers: ALPHA })).status, 200);
  const cid = await createSession(q, {}, ALPHA);
  assert.equal((await uploadSlot(q, cid, 'original', docx, ALPHA)).status, 200);
  assert.equal((await uploadSlot(q, cid, 'revised', bytesOf(DOCX2), ALPHA)).status, 200);
  const { fileId } = await createWorkFile(q, docx, { headers: ALPHA });
  return { sid, cid, fileId };
}

/**
 * Every route that acts on an existing session or work file. Uploads go to `uploadTo` (sessions
 * whose slots are free, when the caller wants an upload that could succeed to be the thing refused).
 */
function routesOn(f: AlphaFixture, uploadTo: { sid: string; cid: string } = f) {
  const small = bytesOf(DOCX);
  return [
    ['GET', `${V1}/u${f.sid}`, {}],
    ['PUT', `${V1}/u${uploadTo.sid}/SourceFile`, { body: small }],
    ['PUT', `${V2}/${uploadTo.cid}/sourceFile/original`, { body: small }],
    ['PUT', `${V2}/${uploadTo.cid}/sourceFile/revised`, { body: small }],
    ['PUT', `${V1}/u${uploadTo.sid}/SourceRef`, { json: { refType: 'workFile', fileId: f.fileId } }],
    ['GET', `${V1}/u${f.sid}/SourceFile`, {}],
    ['GET', `${V2}/${f.cid}/sourceFile/original`, {}],
    ['GET', `${V2}/${f.cid}/sourceFile/revised`, {}],
    ['GET', `${V1}/u${f.sid}/FileId`, {}],
    ['POST', `${V1}/u${f.sid}/Notification/SessionStarted`, { json: {} }],
    ['POST', `${V1}/u${f.sid}/Notification/SessionStopped`, { json: { httpStatus: 410, endUserMessage: 'x' } }],
    ['POST', `${V1}/u${f.sid}/Notification/SessionErrored`, { json: { httpStatus: 410, endUserMessage: 'x' } }],
    ['POST', `${V1}/u${f.sid}/Replacement`, { json: { password: 'p' } }],
    ['DELETE', `${V1}/u${f.sid}`, {}],
    ['GET', `${WF}/${f.fileId}`, {}],
    ['GET', `${WF}/${f.fileId}/Info`, {}],
    ['DELETE', `${WF}/${f.fileId}`, {}],
  ] as const;
}

/** Every management route: creating sessions and work files, and everything on existing ones. */
function managementRoutes(f: AlphaFixture) {
  return [['POST', V1, { json: {} }], ['POST', WF, { body: bytesOf(DOCX) }], ...routesOn(f)] as const;
}

describe('API keys', () => {
  const docx = bytesOf(DOCX);
  let f: AlphaFixture;
  before(async () => (f = await alphaFixture(docx)));

  test('a missing or wrong key is 401 JSON on every management route, and changes nothing', async () => {
    const keys: Record<string, string>[] = [{}, { 'Acs-Api-Key': 'keyCCCCCCCC' }, { 'Acs-Api-Key': '' }, { 'Acs-Api-Key': 'keyAAAAAAA' }];
    for (const headers of keys) {
      for (const [method, path, opts] of managementRoutes(f)) {
        const r = await call(q, method, path, { ...opts, headers });
        assert.equal(r.status, 401, `${method} ${path} with ${JSON.stringify(headers)} answered ${r.status}`);
        assert.match(r.headers.get('content-type') ?? '', /application\/json/);
        assert.equal(typeof r.body.errorCode, 'string');
      }
      // A wrong key in the query fails as well.
      assert.equal((await call(q, 'GET', `${V1}/u${f.sid}?apikey=keyCCCCCCCC`)).status, 401);
    }
    // None of those requests stopped, deleted or changed anything.
    assert.equal((await call(q, 'GET', `${V1}/u${f.sid}`, { headers: ALPHA })).status, 200);
    assert.ok((await call(q, 'GET', `${V1}/u${f.sid}/SourceFile`, { headers: ALPHA })).bytes.equals(docx));
    assert.equal((await call(q, 'GET', `${WF}/${f.fileId}/Info`, { headers: ALPHA })).status, 200);
  });

  test('the health check needs no key', async () => {
    assert.equal((await call(q, 'GET', '/PCCIS/V1/Service/Current/Health')).status, 200);
  });

  test('the key works as header Acs-Api-Key (any case) and as query apikey', async () => {
    assert.equal((await call(q, 'GET', `${V1}/u${f.sid}`, { headers: ALPHA })).status, 200);
    assert.equal((await call(q, 'GET', `${V1}/u${f.sid}`, { headers: { 'acs-api-key': 'keyAAAAAAAA' } })).status, 200);
    assert.equal((await call(q, 'GET', `${V1}/u${f.sid}?apikey=keyAAAAAAAA`)).status, 200);
    const created = await call(q, 'POST', `${V1}?apikey=keyAAAAAAAA`, { json: {} });
    assert.equal(created.status, 200);
    const wf = await call(q, 'POST', `${WF}?apikey=keyAAAAAAAA&FileExtension=txt`, { body: Buffer.from('hello') });
    assert.equal(wf.status, 200);
    assert.equal((await call(q, 'GET', `${WF}/${wf.body.fileId}?apikey=keyAAAAAAAA`)).bytes.toString(), 'hello');
  });
});

describe('tenant isolation', () => {
  const docx = bytesOf(DOCX);
  let f: AlphaFixture;
  before(async () => (f = await alphaFixture(docx)));

  test("alpha's session and work file are 404 for beta on every route", async () => {
    // Uploads go to sessions with free slots, so a refused upload is refused for being beta's only.
    const fresh = await createSession(q, {}, ALPHA);
    const freshComparison = await createSession(q, {}, ALPHA);
    const routes = routesOn(f, { sid: fresh, cid: freshComparison });
    for (const [method, path, opts] of routes) {
      const r = await call(q, method, path, { ...opts, headers: BETA });
      assert.equal(r.status, 404, `${method} ${path} as beta answered ${r.status} ${JSON.stringify(r.body)}`);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    }
    // Beta's attempts changed nothing for alpha: still active, documents unchanged, slots still free.
    assert.equal((await call(q, 'GET', `${V1}/u${f.sid}`, { headers: ALPHA })).status, 200);
    assert.ok((await call(q, 'GET', `${V1}/u${f.sid}/SourceFile`, { headers: ALPHA })).bytes.equals(docx));
    assert.ok((await call(q, 'GET', `${WF}/${f.fileId}`, { headers: ALPHA })).bytes.equals(docx));
    assert.equal((await uploadSource(q, fresh, docx, { headers: ALPHA })).status, 200);
    assert.equal((await uploadSlot(q, freshComparison, 'original', docx, ALPHA)).status, 200);
  });

  test("beta's SourceRef to alpha's work file is 480 NotFound, as if it did not exist", async () => {
    const betaSession = await createSession(q, {}, BETA);
    const r = await call(q, 'PUT', `${V1}/u${betaSession}/SourceRef`, { json: { refType: 'workFile', fileId: f.fileId }, headers: BETA });
    assert480(r, 'NotFound', 'input.fileId');
    const betaFile = await createWorkFile(q, bytesOf(DOCX2), { headers: BETA });
    const pair = await call(q, 'PUT', `${V1}/u${betaSession}/SourceRef`, {
      json: { refType: 'comparison', original: { refType: 'workFile', fileId: betaFile.fileId }, revised: { refType: 'workFile', fileId: f.fileId } },
      headers: BETA,
    });
    assert480(pair, 'NotFound', 'input.revised.fileId');
    // Beta's own file works.
    assert.equal((await call(q, 'PUT', `${V1}/u${betaSession}/SourceRef`, { json: { refType: 'workFile', fileId: betaFile.fileId }, headers: BETA })).status, 200);
  });

  test('the answer for another tenant\'s id is the same as for an id that never existed', async () => {
    const never = await call(q, 'GET', `${V1}/u${'Q'.repeat(64)}`, { headers: BETA });
    const other = await call(q, 'GET', `${V1}/u${f.sid}`, { headers: BETA });
    assert.equal(other.status, never.status);
    assert.deepEqual(other.body, never.body);
    const neverFile = await call(q, 'GET', `${WF}/${'Q'.repeat(22)}`, { headers: BETA });
    const otherFile = await call(q, 'GET', `${WF}/${f.fileId}`, { headers: BETA });
    assert.equal(otherFile.status, neverFile.status);
    assert.deepEqual(otherFile.body, neverFile.body);
  });

  test("the FileId of alpha's session is not usable by beta", async () => {
    const fid = await call(q, 'GET', `${V1}/u${f.sid}/FileId`, { headers: ALPHA });
    assert.equal(fid.status, 200);
    assert.equal((await call(q, 'GET', `${WF}/${fid.body.fileId}`, { headers: BETA })).status, 404);
    assert.ok((await call(q, 'GET', `${WF}/${fid.body.fileId}`, { headers: ALPHA })).bytes.equals(docx));
  });
});
