// The LibreOffice engine against real LibreOffice: corpus conversions, passwords, damaged input, crash
// and hang supervision, back-pressure, clean shutdown, and warm-vs-spawn timing (logged, not asserted).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import yauzl from 'yauzl';
import { QuireError } from '../src/domain/errors.ts';
import { createLibreOfficePool, type ConvertOptions, type LibreOfficePool, type LibreOfficePoolOptions } from '../src/engines/libreoffice/pool.ts';
import { runGroup } from '../src/process/process-group.ts';

const CORPUS = resolve(import.meta.dirname, '../../shared/corpus');
/** A small, quick DOCX: the "is the pool still fine" job. */
const SMALL_DOCX = join(CORPUS, 'docx/pydocx-test.docx');
const work = mkdtempSync(join(tmpdir(), 'quire-lo-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

function pdfPages(path: string): number {
  assert.equal(readFileSync(path).subarray(0, 5).toString('latin1'), '%PDF-', `${path} is not a PDF`);
  const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  const pages = /^Pages:\s+(\d+)/m.exec(info)?.[1];
  assert.ok(pages, `pdfinfo found no page count in ${path}`);
  return Number(pages);
}

const pdfText = (path: string) => execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });

function zipEntries(path: string): Promise<string[]> {
  return new Promise((res, rej) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) return rej(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => res(names));
      zip.on('error', rej);
      zip.readEntry();
    });
  });
}

async function rejectsWith(p: Promise<unknown>, kind: string, code: string): Promise<QuireError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof QuireError, `expected a QuireError, got ${String(e)}`);
    assert.equal(e.kind, kind, `${e.code}: ${e.message}`);
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected ${code}`);
}

const pgrep = (pattern: string): string[] => {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
};

/** HTML with `pages` page-broken sections of body text, for LibreOffice to turn into a DOCX. */
function pagedHtml(pages: number, paragraphsPerPage = 6): string {
  const para = 'Quire renders office documents to pages. The quick brown fox jumps over the lazy dog. '.repeat(6);
  const sections = Array.from({ length: pages }, (_, i) => {
    const br = i === 0 ? '' : ' style="page-break-before: always"';
    return `<h1${br}>Section ${i + 1}</h1>` + `<p>${para}</p>`.repeat(paragraphsPerPage);
  });
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>${sections.join('\n')}</body></html>`;
}

/** A DOCX made by the pool itself from generated HTML (nothing downloaded). */
async function makeDocx(pool: LibreOfficePool, name: string, pages: number, paragraphsPerPage?: number): Promise<string> {
  const html = join(work, `${name}.html`);
  const docx = join(work, `${name}.docx`);
  writeFileSync(html, pagedHtml(pages, paragraphsPerPage));
  await pool.convert(html, docx, { format: 'docx', inputExtension: 'html' });
  return docx;
}

/** Converts a DOCX to a PDF named `name` in the work folder and returns its path. */
async function docxToPdf(pool: LibreOfficePool, input: string, name: string, opts: Partial<ConvertOptions> = {}): Promise<string> {
  const out = join(work, name);
  await pool.convert(input, out, { format: 'pdf', inputExtension: 'docx', ...opts });
  return out;
}

