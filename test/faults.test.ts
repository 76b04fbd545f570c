// Faults injected into a real Quire, observed over HTTP: a LibreOffice instance killed mid-conversion,
// Quire itself SIGKILLed during uploads and conversions, a full disk, documents that make an engine
// spin past the job time limit. Each must end in a clear JSON answer or a retry, never in a hang, a
// half-written file, a stuck session or an engine process left running.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { call, startQuire, type Quire } from './helpers/quire.ts';
import { DOCX, DOCX2, PDF, PPTX, V1, XLSX, bytesOf, createSession, createWorkFile, uploadSource } from './helpers/prizmdoc.ts';
import {
  assertBlobsIntact,
  assertRenditionsWhole,
  descendants,
  enginesBelow,
  pagedDocx,
  partialUpload,
  proc,
  running,
  xobjectBombPdf,
  type Proc,
} from './helpers/faults.ts';
import { until } from './helpers/wait.ts';

const WF = '/PCCIS/V1/WorkFile';
const page = (id: string, n = 0, type = 'svgb') => `/PCCIS/V1/Page/q/${n}?DocumentID=u${id}&ContentType=${type}`;
const nonce = () => randomBytes(6).toString('hex');
const SOFFICE = /^soffice/;
const POPPLER = /^(pdftocairo|pdftoppm|pdftotext|pdfinfo|qpdf)$/;
/** CPU a LibreOffice must have spent on a job before we call it "converting" (clock ticks, 1/100 s). */
const BUSY_TICKS = 20;

/** A 200 SVG page. */
function assertSvgPage(r: { status: number; headers: Headers; bytes: Buffer }, what: string): void {
  assert.equal(r.status, 200, `${what}: ${r.status} ${r.bytes.subarray(0, 300).toString('utf8')}`);
  assert.match(r.headers.get('content-type') ?? '', /image\/svg\+xml/, what);
  assert.match(r.bytes.toString('utf8').trimEnd(), /<\/svg>$/, `${what}: a whole SVG`);
}

/** A 200 download carrying exactly `bytes`. */
async function assertDownload(q: Quire, path: string, bytes: Uint8Array, what: string): Promise<void> {
  const r = await call(q, 'GET', path);
  assert.equal(r.status, 200, `${what}: ${r.status} ${r.bytes.subarray(0, 300).toString('utf8')}`);
  assert.ok(r.bytes.equals(bytes), `${what}: the bytes differ (${r.bytes.length} vs ${bytes.length})`);
}

