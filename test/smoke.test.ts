// The shortest path through a viewing session: create, upload, read back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CORPUS, call, startQuire, type Quire } from './helpers/quire.ts';

let q: Quire;
before(async () => (q = await startQuire()));
after(async () => q.dispose());

test('create a session, upload a DOCX, download it back byte for byte', async () => {
  const created = await call(q, 'POST', '/PCCIS/V1/ViewingSession', { json: {} });
  assert.equal(created.status, 200);
  const id = created.body.viewingSessionId as string;
  assert.match(id, /^[A-Za-z0-9_-]{64}$/);
  const bytes = readFileSync(join(CORPUS, 'docx/pydocx-test.docx'));
  const put = await call(q, 'PUT', `/PCCIS/V1/ViewingSession/u${id}/SourceFile`, { body: bytes });
  assert.equal(put.status, 200);
  const got = await call(q, 'GET', `/PCCIS/V1/ViewingSession/u${id}/SourceFile`);
  assert.equal(got.status, 200);
  assert.ok(got.bytes.equals(bytes));
  assert.equal(got.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  assert.equal(got.headers.get('content-disposition'), `attachment; filename="SourceFile.docx"; filename*=UTF-8''SourceFile.docx`);
});