/** Runs `fn` on a pool of its own (warmed up first unless `warm` is false), closed whatever happens. */
async function withPool(options: LibreOfficePoolOptions, fn: (pool: LibreOfficePool) => Promise<void>, { warm = true } = {}): Promise<void> {
  const pool = createLibreOfficePool(options);
  try {
    if (warm) await pool.warmUp();
    await fn(pool);
  } finally {
    await pool.close();
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a warm pool', () => {
  let pool: LibreOfficePool;
  before(async () => {
    pool = createLibreOfficePool({ size: 2, profileRoot: join(work, 'profiles-main') });
  });
  after(async () => pool.close());

  test('the first conversion pays for one instance start, not all of them', async () => {
    assert.ok(pdfPages(await docxToPdf(pool, SMALL_DOCX, 'first.pdf')) >= 1);
    const s = await pool.stats();
    assert.equal(s.starts, 1);
  });

  for (const dir of ['docx', 'pptx', 'xlsx']) {
    test(`every ${dir} in the corpus converts to a valid PDF with a plausible page count`, async () => {
      const files = readdirSync(join(CORPUS, dir)).filter((f) => f.endsWith(`.${dir}`));
      assert.ok(files.length > 0);
      await Promise.all(
        files.map(async (f) => {
          const out = join(work, `${f}.pdf`);
          await pool.convert(join(CORPUS, dir, f), out, { format: 'pdf', inputExtension: dir });
          const pages = pdfPages(out);
          if (dir === 'pptx') {
            // One page per slide, counted independently from the package.
            const slides = (await zipEntries(join(CORPUS, dir, f))).filter((n) => /^ppt\/slides\/slide\d+\.xml$/.test(n)).length;
            assert.equal(pages, slides, f);
          } else {
            assert.ok(pages >= 1 && pages <= 40, `${f}: ${pages} pages`);
          }
        }),
      );
      // Including the documents with comments, which abort a -nogui LibreOffice driven naively.
      assert.equal((await pool.stats()).crashes, 0);
    });
  }

  test('a generated 10-page DOCX has 10 pages, and its words', async () => {
    const docx = await makeDocx(pool, 'ten', 10);
    const out = await docxToPdf(pool, docx, 'ten.pdf');
    assert.equal(pdfPages(out), 10);
    assert.match(pdfText(out), /Section 10/);
  });

  test('other outputs: odt, rtf, html, txt', async () => {
    const input = SMALL_DOCX;
    for (const format of ['odt', 'rtf', 'html', 'txt', 'docx']) {
      const out = join(work, `out.${format}`);
      await pool.convert(input, out, { format, inputExtension: 'docx' });
      assert.ok(readFileSync(out).length > 0, format);
    }
    assert.ok((await zipEntries(join(work, 'out.odt'))).includes('content.xml'));
    assert.match(readFileSync(join(work, 'out.rtf'), 'latin1'), /^\{\\rtf1/);
    assert.match(readFileSync(join(work, 'out.html'), 'utf8'), /<html/i);
  });

  test('text inputs are read as UTF-8 with the filter their extension names', async () => {
    const csv = join(work, 'cities.csv');
    writeFileSync(csv, 'name,city\nÅsa,Göteborg\n"Smith, J",Paris\n');
    await pool.convert(csv, join(work, 'cities.pdf'), { format: 'pdf', inputExtension: 'csv' });
    const csvText = pdfText(join(work, 'cities.pdf'));
    assert.match(csvText, /Göteborg/);
    assert.match(csvText, /Smith, J/); // the quoted comma stayed in its cell

    const txt = join(work, 'greeting.txt');
    writeFileSync(txt, 'Grüße aus Köln — plain text\nsecond line\n');
    await pool.convert(txt, join(work, 'greeting.pdf'), { format: 'pdf', inputExtension: 'txt' });
    assert.match(pdfText(join(work, 'greeting.pdf')), /Grüße aus Köln — plain text/);
  });

  test('HTML fetches nothing: no remote images, style sheets, frames; no local files', async () => {
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const secret = join(work, 'secret.txt');
    writeFileSync(secret, 'TOPSECRET-LOCAL-FILE');
    const html = join(work, 'remote.html');
    writeFileSync(
      html,
      `<html><head><link rel="stylesheet" href="${base}/style.css"></head><body><h1>Hello remote</h1>
       <img src="${base}/img.png"><img src="file://${secret}"><iframe src="file://${secret}"></iframe>
       <iframe src="${base}/frame.html"></iframe><object data="${base}/object"></object><embed src="${base}/embed">
       <script>document.write('SCRIPT-RAN')</script></body></html>`,
    );
    try {
      await pool.convert(html, join(work, 'remote.pdf'), { format: 'pdf', inputExtension: 'html' });
      await new Promise((r) => setTimeout(r, 300)); // let any late fetch arrive
    } finally {
      server.close();
    }
    const text = pdfText(join(work, 'remote.pdf'));
    assert.match(text, /Hello remote/);
    assert.doesNotMatch(text, /TOPSECRET|SCRIPT-RAN/);
    assert.deepEqual(hits, []);
  });

  test('a protected document: no or wrong password → DocumentRequiresPassword; right one converts', async () => {
    // LibreOffice 7.4 cannot encrypt OOXML, so the protected file is an ODT it encrypts itself.
    const odt = join(work, 'protected.odt');
    await pool.convert(SMALL_DOCX, odt, { format: 'odt', inputExtension: 'docx', outputPassword: 'sesame' });
    const out = join(work, 'protected.pdf');
    const e = await rejectsWith(pool.convert(odt, out, { format: 'pdf', inputExtension: 'odt' }), 'input', 'DocumentRequiresPassword');
    assert.equal(e.message, 'Document requires a password');
    await rejectsWith(pool.convert(odt, out, { format: 'pdf', inputExtension: 'odt', password: 'wrong' }), 'input', 'DocumentRequiresPassword');
    await pool.convert(odt, out, { format: 'pdf', inputExtension: 'odt', password: 'sesame' });
    assert.ok(pdfPages(out) >= 1);
  });

  test('random bytes and a truncated DOCX fail quickly with CouldNotConvert (LibreOffice\'s detail kept as cause)', async () => {
    const random = join(work, 'random.docx');
    writeFileSync(random, Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919 + (i >> 3) * 104729) & 0xff)));
    let started = performance.now();
    const e = await rejectsWith(docxToPdf(pool, random, 'bad.pdf'), 'processing', 'CouldNotConvert');
    assert.ok(performance.now() - started < 10_000);
    assert.ok(e.cause, 'the worker detail is kept for the log');
    // A ZIP whose directory cannot be read never reaches LibreOffice: what it would inflate cannot be judged.
    const truncated = join(work, 'truncated.docx');
    writeFileSync(truncated, readFileSync(SMALL_DOCX).subarray(0, 3000));
    started = performance.now();
    const t = await rejectsWith(docxToPdf(pool, truncated, 'bad.pdf'), 'processing', 'CouldNotConvert');
    assert.match(t.message, /ZIP directory cannot be read/);
    assert.ok(performance.now() - started < 1000);
    // And the pool is still fine.
    await docxToPdf(pool, join(CORPUS, 'docx/mammoth-tables.docx'), 'after-bad.pdf');
  });

  test('an unknown output format is refused before reaching LibreOffice', async () => {
    await rejectsWith(pool.convert(SMALL_DOCX, join(work, 'x.bin'), { format: 'exe' }), 'internal', 'UnsupportedOutputFormat');
  });
});