/** A JSON 580 with an errorCode (one of `codes` when given). */
function assert580(r: { status: number; headers: Headers; body: any }, codes?: string[]): void {
  assert.equal(r.status, 580, `expected 580, got ${r.status} ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(typeof r.body?.errorCode, 'string', JSON.stringify(r.body));
  if (codes) assert.ok(codes.includes(r.body.errorCode), `errorCode ${r.body.errorCode}, expected one of ${codes.join(', ')}`);
}

/** The number of LibreOffice instances the pool has started so far (its "started" log events). */
const instanceStarts = (q: Quire) => q.output().split('"type":"started"').length - 1;

/** Waits until a LibreOffice instance is up and returns its soffice process. */
async function readySoffice(q: Quire, starts: number): Promise<Proc> {
  await until(`LibreOffice instance #${starts} to start`, () => instanceStarts(q) >= starts);
  return until('its soffice process', () => enginesBelow(q.process.pid!, SOFFICE)[0]);
}

/** Waits until `p` has spent BUSY_TICKS of CPU beyond `from`: it is converting. */
async function busy(p: Proc, from = p.cpu, stillPending?: () => boolean): Promise<void> {
  await until(`soffice ${p.pid} to be converting`, () => {
    if (stillPending && !stillPending()) assert.fail('the conversion finished before the fault could be injected');
    return (proc(p.pid)?.cpu ?? 0) >= from + BUSY_TICKS;
  }, 60_000, 20);
}

function tracked<T>(p: Promise<T>): { promise: Promise<T>; pending: () => boolean } {
  let settled = false;
  void p.finally(() => (settled = true)).catch(() => {});
  return { promise: p, pending: () => !settled };
}

/**
 * SIGKILLs every LibreOffice of this Quire once it is converting, until `pending` turns false; returns
 * the processes killed. An instance counts as converting once it has used BUSY_TICKS of CPU after the
 * pool reported it started (its own start-up is not a conversion).
 */
async function killBusySoffices(q: Quire, pending: () => boolean, max = Infinity): Promise<Proc[]> {
  const killed: Proc[] = [];
  const readyAt = instanceStarts(q); // the instance now running has started
  const baseline = new Map<number, number>();
  while (pending() && killed.length < max) {
    if (instanceStarts(q) >= readyAt + killed.length) {
      for (const p of enginesBelow(q.process.pid!, SOFFICE)) {
        if (killed.some((k) => k.pid === p.pid)) continue;
        if (!baseline.has(p.pid)) baseline.set(p.pid, p.cpu);
        else if (p.cpu >= baseline.get(p.pid)! + BUSY_TICKS) {
          process.kill(p.pid, 'SIGKILL');
          killed.push(p);
        }
      }
    }
    await sleep(20);
  }
  return killed;
}

describe('a LibreOffice instance killed in the middle of a conversion', () => {
  let q: Quire;
  before(async () => (q = await startQuire({ env: { QUIRE_OFFICE_INSTANCES: '1', QUIRE_JOB_TIMEOUT_SECONDS: '120' } })));
  after(async () => q?.dispose());

  test('the page request is retried on a fresh instance or answers 580 JSON, and the pool heals', async () => {
    const quire = q.process.pid!;
    await readySoffice(q, 1);
    // The last page: it needs the whole document converted (no head start from the first pages).
    const PAGES = 200;

    // Killed once: the lost job is retried on the replacement instance and the page arrives.
    const a = await createSession(q);
    assert.equal((await uploadSource(q, a, pagedDocx(PAGES, nonce()))).status, 200);
    const pa = tracked(call(q, 'GET', page(a, PAGES - 1)));
    const once = await killBusySoffices(q, pa.pending, 1);
    assert.equal(once.length, 1, 'a soffice was killed while converting');
    // The pool retries a job lost to a dying instance once, so one kill never reaches the reader.
    assertSvgPage(await pa.promise, 'the last page after one kill');

    // Killed under every run: the request gives up with a JSON 580, it does not hang.
    const b = await createSession(q);
    assert.equal((await uploadSource(q, b, pagedDocx(PAGES, nonce()))).status, 200);
    const pb = tracked(call(q, 'GET', page(b, PAGES - 1)));
    const every = await killBusySoffices(q, pb.pending);
    assert.ok(every.length >= 2, `killed ${every.length}`);
    const rb = await pb.promise;
    assert580(rb, ['EngineCrashed']);
    assert.match(rb.headers.get('accusoft-status-message') ?? '', /./);

    // Healed: other documents convert, one instance runs, no killed soffice is left.
    for (const [bytes, ext] of [
      [pagedDocx(3, nonce()), 'docx'],
      [bytesOf(PPTX), 'pptx'],
      [bytesOf(XLSX), 'xlsx'],
    ] as const) {
      const id = await createSession(q);
      assert.equal((await uploadSource(q, id, bytes, { ext })).status, 200);
      assertSvgPage(await call(q, 'GET', page(id)), `a ${ext} after the kills`);
    }
    // The document whose conversion failed converts when asked again.
    assertSvgPage(await call(q, 'GET', page(b, PAGES - 1)), 'the failed document, asked again');
    for (const p of [...once, ...every]) assert.ok(!running(p.pid), `killed soffice ${p.pid} is not running`);
    assert.equal(enginesBelow(quire, SOFFICE).length, 1, 'one LibreOffice instance, as configured');
  });
});

describe('Quire SIGKILLed during uploads and conversions', () => {
  let q: Quire;
  before(async () => (q = await startQuire({ env: { QUIRE_OFFICE_INSTANCES: '1', QUIRE_JOB_TIMEOUT_SECONDS: '120' } })));
  after(async () => q?.dispose());

  test('after a restart on the same data folder: nothing lost, nothing partial, nothing left running', async () => {
    const docx = bytesOf(DOCX);
    const pdf = bytesOf(PDF);
    // Finished before the crash.
    const done = await createSession(q);
    assert.equal((await uploadSource(q, done, docx)).status, 200);
    assertSvgPage(await call(q, 'GET', page(done)), 'page 0 before the crash');
    assert.equal((await call(q, 'GET', page(done, 0, 'png'))).status, 200);
    const wf = await createWorkFile(q, pdf);
    const soffice = await readySoffice(q, 1);

    // In flight at the crash: a LibreOffice conversion, a poppler rendering that would take hours,
    // three session uploads and a work-file upload, each partly sent.
    const converting = await createSession(q);
    assert.equal((await uploadSource(q, converting, pagedDocx(200, nonce()))).status, 200);
    const idleCpu = proc(soffice.pid)!.cpu;
    const pc = tracked(call(q, 'GET', page(converting)));
    const spinning = await createSession(q);
    assert.equal((await uploadSource(q, spinning, xobjectBombPdf())).status, 200);
    const ps = tracked(call(q, 'GET', page(spinning)));
    const cut = await Promise.all([1, 2, 3].map(() => createSession(q)));
    const uploads = await Promise.all([
      ...cut.map((id, i) => partialUpload(q.baseUrl, 'PUT', `${V1}/u${id}/SourceFile?FileExtension=txt`, 16 << 20, (i + 1) << 20, 0x61 + i)),
      partialUpload(q.baseUrl, 'POST', `${WF}?FileExtension=txt`, 16 << 20, 2 << 20),
    ]);
    const tmp = join(q.dataDir, 'tmp');
    await until('the four partial uploads to be in tmp/', () => readdirSync(tmp).filter((f) => statSync(join(tmp, f)).size > 0).length === 4);
    await until('pdftocairo to be drawing the page', () => enginesBelow(q.process.pid!, /^pdftocairo$/).length === 1);
    await busy(soffice, idleCpu, pc.pending);
    const engines = descendants(q.process.pid!);
    assert.ok(engines.some((p) => SOFFICE.test(p.comm)) && engines.some((p) => POPPLER.test(p.comm)), JSON.stringify(engines));
    const blobsBefore = assertBlobsIntact(q.dataDir);

    q = await q.restart({ kill: true });

    for (const u of uploads) assert.match(await u.outcome, /^error /, 'the client saw the crash');
    assert.equal((await pc.promise.catch((e: Error) => e)) instanceof Error, true);
    assert.equal((await ps.promise.catch((e: Error) => e)) instanceof Error, true);
    // No engine outlives the process that started it (they would run, unsupervised, for ever).
    await until('every engine of the killed Quire to be gone', () => engines.every((p) => !running(p.pid)), 10_000).catch(() => {
      const left = engines.filter((p) => running(p.pid));
      for (const p of left) process.kill(p.pid, 'SIGKILL'); // not to leave them behind
      assert.fail(`engines still running after the crash: ${left.map((p) => `${p.pid} ${p.comm}`).join(', ')}`);
    });

    // Incomplete uploads left nothing visible: tmp/ emptied, no new or damaged blob, the slots free.
    assert.deepEqual(readdirSync(tmp), []);
    assert.equal(assertBlobsIntact(q.dataDir), blobsBefore, 'no blob came from a partial upload');
    for (const [i, id] of cut.entries()) {
      const got = await call(q, 'GET', `${V1}/u${id}/SourceFile`);
      assert.equal(got.status, 480);
      assert.equal(got.body.errorCode, 'DocumentNotProvidedYet');
      const fresh = pagedDocx(1 + i, nonce());
      assert.equal((await uploadSource(q, id, fresh)).status, 200, 'the cut upload released its slot');
      await assertDownload(q, `${V1}/u${id}/SourceFile`, fresh, 'the new upload of a cut session');
    }

    // Completed work is intact and byte-identical.
    await assertDownload(q, `${V1}/u${done}/SourceFile`, docx, 'a session completed before the crash');
    await assertDownload(q, `${WF}/${wf.fileId}`, pdf, 'a work file completed before the crash');
    assertSvgPage(await call(q, 'GET', page(done)), 'the cached page after the crash');

    // The interrupted conversion completes when its pages are asked for; every rendition on disk is whole.
    assertSvgPage(await call(q, 'GET', page(converting, 199)), 'the last page of the interrupted conversion, after the restart');
    assertSvgPage(await call(q, 'GET', page(converting)), 'page 0 of the interrupted conversion, after the restart');
    assert.equal((await call(q, 'GET', page(converting, 1, 'png'))).status, 200);
    assert.ok((await assertRenditionsWhole(q.dataDir)) >= 6);
    assertBlobsIntact(q.dataDir);
  });
});

/** A small file system mounted on `dir`: tmpfs, else a loop-mounted ext4 image. Throws when neither mounts. */
function mountSmall(dir: string, mb: number): { kind: string; unmount: () => void } {
  const errors: string[] = [];
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m,mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
    return { kind: 'tmpfs', unmount: () => umount(dir) };
  } catch (e) {
    errors.push(`tmpfs: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`);
  }
  const image = `${dir}.img`;
  try {
    execFileSync('truncate', ['-s', `${mb}M`, image]);
    execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', image], { stdio: 'pipe' });
    execFileSync('mount', ['-o', 'loop', image, dir], { stdio: 'pipe' });
    return {
      kind: 'ext4 on a loop device',
      unmount: () => {
        umount(dir);
        rmSync(image, { force: true });
      },
    };
  } catch (e) {
    rmSync(image, { force: true });
    errors.push(`loop ext4: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`);
  }
  throw new Error(errors.join('; '));
}

