// The Office Integrator tables of the embedded metadata store: a data file from before they existed
// opens and keeps its data; documents and sessions end, expire and are forgotten as the domain expects.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteMetadataStore } from '../src/storage/embedded/sqlite-metadata.ts';
import type { OfficeDocumentRecord, OfficeSessionRecord, WorkFileRecord } from '../src/storage/ports.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'quire-oi-store-'));
  dirs.push(d);
  return d;
};

const workFile: WorkFileRecord = { id: 'wf-0000000000000001', tenant: 't', hash: 'a'.repeat(64), size: 3, extension: 'docx', format: 'docx', createdAt: 1, expiresAt: 10_000 };
const doc = (over: Partial<OfficeDocumentRecord> = {}): OfficeDocumentRecord => ({
  key: 'doc-key-1',
  tenant: 't',
  documentId: 'my-doc',
  name: 'Doc',
  content: { hash: workFile.hash, size: 3, extension: 'docx', workFileId: workFile.id },
  createdAt: 1000,
  expiresAt: 5000,
  state: 'active',
  ...over,
});
const session = (id: string, over: Partial<OfficeSessionRecord> = {}): OfficeSessionRecord => ({
  id,
  tenant: 't',
  documentKey: 'doc-key-1',
  kind: 'edit',
  userId: 'u',
  displayName: 'U',
  settings: { permissions: { 'document.edit': true } },
  viewingSessionId: null,
  viewedHash: null,
  createdAt: 1000,
  expiresAt: 3000,
  state: 'active',
  endedAt: null,
  ...over,
});

test('a data file written before the Office tables existed opens with its data and gains them', async () => {
  const dir = tempDir();
  const first = new SqliteMetadataStore(dir);
  await first.insertWorkFile(workFile);
  await first.setSetting('affinityToken', 'tok');
  await first.close();
  // What an older Quire left behind: no office_* tables.
  const db = new DatabaseSync(join(dir, 'quire.sqlite'));
  db.exec('DROP TABLE office_documents; DROP TABLE office_sessions; DROP TABLE office_usage;');
  db.close();

  const store = new SqliteMetadataStore(dir);
  assert.deepEqual(await store.getWorkFile(workFile.id), workFile);
  assert.equal(await store.getSetting('affinityToken'), 'tok');
  await store.insertOfficeDocument(doc());
  assert.equal((await store.getOfficeDocument('t', 'my-doc'))?.name, 'Doc');
  await store.close();
});

test('documents are unique per tenant by their id; sessions end once; expiry and forgetting', async () => {
  const store = new SqliteMetadataStore(tempDir());
  await store.insertOfficeDocument(doc());
  await assert.rejects(store.insertOfficeDocument(doc({ key: 'doc-key-2' })), 'the same document_id twice in a tenant');
  await store.insertOfficeDocument(doc({ key: 'doc-key-3', tenant: 'other' }));
  assert.equal((await store.getOfficeDocument('other', 'my-doc'))?.key, 'doc-key-3');

  await store.insertOfficeSession(session('s1'));
  await store.insertOfficeSession(session('s2', { createdAt: 1001, expiresAt: 9000 }));
  assert.deepEqual((await store.listOfficeSessions('doc-key-1')).map((s) => s.id), ['s1', 's2']);
  assert.deepEqual((await store.getOfficeSession('s1'))?.settings, { permissions: { 'document.edit': true } });

  await store.setOfficeSessionViewing('s2', 'vs-1', 'hash-1');
  assert.equal((await store.getOfficeSession('s2'))?.viewingSessionId, 'vs-1');

  assert.equal(await store.endOfficeSession('s1', 'deleted', 2000), true);
  assert.equal(await store.endOfficeSession('s1', 'deleted', 2001), false, 'only once');

  // At 4000: s2 still runs (9000); the document (5000) too.
  assert.deepEqual(await store.expireOffice(4000), []);
  // At 9000 both s2 and the document have expired.
  const ended = await store.expireOffice(9000);
  assert.deepEqual(ended.map((s) => [s.id, s.viewingSessionId]), [['s2', 'vs-1']]);
  assert.equal((await store.getOfficeDocumentByKey('doc-key-1'))?.state, 'expired');
  assert.equal((await store.getOfficeSession('s2'))?.state, 'expired');

  // Remembered until purged: s1 ended at 2000, s2 at 9000 (its expiry), the document at 5000.
  assert.equal(await store.purgeOffice(3000), 1);
  assert.equal(await store.getOfficeSession('s1'), undefined);
  assert.ok(await store.getOfficeSession('s2'));
  assert.equal(await store.purgeOffice(10_000), 3);
  assert.equal(await store.getOfficeDocument('t', 'my-doc'), undefined);

  await store.countOfficeSession('t', 100);
  await store.countOfficeSession('t', 200);
  assert.deepEqual(await store.getOfficeUsage('t'), { sessionsCreated: 2, firstSeen: 100 });
  await store.close();
});
