// The contract every storage backend (src/storage/ports.ts) must meet, written once and run against
// each backend: test/storage-contract.test.ts runs it on the embedded one. A new backend passes
// storageContract('its name', makeStorage) too. Every check goes through the interfaces only; the
// optional `leftovers` hook lets a backend also show that failed writes leave nothing behind.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describe, test as nodeTest } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { QuireError } from '../../src/domain/errors.ts';
import { parseSessionProperties } from '../../src/domain/session-properties.ts';
import type { BlobRef, DocumentRef, SessionRecord, Slot, Storage, WorkFileRecord } from '../../src/storage/ports.ts';

export interface StorageUnderTest {
  storage: Storage;
  /** Closes `storage` and opens the same data again, as a restart of the server would. */
  reopen(): Promise<Storage>;
  /** Closes whatever is open and removes all data. */
  cleanup(): Promise<void>;
  /** How many partial writes the backend holds (what BlobStore.recover removes), if it can tell. */
  leftovers?(): Promise<number>;
}

/** A fixed clock value: the store never reads the time itself, every method is given it. */
const T = 1_700_000_000_000;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

async function* chunksOf(b: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function isTooLarge(e: unknown): boolean {
  return e instanceof QuireError && e.kind === 'tooLarge';
}

const doc = (hash: string, over: Partial<DocumentRef> = {}): DocumentRef => ({ hash, size: 1234, extension: 'docx', workFileId: 'wf-of-' + hash.slice(0, 8), ...over });
const fakeHash = (seed: string) => sha256(Buffer.from(seed));

function session(id: string, over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    tenant: 'tenant-a',
    properties: parseSessionProperties({}),
    createdAt: T,
    expiresAt: T + 20 * 60_000,
    lifetimeSeconds: 1200,
    mode: null,
    slots: {},
    state: 'active',
    stopStatus: null,
    stopMessage: null,
    ...over,
  };
}

function workFile(id: string, hash: string, over: Partial<WorkFileRecord> = {}): WorkFileRecord {
  return { id, tenant: 'tenant-a', hash, size: 42, extension: 'pdf', format: 'pdf', createdAt: T, expiresAt: T + 60_000, ...over };
}

export interface ContractOptions {
  /**
   * Tests (by title) that fail on this backend for a known, reported bug: they still run, as todo
   * (their failure is shown but does not fail the run). Remove an entry once its bug is fixed.
   */
  knownBugs?: Record<string, string>;
  /** Known bugs whose test cannot even run without failing the whole file (an uncaught exception): skipped. */
  disruptiveKnownBugs?: Record<string, string>;
}