describe('supervision', () => {
  let big: string;
  before(async () => {
    // A document slow enough to be interrupted: ~150 dense pages.
    await withPool({ size: 1 }, async (maker) => void (big = await makeDocx(maker, 'big', 150, 10)), { warm: false });
  });

  test('kill -9 of soffice mid-conversion: the job is retried once on a fresh instance, the pool heals', () =>
    withPool({ size: 1 }, async (pool) => {
      const [victim] = (await pool.stats()).instances;
      const job = docxToPdf(pool, big, 'crash.pdf');
      await new Promise((r) => setTimeout(r, 300));
      process.kill(victim!.sofficePid, 'SIGKILL');
      try {
        assert.ok(pdfPages(await job) > 100); // the retry succeeded
      } catch (e) {
        assert.ok(e instanceof QuireError && e.kind === 'processing', String(e));
      }
      const s = await pool.stats();
      assert.equal(s.crashes, 1);
      assert.equal(s.retries, 1);
      assert.notEqual(s.instances[0]?.sofficePid, victim!.sofficePid);
      assert.ok(pdfPages(await docxToPdf(pool, SMALL_DOCX, 'healed.pdf')) >= 1);
    }));

  test('a job whose retry also crashes fails with EngineCrashed', () =>
    withPool({ size: 1 }, async (pool) => {
      const first = (await pool.stats()).instances[0]!.sofficePid;
      const job = docxToPdf(pool, big, 'crash2.pdf');
      job.catch(() => {}); // observed below
      await new Promise((r) => setTimeout(r, 300));
      process.kill(first, 'SIGKILL');
      // Wait for the retry to be running on the replacement, then kill that too.
      let second = 0;
      await until('the retry to run on a new instance', async () => {
        const s = await pool.stats();
        second = s.instances[0]?.sofficePid ?? 0;
        return second !== 0 && second !== first && s.running === 1;
      });
      await new Promise((r) => setTimeout(r, 300));
      process.kill(second, 'SIGKILL');
      await rejectsWith(job, 'processing', 'EngineCrashed');
      await docxToPdf(pool, SMALL_DOCX, 'healed2.pdf');
    }));

  test('a job over its timeout fails with ConversionTimedOut and its instance is restarted', () =>
    withPool({ size: 1, jobTimeoutMs: 150 }, async (pool) => {
      const before = (await pool.stats()).instances[0]!;
      const started = performance.now();
      await rejectsWith(docxToPdf(pool, big, 'slow.pdf'), 'processing', 'ConversionTimedOut');
      assert.ok(performance.now() - started < 2000, 'answered at the timeout, not when LibreOffice finished');
      await until('the old soffice to be gone (and reaped)', async () => !existsSync(`/proc/${before.sofficePid}`));
      // Small jobs still fit in the tiny timeout once the replacement is warm; give this one room.
      await docxToPdf(pool, SMALL_DOCX, 'after-timeout.pdf', { timeoutMs: 30_000 });
      const s = await pool.stats();
      assert.equal(s.timeouts, 1);
      assert.notEqual(s.instances[0]!.sofficePid, before.sofficePid);
      assert.equal(s.slots[0]!.starts, 2);
    }));

  test('an instance growing past hardRssMb during a job is killed: the job fails with CouldNotConvert, the pool heals', () =>
    // Any soffice is above 50 MiB once it has a document open: the watchdog must stop it mid-job.
    withPool({ size: 1, hardRssMb: 50 }, async (pool) => {
      const before = (await pool.stats()).instances[0]!;
      const e = await rejectsWith(docxToPdf(pool, big, 'hungry.pdf'), 'processing', 'CouldNotConvert');
      assert.match(e.message, /more than 50 MiB/);
      await until('the hungry soffice to be gone', async () => !existsSync(`/proc/${before.sofficePid}`));
      await until('a replacement instance', async () => {
        const s = await pool.stats();
        return s.instances.length === 1 && s.instances[0]!.sofficePid !== before.sofficePid;
      });
      assert.equal((await pool.stats()).crashes, 0, 'a memory kill is the document\'s failure, not a retried crash');
    }));

  test('past the queue limit a conversion fails at once with EngineBusy', () =>
    withPool({ size: 1, queueLimit: 1 }, async (pool) => {
      // Conversions reach the queue after an asynchronous package check, so each is seen in place
      // before the next is sent; the first is long enough to still be running.
      const running = docxToPdf(pool, big, 'q1.pdf');
      await until('the first conversion to run', async () => (await pool.stats()).running === 1);
      const queued = docxToPdf(pool, SMALL_DOCX, 'q2.pdf');
      await until('the second to wait', async () => (await pool.stats()).queued === 1);
      const started = performance.now();
      const e = await rejectsWith(docxToPdf(pool, SMALL_DOCX, 'q3.pdf'), 'unavailable', 'EngineBusy');
      assert.ok(performance.now() - started < 50);
      assert.deepEqual(e.details, { queued: 1 });
      await Promise.all([running, queued]);
    }));

  test('recycles an instance after maxJobsPerInstance jobs', () =>
    withPool(
      { size: 1, maxJobsPerInstance: 2 },
      async (pool) => {
        for (let i = 0; i < 3; i++) await docxToPdf(pool, SMALL_DOCX, `r${i}.pdf`);
        const s = await pool.stats();
        assert.equal(s.recycles, 1);
        assert.equal(s.starts, 2);
      },
      { warm: false },
    ));

  test('close() leaves no LibreOffice behind and fails pending work with EngineClosed', async () => {
    const root = join(work, 'profiles-close');
    const pool = createLibreOfficePool({ size: 2, profileRoot: root });
    await pool.warmUp();
    assert.equal(pgrep(root).length, 4, 'two workers and two soffice'); // python worker + soffice.bin each
    const pending = rejectsWith(docxToPdf(pool, big, 'closing.pdf'), 'unavailable', 'EngineClosed');
    await new Promise((r) => setTimeout(r, 100));
    await pool.close();
    await pending;
    assert.deepEqual(pgrep(root), []);
    await rejectsWith(pool.convert(big, join(work, 'closed.pdf'), { format: 'pdf' }), 'unavailable', 'EngineClosed');
  });
});