function umount(dir: string): void {
  for (let i = 0; ; i++) {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      return;
    } catch (e) {
      if (i >= 20) throw e;
      execFileSync('sleep', ['0.25']); // a process may still be letting go of the folder
    }
  }
}

const freeBytes = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

/** Appends to `file` until the disk is full, or until only `leave` bytes are free. */
function fill(file: string, leave = 0): void {
  const fd = openSync(file, 'a');
  try {
    for (const size of [1 << 20, 4096]) {
      const buf = Buffer.alloc(size, 0x46);
      for (;;) {
        const free = freeBytes(join(file, '..'));
        if (free <= leave || (leave > 0 && free - leave < size)) break;
        try {
          writeSync(fd, buf);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw e;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe('a full disk', () => {
  let mountPoint: string | undefined;
  let mount: { kind: string; unmount: () => void } | undefined;
  let unavailable: string | undefined = process.getuid?.() === 0 ? undefined : 'needs root to mount a small file system as the data folder';
  let q: Quire | undefined;
  // Mounted in a hook, not when the file loads: a run filtered to other tests mounts nothing.
  before(() => {
    if (unavailable) return;
    mountPoint = mkdtempSync(join(tmpdir(), 'quire-full-disk-'));
    try {
      mount = mountSmall(mountPoint, 24);
    } catch (e) {
      unavailable = `could not mount a small file system (${(e as Error).message})`;
    }
  });
  after(async () => {
    await q?.stop();
    mount?.unmount();
    if (mountPoint) rmSync(mountPoint, { recursive: true, force: true });
  });

  test('uploads past the free space answer 507 StorageFull, nothing is damaged, reads go on, and freeing space heals', async (t) => {
    if (unavailable || !mountPoint) return t.skip(unavailable);
    // A short session lifetime: a use of `existing` 7.5 s (a quarter lifetime) after its last use also
    // writes its sliding expiry. The sessions that wait for space get a long one (minSecondsAvailable).
    q = await startQuire({ dataDir: mountPoint, env: { QUIRE_OFFICE_INSTANCES: '1', QUIRE_SESSION_LIFETIME_SECONDS: '30' } });
    const docx = bytesOf(DOCX);
    const pdf = bytesOf(PDF);
    const existing = await createSession(q);
    assert.equal((await uploadSource(q, existing, docx)).status, 200);
    assertSvgPage(await call(q, 'GET', page(existing)), 'page 0 before the disk fills');
    const lastUse = Date.now();
    const wf = await createWorkFile(q, pdf);
    const tooBig = await createSession(q, { serverCaching: 'none', minSecondsAvailable: 600 });
    const later = await createSession(q, { serverCaching: 'none', minSecondsAvailable: 600 });
    const blobsBefore = assertBlobsIntact(q.dataDir);
    const filler = join(mountPoint, 'filler');

    // 2 MiB left: a 6 MiB upload runs out of room half way.
    fill(filler, 2 << 20);
    const big = Buffer.alloc(6 << 20, 0x42);
    for (const r of [await uploadSource(q, tooBig, big, { ext: 'txt' }), await call(q, 'POST', `${WF}?FileExtension=txt`, { body: big })]) {
      assert.equal(r.status, 507, `expected 507, got ${r.status} ${JSON.stringify(r.body)}`);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(r.body.errorCode, 'StorageFull');
    }
    assert.deepEqual(readdirSync(join(mountPoint, 'tmp')), [], 'the partial upload was removed');
    assert.equal(assertBlobsIntact(q.dataDir), blobsBefore, 'no partial blob');

    // Completely full: writes answer 507 JSON, never 500; reads go on (the sliding-expiry write they
    // would make is skipped), and uncached pages are drawn and served without being cached.
    fill(filler);
    await sleep(lastUse + 7600 - Date.now()); // past a quarter lifetime: the next use slides the expiry
    const created = await call(q, 'POST', V1, { json: {} });
    assert.equal(created.status, 507, `create on a full disk: ${created.status} ${JSON.stringify(created.body)}`);
    assert.equal(created.body.errorCode, 'StorageFull');
    const small = await uploadSource(q, later, docx);
    assert.equal(small.status, 507, `small upload on a full disk: ${small.status} ${JSON.stringify(small.body)}`);
    await assertDownload(q, `${V1}/u${existing}/SourceFile`, docx, 'a session source on a full disk');
    await assertDownload(q, `${WF}/${wf.fileId}`, pdf, 'a work file on a full disk');
    assert.equal((await call(q, 'GET', `${V1}/u${existing}`)).status, 200);
    assertSvgPage(await call(q, 'GET', page(existing)), 'the cached page on a full disk');
    const png = await call(q, 'GET', page(existing, 0, 'png'));
    assert.equal(png.status, 200, `an uncached page on a full disk: ${png.status} ${JSON.stringify(png.body)}`);
    assert.ok((await sharp(png.bytes).metadata()).width! > 0);
    const text = await call(q, 'GET', `/PCCIS/V1/Document/q/0-0/Text?DocumentID=u${existing}`);
    assert.equal(text.status, 200, `page text on a full disk: ${text.status} ${JSON.stringify(text.body)}`);
    assert.ok(text.body.pages?.[0]?.text?.length > 0, JSON.stringify(text.body).slice(0, 300));
    assert.deepEqual(readdirSync(join(mountPoint, 'tmp')), []);
    assert.equal(assertBlobsIntact(q.dataDir), blobsBefore);
    await assertRenditionsWhole(q.dataDir);

    // Space freed: the sessions whose uploads failed take their documents, and they render.
    rmSync(filler);
    for (const [id, bytes] of [
      [tooBig, pagedDocx(2, nonce())],
      [later, docx],
    ] as const) {
      assert.equal((await uploadSource(q, id, bytes)).status, 200, 'the failed upload released its slot');
      await assertDownload(q, `${V1}/u${id}/SourceFile`, bytes, 'an upload after space was freed');
      assertSvgPage(await call(q, 'GET', page(id)), 'a page after space was freed');
    }
    const fresh = await createSession(q);
    assert.equal((await uploadSource(q, fresh, pagedDocx(3, nonce()))).status, 200);
    assertSvgPage(await call(q, 'GET', page(fresh, 2)), 'a new session after space was freed');
    await assertDownload(q, `${WF}/${(await createWorkFile(q, big, { ext: 'txt' })).fileId}`, big, 'a 6 MiB work file after space was freed');
    assertBlobsIntact(q.dataDir);
    await assertRenditionsWhole(q.dataDir);
  });
});

describe('an engine that would spin for ever', () => {
  const TIMEOUT_S = 3;
  /** Time allowed beyond the job limit for the answer: a busy machine, the engine's kill. */
  const MARGIN_MS = 7000;
  let q: Quire;
  // Two instances: a long document's first pages are exported beside the whole (renderer.ts), and each
  // job has the time limit; on one instance they would run one after the other.
  before(async () => (q = await startQuire({ env: { QUIRE_OFFICE_INSTANCES: '2', QUIRE_JOB_TIMEOUT_SECONDS: String(TIMEOUT_S) } })));
  after(async () => q?.dispose());

  /** Requests `path` and asserts a JSON 580 within the time limit plus the margin; returns the engines that ran. */
  async function timesOut(path: string, engine: RegExp, codes: string[]): Promise<Proc[]> {
    const quire = q.process.pid!;
    const seen = new Map<number, Proc>();
    const t0 = performance.now();
    const req = tracked(call(q, 'GET', path));
    while (req.pending()) {
      // Engines seen well before the limit worked on this request (a replacement starts after it).
      if (performance.now() - t0 < TIMEOUT_S * 1000 - 300) for (const p of enginesBelow(quire, engine)) seen.set(p.pid, p);
      await sleep(50);
    }
    const r = await req.promise;
    const ms = performance.now() - t0;
    assert580(r, codes);
    assert.ok(ms >= TIMEOUT_S * 1000 - 250, `answered after ${ms.toFixed(0)} ms: before the time limit?`);
    assert.ok(ms <= TIMEOUT_S * 1000 + MARGIN_MS, `answered after ${ms.toFixed(0)} ms, limit ${TIMEOUT_S} s`);
    assert.ok(seen.size > 0, 'the engine ran');
    // Stopped, not abandoned: none of the engines that worked on it is still running.
    await until('the timed-out engines to be gone', () => [...seen.values()].every((p) => !running(p.pid)), 5000);
    return [...seen.values()];
  }

  test('a PDF page that would draw for hours: 580 at the job time limit, poppler killed, the next PDF renders', async () => {
    const id = await createSession(q);
    assert.equal((await uploadSource(q, id, xobjectBombPdf())).status, 200);
    const svg = await timesOut(page(id), POPPLER, ['CouldNotRender']);
    assert.ok(svg.some((p) => p.comm === 'pdftocairo'));
    const png = await timesOut(page(id, 0, 'png'), POPPLER, ['CouldNotRender']);
    assert.ok(png.some((p) => p.comm === 'pdftoppm'));
    assert.deepEqual(enginesBelow(q.process.pid!, POPPLER), []);
    const ok = await createSession(q);
    assert.equal((await uploadSource(q, ok, bytesOf(PDF))).status, 200);
    assertSvgPage(await call(q, 'GET', page(ok)), 'a normal PDF afterwards');
  });

  test('a DOCX of 20,000 pages: 580 ConversionTimedOut at the job time limit, soffice killed, the pool still converts', async () => {
    await until('both LibreOffice instances to start', () => instanceStarts(q) >= 2);
    const id = await createSession(q);
    assert.equal((await uploadSource(q, id, pagedDocx(20_000, nonce(), 1))).status, 200);
    const killed = await timesOut(page(id), SOFFICE, ['ConversionTimedOut']);
    assert.ok(killed.length >= 1);
    const ok = await createSession(q);
    assert.equal((await uploadSource(q, ok, bytesOf(DOCX2))).status, 200);
    assertSvgPage(await call(q, 'GET', page(ok)), 'a normal DOCX afterwards');
    await until('the pool to be back at two instances', () => enginesBelow(q.process.pid!, SOFFICE).length === 2 || undefined, 30_000);
  });
});