export function storageContract(name: string, makeStorage: () => Promise<StorageUnderTest>, opts: ContractOptions = {}): void {
  const known = new Map(Object.entries(opts.knownBugs ?? {}));
  const disruptive = new Map(Object.entries(opts.disruptiveKnownBugs ?? {}));
  const test = (title: string, fn: () => Promise<void>) => {
    const bug = known.get(title);
    const skip = disruptive.get(title);
    known.delete(title);
    disruptive.delete(title);
    if (skip !== undefined) return nodeTest(title, { skip: `known bug: ${skip}` }, fn);
    return bug === undefined ? nodeTest(title, fn) : nodeTest(title, { todo: bug }, fn);
  };
  /** Runs `fn` on a fresh, empty storage and removes it afterwards. */
  const fresh = (fn: (s: Storage, sut: StorageUnderTest) => Promise<void>) => async () => {
    const sut = await makeStorage();
    try {
      await fn(sut.storage, sut);
    } finally {
      await sut.cleanup();
    }
  };
  /**
   * Resolves once the backend evidently holds a partial write and what it was given so far has had
   * time to land, so a failure after this is one of a write under way but idle. (Failures racing the
   * start of a write, or a write in flight, have tests of their own.)
   */
  const writing = async (sut: StorageUnderTest) => {
    if (sut.leftovers) await until(async () => (await sut.leftovers!()) > 0, 'the write to reach storage');
    await sleep(50);
  };
  const noLeftovers = async (sut: StorageUnderTest, when: string) => {
    if (sut.leftovers) assert.equal(await sut.leftovers(), 0, `partial writes left behind ${when}`);
  };

  describe(`storage contract: ${name}`, () => {
    describe('BlobStore', () => {
      test('put streams a source of many chunks and returns its sha256 and size; the bytes read back whole, by head and by local path', fresh(async (s) => {
        const bytes = randomBytes(300_000);
        const ref = await s.blobs.put(chunksOf(bytes, 7_000), 10_000_000);
        assert.deepEqual(ref, { hash: sha256(bytes), size: bytes.length });
        assert.equal(await s.blobs.exists(ref.hash), true);
        assert.ok((await readAll(s.blobs.open(ref.hash))).equals(bytes));
        assert.ok((await s.blobs.head(ref.hash, 100)).equals(bytes.subarray(0, 100)));
        assert.ok((await s.blobs.head(ref.hash, bytes.length + 50)).equals(bytes), 'head past the end gives the whole blob');
        assert.ok((await readFile(await s.blobs.localPath(ref.hash))).equals(bytes));
      }));

      test('put takes a Node Readable too, and an empty source makes the empty blob', fresh(async (s) => {
        const bytes = Buffer.from('hello, readable');
        const ref = await s.blobs.put(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]), 1000);
        assert.deepEqual(ref, { hash: sha256(bytes), size: bytes.length });
        const empty = await s.blobs.put(chunksOf(Buffer.alloc(0), 1), 1000);
        assert.deepEqual(empty, { hash: sha256(Buffer.alloc(0)), size: 0 });
        assert.equal((await readAll(s.blobs.open(empty.hash))).length, 0);
      }));

      test('a blob is not visible while it streams nor in beforeCommit, and is once put returns', fresh(async (s, sut) => {
        const bytes = randomBytes(50_000);
        const hash = sha256(bytes);
        const gate = deferred();
        const source = (async function* () {
          yield bytes.subarray(0, 20_000);
          await gate.promise;
          yield bytes.subarray(20_000);
        })();
        let seen: BlobRef | undefined;
        let visibleInBeforeCommit: boolean | undefined;
        const put = s.blobs.put(source, 1_000_000, async (ref) => {
          seen = ref;
          visibleInBeforeCommit = await s.blobs.exists(ref.hash);
        });
        await writing(sut);
        assert.equal(await s.blobs.exists(hash), false, 'visible mid-stream');
        await assert.rejects(readAll(s.blobs.open(hash)), 'readable mid-stream');
        gate.resolve();
        const ref = await put;
        assert.deepEqual(seen, { hash, size: bytes.length }, 'beforeCommit is given the final hash and size');
        assert.equal(visibleInBeforeCommit, false, 'visible before beforeCommit returned');
        assert.deepEqual(ref, seen);
        assert.equal(await s.blobs.exists(hash), true);
        await noLeftovers(sut, 'after a completed put');
      }));

      test('exactly maxBytes is accepted; one byte more is a tooLarge QuireError and leaves nothing', fresh(async (s, sut) => {
        const bytes = randomBytes(10_000);
        let called = false;
        const source = (async function* () {
          yield bytes.subarray(0, 9000);
          await writing(sut);
          yield bytes.subarray(9000);
        })();
        await assert.rejects(s.blobs.put(source, bytes.length - 1, async () => void (called = true)), isTooLarge);
        assert.equal(called, false, 'beforeCommit ran for a refused write');
        assert.equal(await s.blobs.exists(sha256(bytes)), false);
        assert.equal(await s.blobs.exists(sha256(bytes.subarray(0, bytes.length - 1))), false, 'the accepted prefix was kept');
        await noLeftovers(sut, 'by a refused put');
        const ref = await s.blobs.put(chunksOf(bytes, 1000), bytes.length);
        assert.equal(ref.size, bytes.length);
      }));

      test('a put that fails at once (refused first chunk, or a source failing straight away) leaves nothing, also many at once', fresh(async (s, sut) => {
        const refusal = async () => {
          const bytes = randomBytes(4096);
          await assert.rejects(s.blobs.put(chunksOf(bytes, 4096), 10), isTooLarge);
          assert.equal(await s.blobs.exists(sha256(bytes)), false);
        };
        const failure = async () => {
          const broken = new Error('client went away');
          const source = (async function* () {
            yield randomBytes(4096);
            throw broken;
          })();
          await assert.rejects(s.blobs.put(source, 1_000_000), (e) => e === broken);
        };
        // Repeated, concurrently too: a failure racing the start of the write is what this looks for.
        for (let i = 0; i < 25; i++) await refusal();
        for (let i = 0; i < 25; i++) await failure();
        for (let round = 0; round < 4; round++) await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? refusal() : failure())));
        await sleep(100); // let any file operation still in flight land before counting
        await noLeftovers(sut, 'by puts that failed at once');
      }));

      test('a put abandoned while a write is in flight fails cleanly: its own error, no stray (uncaught) error, nothing left', fresh(async (s, sut) => {
        // A stray error would surface as an uncaught exception, which fails this file's run.
        for (let i = 0; i < 10; i++) {
          const bytes = randomBytes(30_000);
          const broken = new Error('client went away');
          // Small chunks handed over with no pause in between, the last one failing: some write is
          // still in flight when the put gives up.
          const source = (kind: 'tooLarge' | 'error') =>
            (async function* () {
              yield bytes.subarray(0, 1000);
              await writing(sut);
              for (let at = 1000; at < 10_000; at += 3000) yield bytes.subarray(at, at + 3000);
              if (kind === 'error') throw broken;
              yield bytes.subarray(10_000);
            })();
          await assert.rejects(s.blobs.put(source('tooLarge'), 20_000), isTooLarge);
          await assert.rejects(s.blobs.put(source('error'), 1_000_000), (e) => e === broken);
          assert.equal(await s.blobs.exists(sha256(bytes)), false);
        }
        await sleep(100); // a stray error would come from a write's late completion
        await noLeftovers(sut, 'by abandoned puts');
      }));

      test('a large put in many chunks raises no process warning (nothing piles up per chunk)', fresh(async (s) => {
        const warnings: string[] = [];
        const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`);
        process.on('warning', onWarning);
        try {
          const bytes = randomBytes(4 * 1024 * 1024);
          const ref = await s.blobs.put(chunksOf(bytes, 64 * 1024), 10 * 1024 * 1024);
          assert.equal(ref.hash, sha256(bytes));
          await sleep(10); // warnings are emitted on the next tick
        } finally {
          process.off('warning', onWarning);
        }
        assert.deepEqual(warnings, []);
      }));

      test('beforeCommit throwing aborts the put with its error and nothing becomes visible', fresh(async (s, sut) => {
        const bytes = randomBytes(20_000);
        const boom = new Error('recording failed');
        await assert.rejects(s.blobs.put(chunksOf(bytes, 5000), 1_000_000, async () => { throw boom; }), (e) => e === boom);
        assert.equal(await s.blobs.exists(sha256(bytes)), false);
        await noLeftovers(sut, 'by an aborted put');
      }));

      test('a source that fails mid-stream fails the put and leaves nothing', fresh(async (s, sut) => {
        const bytes = randomBytes(20_000);
        const broken = new Error('client went away');
        const source = (async function* () {
          yield bytes.subarray(0, 10_000);
          await writing(sut);
          throw broken;
        })();
        await assert.rejects(s.blobs.put(source, 1_000_000), (e) => e === broken);
        assert.equal(await s.blobs.exists(sha256(bytes)), false);
        assert.equal(await s.blobs.exists(sha256(bytes.subarray(0, 10_000))), false);
        await noLeftovers(sut, 'by a failed source');
      }));

      test('open with a range reads start..end inclusive (as Node streams count)', fresh(async (s) => {
        const bytes = randomBytes(100_000);
        const { hash } = await s.blobs.put(chunksOf(bytes, 10_000), 1_000_000);
        assert.ok((await readAll(s.blobs.open(hash, { start: 10, end: 19 }))).equals(bytes.subarray(10, 20)));
        assert.ok((await readAll(s.blobs.open(hash, { start: 65_000, end: 99_999 }))).equals(bytes.subarray(65_000)));
        assert.ok((await readAll(s.blobs.open(hash, { start: 0, end: 0 }))).equals(bytes.subarray(0, 1)));
      }));

      test('the same bytes stored twice (also at once) are one blob; delete removes it; exists/delete/open of unknown names', fresh(async (s) => {
        const bytes = randomBytes(30_000);
        const [a, b] = await Promise.all([s.blobs.put(chunksOf(bytes, 3000), 1_000_000), s.blobs.put(chunksOf(bytes, 7000), 1_000_000)]);
        assert.deepEqual(a, b);
        const again = await s.blobs.put(chunksOf(bytes, 30_000), 1_000_000);
        assert.deepEqual(again, a);
        assert.ok((await readAll(s.blobs.open(a.hash))).equals(bytes));
        await s.blobs.delete(a.hash);
        assert.equal(await s.blobs.exists(a.hash), false);
        await assert.rejects(readAll(s.blobs.open(a.hash)));
        await assert.rejects(s.blobs.head(a.hash, 10));
        await s.blobs.delete(a.hash); // deleting what is gone is not an error
        assert.deepEqual(await s.blobs.put(chunksOf(bytes, 5000), 1_000_000), a, 'stored again after delete');
        assert.equal(await s.blobs.exists(a.hash), true);
        assert.equal(await s.blobs.exists(fakeHash('never stored')), false);
        // Blob names come from data: anything that is not a hash names nothing.
        for (const hostile of ['../../quire.sqlite', '..', '', 'A'.repeat(64), a.hash.toUpperCase()]) assert.equal(await s.blobs.exists(hostile), false, hostile);
      }));

      test('recover removes the leftovers of a write that never finished and keeps complete blobs', fresh(async (s, sut) => {
        const kept = randomBytes(10_000);
        const keptRef = await s.blobs.put(chunksOf(kept, 1000), 1_000_000);
        const partial = randomBytes(40_000);
        const gate = deferred();
        const source = (async function* () {
          yield partial.subarray(0, 20_000);
          await gate.promise; // never resolved: the writer "dies" here
          yield partial.subarray(20_000);
        })();
        const hung = s.blobs.put(source, 1_000_000).catch((e: unknown) => e);
        await writing(sut);
        // The restart after a crash: a new instance over the same data recovers.
        const reopened = await sut.reopen();
        await reopened.blobs.recover();
        await noLeftovers(sut, 'after recover');
        assert.equal(await reopened.blobs.exists(sha256(partial)), false);
        assert.ok((await readAll(reopened.blobs.open(keptRef.hash))).equals(kept), 'recover touched a complete blob');
        gate.reject(new Error('the dead writer'));
        assert.ok((await hung) instanceof Error);
        assert.equal(await reopened.blobs.exists(sha256(partial)), false);
      }));
    });

    describe('MetadataStore: sessions', () => {
      test('insert/get round-trips every field; unknown ids are undefined; ids are unique', fresh(async (s) => {
        const full = session('s-full', {
          tenant: 'tenant-ü',
          properties: parseSessionProperties({
            tenantId: 't', externalId: 'x'.repeat(500), password: 'pä$$', watermarkText: 'DRAFT',
            render: { flash: { optimizationLevel: 3 }, html5: { alwaysUseRaster: true, rasterResolution: 300 } },
            watermarks: [{ type: 'text', text: 'CONFIDENTIAL', nested: { a: [1, null, 'z'] } }],
            serverCaching: 'none', minSecondsAvailable: 600, origin: { ip: '10.0.0.1', deep: { list: [true, false] } },
            countOfInitialPages: 7, startConverting: 'allPages', contentType: 'svgb', pageContentEncryption: true,
            attachmentIndex: 2, attachmentDisplayName: 'a.pdf', documentExtension: 'docx', documentSource: 'api',
          }),
          createdAt: T + 1,
          expiresAt: T + 999_999,
          lifetimeSeconds: 77,
          mode: 'comparison',
          slots: { original: doc(fakeHash('o')), revised: 'claimed' },
          state: 'stopped',
          stopStatus: 418,
          stopMessage: 'Gone fishing ☕',
        });
        await s.metadata.insertSession(full);
        assert.deepEqual(await s.metadata.getSession('s-full'), full);
        const single = session('s-single', { mode: 'single', slots: { source: doc(fakeHash('s'), { extension: 'pdf', size: 0 }) } });
        await s.metadata.insertSession(single);
        assert.deepEqual(await s.metadata.getSession('s-single'), single);
        const empty = session('s-empty');
        await s.metadata.insertSession(empty);
        assert.deepEqual(await s.metadata.getSession('s-empty'), empty);
        assert.equal(await s.metadata.getSession('nope'), undefined);
        await assert.rejects(s.metadata.insertSession(session('s-empty', { tenant: 'intruder' })));
        assert.deepEqual(await s.metadata.getSession('s-empty'), empty, 'a duplicate insert changed the first session');
      }));

      test('a record from getSession cannot change the store: its copy may change, or refuses to (read-only)', fresh(async (s) => {
        const rec = session('s1', { mode: 'single', slots: { source: doc(fakeHash('a')) } });
        await s.metadata.insertSession(rec);
        const expected = structuredClone(rec);
        const got = (await s.metadata.getSession('s1'))!;
        got.expiresAt = 0;
        got.slots.source = 'claimed';
        got.slots.original = doc(fakeHash('b'));
        // A backend may hand out shared, frozen properties (parsing them per read is costly): then writing throws.
        const attempt = (change: () => void) => {
          try {
            change();
          } catch (e) {
            assert.ok(e instanceof TypeError, String(e));
          }
        };
        attempt(() => (got.properties.password = 'changed'));
        attempt(() => got.properties.watermarks.push({ type: 'text' }));
        assert.deepEqual(await s.metadata.getSession('s1'), expected);
      }));

      test('claimSlot: of 10 concurrent claims exactly one wins', fresh(async (s) => {
        await s.metadata.insertSession(session('s1'));
        const results = await Promise.all(Array.from({ length: 10 }, () => s.metadata.claimSlot('s1', 'source')));
        assert.equal(results.filter((r) => r === 'claimed').length, 1, results.join());
        assert.deepEqual(results.filter((r) => r !== 'claimed'), Array(9).fill('taken'));
        const got = await s.metadata.getSession('s1');
        assert.equal(got?.mode, 'single');
        assert.deepEqual(got?.slots, { source: 'claimed' });
      }));

      test('claimSlot: concurrent claims for both modes leave one mode and one claim', fresh(async (s) => {
        await s.metadata.insertSession(session('s1'));
        const slots: Slot[] = ['source', 'original', 'source', 'original', 'source', 'original'];
        const results = await Promise.all(slots.map((slot) => s.metadata.claimSlot('s1', slot)));
        const winners = slots.filter((_, i) => results[i] === 'claimed');
        assert.equal(winners.length, 1, results.join());
        const mode = winners[0] === 'source' ? 'single' : 'comparison';
        results.forEach((r, i) => {
          if (r !== 'claimed') assert.equal(r, slots[i] === winners[0] ? 'taken' : 'otherMode', `${slots[i]}: ${r}`);
        });
        const got = await s.metadata.getSession('s1');
        assert.equal(got?.mode, mode);
        assert.deepEqual(got?.slots, { [winners[0]!]: 'claimed' });
      }));

      test('claimSlot: comparison slots, the other mode, taken slots and missing sessions', fresh(async (s) => {
        await s.metadata.insertSession(session('cmp'));
        assert.equal(await s.metadata.claimSlot('cmp', 'original'), 'claimed');
        assert.equal(await s.metadata.claimSlot('cmp', 'revised'), 'claimed');
        assert.equal(await s.metadata.claimSlot('cmp', 'original'), 'taken');
        assert.equal(await s.metadata.claimSlot('cmp', 'source'), 'otherMode');
        assert.deepEqual((await s.metadata.getSession('cmp'))?.slots, { original: 'claimed', revised: 'claimed' });
        assert.equal((await s.metadata.getSession('cmp'))?.mode, 'comparison');

        await s.metadata.insertSession(session('one'));
        assert.equal(await s.metadata.claimSlot('one', 'source'), 'claimed');
        assert.equal(await s.metadata.claimSlot('one', 'original'), 'otherMode');
        assert.equal(await s.metadata.claimSlot('one', 'revised'), 'otherMode');
        assert.deepEqual((await s.metadata.getSession('one'))?.slots, { source: 'claimed' });

        // A mode given at creation binds claims too.
        await s.metadata.insertSession(session('preset', { mode: 'comparison' }));
        assert.equal(await s.metadata.claimSlot('preset', 'source'), 'otherMode');

        for (const slot of ['source', 'original', 'revised'] as const) assert.equal(await s.metadata.claimSlot('missing', slot), 'missing');
        assert.equal(await s.metadata.getSession('missing'), undefined, 'a claim created a session');
      }));

      test('fillSlot stores the document; releaseSlot frees only a claim and, when all slots are empty, the mode', fresh(async (s) => {
        await s.metadata.insertSession(session('s1'));
        assert.equal(await s.metadata.claimSlot('s1', 'source'), 'claimed');
        await s.metadata.releaseSlot('s1', 'source');
        let got = await s.metadata.getSession('s1');
        assert.deepEqual(got?.slots, {});
        assert.equal(got?.mode, null, 'the mode outlived its only claim');
        assert.equal(await s.metadata.claimSlot('s1', 'original'), 'claimed', 'the released session took the other mode');
        assert.equal(await s.metadata.claimSlot('s1', 'revised'), 'claimed');
        const original = doc(fakeHash('orig'), { extension: 'odt' });
        await s.metadata.fillSlot('s1', 'original', original);
        await s.metadata.releaseSlot('s1', 'revised');
        got = await s.metadata.getSession('s1');
        assert.deepEqual(got?.slots, { original });
        assert.equal(got?.mode, 'comparison', 'the mode was dropped while a document remains');
        await s.metadata.releaseSlot('s1', 'original'); // a filled slot is not a claim
        assert.deepEqual((await s.metadata.getSession('s1'))?.slots, { original });
        assert.equal(await s.metadata.claimSlot('s1', 'original'), 'taken');
        assert.equal(await s.metadata.claimSlot('s1', 'source'), 'otherMode');
        await s.metadata.releaseSlot('missing', 'source'); // nothing to release is not an error
      }));

      test('state, expiry and deletion', fresh(async (s) => {
        await s.metadata.insertSession(session('s1'));
        await s.metadata.setSessionState('s1', 'stopped', 418, 'Gone fishing');
        let got = await s.metadata.getSession('s1');
        assert.deepEqual([got?.state, got?.stopStatus, got?.stopMessage], ['stopped', 418, 'Gone fishing']);
        await s.metadata.setSessionState('s1', 'errored', 409, null);
        got = await s.metadata.getSession('s1');
        assert.deepEqual([got?.state, got?.stopStatus, got?.stopMessage], ['errored', 409, null]);
        await s.metadata.setSessionState('s1', 'active', null, null);
        got = await s.metadata.getSession('s1');
        assert.deepEqual([got?.state, got?.stopStatus, got?.stopMessage], ['active', null, null]);
        await s.metadata.setSessionExpiry('s1', T + 123_456);
        assert.equal((await s.metadata.getSession('s1'))?.expiresAt, T + 123_456);
        await s.metadata.insertSession(session('s2'));
        await s.metadata.deleteSession('s1');
        assert.equal(await s.metadata.getSession('s1'), undefined);
        assert.equal(await s.metadata.claimSlot('s1', 'source'), 'missing');
        assert.ok(await s.metadata.getSession('s2'), 'deleting one session touched another');
        await s.metadata.deleteSession('s1'); // twice is fine
      }));

      test('expireSessions marks every session at or past its expiry (once), purgeSessions forgets only expired ones', fresh(async (s) => {
        const now = T + 60_000;
        await s.metadata.insertSession(session('past', { expiresAt: now - 1, mode: 'single', slots: { source: doc(fakeHash('p')) } }));
        await s.metadata.insertSession(session('now', { expiresAt: now })); // the domain treats expiresAt <= now as expired
        await s.metadata.insertSession(session('stopped', { expiresAt: now - 10, state: 'stopped', stopStatus: 418, stopMessage: 'x' }));
        await s.metadata.insertSession(session('future', { expiresAt: now + 1 }));
        await s.metadata.insertSession(session('claimed', { expiresAt: now - 5 }));
        assert.equal(await s.metadata.claimSlot('claimed', 'source'), 'claimed');
        // Read once so a caching store has something to get wrong.
        for (const id of ['past', 'now', 'stopped', 'future', 'claimed']) assert.ok(await s.metadata.getSession(id));

        assert.deepEqual((await s.metadata.expireSessions(now)).sort(), ['claimed', 'now', 'past', 'stopped']);
        for (const id of ['past', 'now', 'stopped', 'claimed']) assert.equal((await s.metadata.getSession(id))?.state, 'expired', id);
        assert.equal((await s.metadata.getSession('future'))?.state, 'active');
        assert.deepEqual(await s.metadata.expireSessions(now), [], 'expired sessions were reported twice');

        // An active session long past its expiry that no sweep has expired yet is not purged.
        await s.metadata.insertSession(session('unswept', { expiresAt: now - 100_000 }));
        assert.equal(await s.metadata.purgeSessions(now - 4), 2, 'stopped (now-10) and claimed (now-5)');
        for (const id of ['stopped', 'claimed']) assert.equal(await s.metadata.getSession(id), undefined, id);
        assert.equal(await s.metadata.getSession('unswept').then((r) => r?.state), 'active');
        assert.ok(await s.metadata.getSession('past'), 'expired at now-1, after the purge limit');
        assert.equal(await s.metadata.purgeSessions(now + 1), 2);
        for (const id of ['past', 'now']) assert.equal(await s.metadata.getSession(id), undefined, id);
        assert.ok(await s.metadata.getSession('future'));
        assert.equal(await s.metadata.purgeSessions(now + 1), 0);
      }));

      test('releaseAllClaims clears every upload claim (and modes left without documents), keeps documents', fresh(async (s) => {
        assert.equal(await s.metadata.releaseAllClaims(), 0);
        const kept = doc(fakeHash('k'));
        await s.metadata.insertSession(session('a'));
        await s.metadata.insertSession(session('b'));
        await s.metadata.insertSession(session('c'));
        await s.metadata.insertSession(session('d'));
        assert.equal(await s.metadata.claimSlot('a', 'source'), 'claimed');
        assert.equal(await s.metadata.claimSlot('b', 'original'), 'claimed');
        assert.equal(await s.metadata.claimSlot('c', 'original'), 'claimed');
        assert.equal(await s.metadata.claimSlot('c', 'revised'), 'claimed');
        await s.metadata.fillSlot('c', 'original', kept);
        assert.equal(await s.metadata.claimSlot('d', 'source'), 'claimed');
        await s.metadata.fillSlot('d', 'source', kept);
        assert.ok((await s.metadata.releaseAllClaims()) >= 3);
        for (const id of ['a', 'b']) {
          const got = await s.metadata.getSession(id);
          assert.deepEqual([got?.slots, got?.mode], [{}, null], id);
        }
        const c = await s.metadata.getSession('c');
        assert.deepEqual([c?.slots, c?.mode], [{ original: kept }, 'comparison']);
        const d = await s.metadata.getSession('d');
        assert.deepEqual([d?.slots, d?.mode], [{ source: kept }, 'single']);
        assert.equal(await s.metadata.claimSlot('a', 'revised'), 'claimed', 'a released session is open to either mode');
        assert.equal(await s.metadata.claimSlot('c', 'revised'), 'claimed');
        await s.metadata.releaseAllClaims();
        assert.equal(await s.metadata.releaseAllClaims(), 0);
      }));
    });

    describe('MetadataStore: work files, blob records, settings', () => {
      test('work files: insert/get round trip, expiry, delete', fresh(async (s) => {
        const a = workFile('wf-a', fakeHash('a'), { tenant: 'tenant-ü', extension: 'bin', format: null, size: 0 });
        const b = workFile('wf-b', fakeHash('b'), { size: 5_000_000_000 }); // sizes past 32 bits
        await s.metadata.insertWorkFile(a);
        await s.metadata.insertWorkFile(b);
        assert.deepEqual(await s.metadata.getWorkFile('wf-a'), a);
        assert.deepEqual(await s.metadata.getWorkFile('wf-b'), b);
        assert.equal(await s.metadata.getWorkFile('wf-none'), undefined);
        await assert.rejects(s.metadata.insertWorkFile({ ...a, tenant: 'intruder' }));
        assert.deepEqual(await s.metadata.getWorkFile('wf-a'), a);
        await s.metadata.setWorkFileExpiry('wf-a', T + 5);
        assert.equal((await s.metadata.getWorkFile('wf-a'))?.expiresAt, T + 5);
        assert.equal(await s.metadata.deleteWorkFile('wf-b'), true);
        assert.equal(await s.metadata.deleteWorkFile('wf-b'), false);
        assert.equal(await s.metadata.getWorkFile('wf-b'), undefined);
      }));

      test('deleteExpiredWorkFiles removes those at or past expiry and counts them', fresh(async (s) => {
        const now = T + 10_000;
        await s.metadata.insertWorkFile(workFile('past', fakeHash('1'), { expiresAt: now - 1 }));
        await s.metadata.insertWorkFile(workFile('now', fakeHash('2'), { expiresAt: now })); // WorkFiles.get: expiresAt <= now is gone
        await s.metadata.insertWorkFile(workFile('future', fakeHash('3'), { expiresAt: now + 1 }));
        assert.equal(await s.metadata.deleteExpiredWorkFiles(now), 2);
        assert.equal(await s.metadata.getWorkFile('past'), undefined);
        assert.equal(await s.metadata.getWorkFile('now'), undefined);
        assert.ok(await s.metadata.getWorkFile('future'));
        assert.equal(await s.metadata.deleteExpiredWorkFiles(now), 0);
      }));

      test('unreferencedBlobs: recorded before the limit and referred to by no work file or session slot', fresh(async (s) => {
        const [free, byWorkFile, bySource, byOriginal, byRevised, young, forgotten] = ['free', 'wf', 'src', 'orig', 'rev', 'young', 'forgotten'].map(fakeHash) as [string, string, string, string, string, string, string];
        for (const h of [free, byWorkFile, bySource, byOriginal, byRevised, forgotten]) await s.metadata.recordBlob({ hash: h, size: 10 }, T);
        await s.metadata.recordBlob({ hash: young, size: 10 }, T + 1000);
        await s.metadata.insertWorkFile(workFile('wf', byWorkFile));
        await s.metadata.insertSession(session('single'));
        assert.equal(await s.metadata.claimSlot('single', 'source'), 'claimed');
        await s.metadata.fillSlot('single', 'source', doc(bySource));
        await s.metadata.insertSession(session('cmp', { mode: 'comparison', slots: { original: doc(byOriginal), revised: doc(byRevised) } }));
        await s.metadata.insertSession(session('claiming'));
        assert.equal(await s.metadata.claimSlot('claiming', 'source'), 'claimed'); // a claim names no blob
        await s.metadata.forgetBlob(forgotten);

        assert.deepEqual((await s.metadata.unreferencedBlobs(T + 1)).sort(), [free]);
        assert.deepEqual((await s.metadata.unreferencedBlobs(T)).sort(), [], 'the limit is exclusive: recorded at T is not before T');
        assert.deepEqual((await s.metadata.unreferencedBlobs(T + 1001)).sort(), [free, young].sort());

        // Touching a blob restarts its grace period.
        await s.metadata.recordBlob({ hash: free, size: 10 }, T + 5000);
        assert.deepEqual(await s.metadata.unreferencedBlobs(T + 1001), [young]);

        // Letting go of the references frees the blobs.
        assert.equal(await s.metadata.deleteWorkFile('wf'), true);
        await s.metadata.deleteSession('cmp');
        assert.deepEqual((await s.metadata.unreferencedBlobs(T + 1)).sort(), [byWorkFile, byOriginal, byRevised].sort());
        await s.metadata.forgetBlob(byWorkFile);
        assert.deepEqual((await s.metadata.unreferencedBlobs(T + 1)).sort(), [byOriginal, byRevised].sort());
      }));

      test('unreferencedBlobs never lists a blob that a session, as getSession returns it, still refers to', fresh(async (s) => {
        // Whether expiry lets a session's documents go is the backend's choice; not contradicting itself is not.
        const h = fakeHash('expiring');
        await s.metadata.recordBlob({ hash: h, size: 1 }, T);
        await s.metadata.insertSession(session('e', { expiresAt: T + 10, mode: 'single', slots: { source: doc(h) } }));
        await s.metadata.expireSessions(T + 20);
        const got = await s.metadata.getSession('e');
        assert.equal(got?.state, 'expired');
        const listed = (await s.metadata.unreferencedBlobs(T + 1)).includes(h);
        const referenced = typeof got?.slots.source === 'object' && got.slots.source.hash === h;
        assert.ok(!(listed && referenced), 'an expired session still names a blob the sweep would delete');
        await s.metadata.purgeSessions(T + 20);
        assert.deepEqual(await s.metadata.unreferencedBlobs(T + 1), [h], 'a purged session still holds its blob');
      }));

      test('settings: missing is undefined, set, overwrite', fresh(async (s) => {
        assert.equal(await s.metadata.getSetting('affinityToken'), undefined);
        await s.metadata.setSetting('affinityToken', 'abc');
        await s.metadata.setSetting('other', 'x'.repeat(10_000) + '✓');
        assert.equal(await s.metadata.getSetting('affinityToken'), 'abc');
        await s.metadata.setSetting('affinityToken', 'def');
        assert.equal(await s.metadata.getSetting('affinityToken'), 'def');
        assert.equal(await s.metadata.getSetting('other'), 'x'.repeat(10_000) + '✓');
        await s.metadata.setSetting('empty', '');
        assert.equal(await s.metadata.getSetting('empty'), '');
      }));
    });

    test('everything survives close and reopen', fresh(async (s, sut) => {
      const bytes = randomBytes(64_000);
      const ref = await s.blobs.put(chunksOf(bytes, 8000), 1_000_000, (r) => s.metadata.recordBlob(r, T));
      const source = doc(ref.hash, { size: ref.size });
      const single = session('single', { tenant: 'persist', properties: parseSessionProperties({ password: 'pw', watermarks: [{ type: 'text', text: 'DRAFT' }] }) });
      await s.metadata.insertSession(single);
      assert.equal(await s.metadata.claimSlot('single', 'source'), 'claimed');
      await s.metadata.fillSlot('single', 'source', source);
      await s.metadata.insertSession(session('stopped'));
      await s.metadata.setSessionState('stopped', 'stopped', 418, 'Gone fishing');
      await s.metadata.setSessionExpiry('stopped', T + 42);
      await s.metadata.insertSession(session('mid-upload'));
      assert.equal(await s.metadata.claimSlot('mid-upload', 'original'), 'claimed');
      const wf = workFile('wf', ref.hash, { size: ref.size, format: 'docx', extension: 'docx' });
      await s.metadata.insertWorkFile(wf);
      await s.metadata.recordBlob({ hash: fakeHash('free'), size: 3 }, T);
      await s.metadata.setSetting('affinityToken', 'tok');

      const r = await sut.reopen();
      assert.deepEqual(await r.metadata.getSession('single'), { ...single, mode: 'single', slots: { source } });
      const stopped = await r.metadata.getSession('stopped');
      assert.deepEqual([stopped?.state, stopped?.stopStatus, stopped?.stopMessage, stopped?.expiresAt], ['stopped', 418, 'Gone fishing', T + 42]);
      assert.deepEqual((await r.metadata.getSession('mid-upload'))?.slots, { original: 'claimed' }, 'claims are kept until releaseAllClaims');
      assert.ok((await r.metadata.releaseAllClaims()) >= 1);
      assert.deepEqual((await r.metadata.getSession('mid-upload'))?.slots, {});
      assert.deepEqual(await r.metadata.getWorkFile('wf'), wf);
      assert.equal(await r.metadata.getSetting('affinityToken'), 'tok');
      assert.deepEqual(await r.metadata.unreferencedBlobs(T + 1), [fakeHash('free')]);
      assert.equal(await r.blobs.exists(ref.hash), true);
      await r.blobs.recover();
      assert.ok((await readAll(r.blobs.open(ref.hash))).equals(bytes));
    }));

    // A misspelt title would silently run a known-bad test as a normal one, or hide that it vanished.
    nodeTest('every known bug names a test of the contract', () => assert.deepEqual([...known.keys(), ...disruptive.keys()], []));
  });
}