describe('timing (logged, not asserted)', () => {
  test('warm pool vs soffice --convert-to pdf per file, 10-page DOCX', () =>
    withPool({ size: 1 }, async (pool) => {
      const docx = await makeDocx(pool, 'bench10', 10);
      const warm: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = performance.now();
        await docxToPdf(pool, docx, 'bench-warm.pdf');
        warm.push(performance.now() - t);
      }
      assert.equal(pdfPages(join(work, 'bench-warm.pdf')), 10);

      // Spawn per file, as most converters do: its own profile (first run creates it), then reused.
      const profile = join(work, 'spawn-profile');
      const outDir = join(work, 'spawn-out');
      const spawn: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await runGroup(
          'soffice',
          [`-env:UserInstallation=file://${profile}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', outDir, docx],
          { timeoutMs: 120_000 },
        );
        assert.equal(r.code, 0, r.stderr);
        spawn.push(r.ms);
      }
      assert.ok(existsSync(join(outDir, 'bench10.pdf')));
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const warmMs = median(warm.slice(1));
      const spawnMs = median(spawn.slice(1));
      console.log(
        `[libreoffice] 10-page DOCX → PDF: warm pool median ${warmMs.toFixed(0)} ms (runs: ${warm.map((x) => x.toFixed(0)).join(', ')}); ` +
          `spawn per file median ${spawnMs.toFixed(0)} ms (first, creating its profile: ${spawn[0]!.toFixed(0)} ms; runs: ${spawn.map((x) => x.toFixed(0)).join(', ')}); ` +
          `spawn/warm = ${(spawnMs / warmMs).toFixed(1)}×`,
      );
    }, { warm: false }));
});
