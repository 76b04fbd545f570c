// Rendering bench (issue 4): time from upload to first page through Quire's HTTP API against what the
// same work costs with the engines alone, in the same run on the same inputs:
//   - a generated 10-page and 50-page DOCX: Quire vs the warm-LibreOffice floor (createLibreOfficePool
//     size 1, convert to PDF + `pdftocairo -svg` of page 1, in this process) vs `soffice --headless
//     --convert-to pdf` spawned per file (+ the same pdftocairo); aims: 10-page within 2× the floor and
//     at least 5× faster than spawn-per-file;
//   - a 50-page PDF: Quire vs `pdftocairo -svg` of page 1 alone;
//   - a second session of the same document (cache hit): aim under 20 ms;
//   - 20 concurrent sessions of 20 different 5-page DOCX: documents to first page per second and p95
//     against the warm pool (as many instances as Quire's) doing the same 20 jobs at once.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLibreOfficePool, type LibreOfficePool } from '../src/engines/libreoffice/pool.ts';
import { parseBboxLayout } from '../src/engines/pdf/bbox-layout.ts';
import { createPdfEngine } from '../src/engines/pdf/engine.ts';
import { finishSvg } from '../src/engines/pdf/render-svg.ts';
import { runGroup } from '../src/process/process-group.ts';
import { writeFileAtomic } from '../src/renditions/atomic-file.ts';
import { docxBytes, type Block } from '../test/helpers/comparison-docs.ts';
import { call, startQuire, type Quire } from '../test/helpers/quire.ts';
import { median } from './lib/load.ts';
import { cpuSeconds, machineBusySeconds, onCleanup, track } from './lib/processes.ts';
import { treeCpuSeconds } from './lib/process-tree.ts';
import type { Bench, BenchContext, BenchReport } from './lib/types.ts';

const V1 = '/PCCIS/V1/ViewingSession';
/** Fresh (uncached) Quire samples per document kind per round, each paired with a floor sample. */
const SAMPLES_PER_ROUND = 3;
/** Second sessions (cache hits) after each fresh Quire sample. */
const HITS_PER_SAMPLE = 3;
const CONCURRENT_DOCS = 20;
const CONCURRENT_PAGES = 5;
/** Concurrent bursts per side for each round of the settings (a burst takes only a few seconds). */
const CONCURRENT_ROUNDS_PER_ROUND = 2;
const PARAGRAPHS_PER_PAGE = 13;
const FLOOR_AIM = 2;
const SPAWN_AIM = 5;
const HIT_AIM_MS = 20;
/** A sample during which the rest of the machine used less than this many cores counts as undisturbed. */
const QUIET_CORES = 0.25;
const TOOL_TIMEOUT_MS = 120_000;

type Kind = 'docx10' | 'docx50' | 'pdf50';
const KINDS: { kind: Kind; label: string; pages: number; ext: 'docx' | 'pdf' }[] = [
  { kind: 'docx10', label: '10-page DOCX', pages: 10, ext: 'docx' },
  { kind: 'docx50', label: '50-page DOCX', pages: 50, ext: 'docx' },
  { kind: 'pdf50', label: '50-page PDF', pages: 50, ext: 'pdf' },
];

interface QuireSample {
  total: number;
  put: number;
  get: number;
}
interface FloorSample {
  total: number;
  /** LibreOffice's part (0 for a PDF). */
  convert: number;
}
interface Components {
  /** pdfinfo over every page, as Renderer.convert's inspect. */
  inspect: number;
  /** The PDF engine's renderSvg alone: pdftocairo + pdftotext -bbox-layout in parallel, sanitising, text layer. */
  renderSvg: number;
  /** `pdftotext -bbox-layout` of page 1 alone: the text layer's input (run beside pdftocairo by renderSvg). */
  pdftotext: number;
  /** finishSvg alone, in-process: sanitising pdftocairo's SVG and adding the text layer (Quire's event loop). */
  finish: number;
  /** One fsynced atomic write of the page's SVG, as the rendition store does. */
  writeSvg: number;
  svgBytes: number;
}
interface KindResult {
  quire: QuireSample[];
  hits: QuireSample[];
  floor: FloorSample[];
  spawnInit: number[];
  spawnFresh: number[];
  components: Components[];
  pageCount: number;
  bytes: number[];
  /** Cores the rest of the machine (not this bench, not Quire) used during each sample. */
  others: number[];
}
interface ConcurrentRound {
  wallMs: number;
  latencies: number[];
  throughput: number;
  p95: number;
  /** CPU-seconds per document of the serving process tree: Quire and everything it started, or for the
   *  floor the bench process and its pool (Quire's idle tree left out). */
  cpuPerDoc: number;
  /** CPU-seconds per document of the serving Node process alone: Quire's, or the bench's for the floor. */
  nodeCpuPerDoc: number;
  /** Average cores the serving tree used during the burst. */
  ownCores: number;
  /** Average cores the rest of the machine used meanwhile (the other side idle, the HTTP client, other jobs). */
  restCores: number;
}

const bench: Bench = {
  name: 'rendering',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const started = performance.now();
    const dir = mkdtempSync(join(tmpdir(), 'quire-bench-render-'));
    const forgetDir = onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
    const pdfEngine = createPdfEngine({ timeoutMs: TOOL_TIMEOUT_MS });
    const loadavg0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const idle: number[] = [];
    let quire: Quire | undefined;
    let pool: LibreOfficePool | undefined;
    const forgetPool = onCleanup(async () => pool?.close());
    let forgetQuire = () => {};
    try {
      // ---- Quire, warmed: a tiny DOCX through both of its LibreOffice instances before any timing.
      ctx.log('starting Quire and waiting for a first DOCX to convert');
      quire = await startQuire({ env: { QUIRE_LOG_LEVEL: 'warn' } });
      track(quire.process);
      const q = quire;
      forgetQuire = onCleanup(() => q.dispose());
      const t0 = performance.now();
      await quireFirstPage(q, pagedDocx(1, 'tiny-0'), 'docx');
      const firstTinyMs = performance.now() - t0;
      await Promise.all([1, 2].map((i) => quireFirstPage(q, pagedDocx(1, `tiny-${i}`), 'docx')));
      const logBefore = q.output().length;

      // ---- the floor's pool and the spawn-per-file profile, both initialised before timing.
      pool = createLibreOfficePool({ size: 1, profileRoot: join(dir, 'pool1') });
      await pool.warmUp();
      const p1 = pool;
      const initProfile = pathToFileURL(join(dir, 'soffice-profile')).href;
      const work = (name: string) => {
        const d = join(dir, name);
        mkdirSync(d, { recursive: true });
        return d;
      };
      {
        const w = work('init');
        const f = join(w, 'init.docx');
        writeFileSync(f, pagedDocx(2, 'init'));
        const s = performance.now();
        await spawnFirstPage(f, w, initProfile);
        ctx.log(`soffice profile initialised (first start ${(performance.now() - s).toFixed(0)} ms)`);
      }

      const empty = (): KindResult => ({ quire: [], hits: [], floor: [], spawnInit: [], spawnFresh: [], components: [], pageCount: 0, bytes: [], others: [] });
      const results: Record<Kind, KindResult> = { docx10: empty(), docx50: empty(), pdf50: empty() };

      let seq = 0;
      const oneRound = async (round: number, warm: boolean) => {
        const tag = warm ? 'warm-up' : `round ${round}/${ctx.settings.rounds}`;
        if (!warm) idle.push(await idleCores(1000));
        const pdfs: string[] = [];
        for (const k of KINDS) {
          const r = results[k.kind];
          const samples = warm ? 1 : SAMPLES_PER_ROUND;
          for (let s = 0; s < samples; s++) {
            const w = work(`s${++seq}`);
            let input: string;
            if (k.ext === 'docx') {
              input = join(w, `${k.kind}.docx`);
              writeFileSync(input, pagedDocx(k.pages, `${seq}-${randomBytes(4).toString('hex')}`));
            } else {
              input = pdfs[s % pdfs.length]!;
            }
            const bytes = readFileSync(input);
            const out = join(w, 'floor.pdf');
            // Every side on the same file, back to back, in an order that rotates from sample to
            // sample, so a slow moment of the machine does not always fall on the same side.
            let qs: QuireSample | undefined;
            let fs: FloorSample | undefined;
            let si = NaN;
            let sf = NaN;
            const sides: (() => Promise<void>)[] = [
              async () => void (qs = await quireFirstPage(q, bytes, k.ext)),
              async () => void (fs = await (k.ext === 'pdf' ? pdftocairoFloor(input) : poolFloor(p1, input, out))),
            ];
            if (k.ext === 'docx') {
              sides.push(async () => void (si = await spawnFirstPage(input, work(`s${seq}-i`), initProfile)));
              sides.push(async () => {
                const profile = join(w, 'fresh-profile');
                sf = await spawnFirstPage(input, work(`s${seq}-f`), pathToFileURL(profile).href);
                rmSync(profile, { recursive: true, force: true });
              });
            }
            const m0 = machineBusySeconds();
            const own0 = treeCpuSeconds(process.pid);
            const t0s = performance.now();
            for (let i = 0; i < sides.length; i++) await sides[(i + s + round) % sides.length]!();
            const others = Math.max(0, machineBusySeconds() - m0 - (treeCpuSeconds(process.pid) - own0)) / ((performance.now() - t0s) / 1000);
            const hits: QuireSample[] = [];
            for (let h = 0; h < HITS_PER_SAMPLE; h++) hits.push(await quireFirstPage(q, bytes, k.ext));
            const pdf = k.ext === 'pdf' ? input : out;
            if (k.kind === 'docx50') pdfs.push(pdf);
            const comp = await components(pdfEngine, pdf, w);
            if (!warm) {
              r.quire.push(qs!);
              r.floor.push(fs!);
              if (k.ext === 'docx') {
                r.spawnInit.push(si);
                r.spawnFresh.push(sf);
              }
              r.hits.push(...hits);
              r.components.push(comp);
              r.bytes.push(bytes.length);
              r.others.push(others);
            }
            if (r.pageCount === 0) r.pageCount = (await pdfEngine.inspect(pdf)).pageCount;
          }
          const last = r.quire.length > 0 ? `Quire ${ms(median(r.quire.map((x) => x.total)))} ms, floor ${ms(median(r.floor.map((x) => x.total)))} ms` : '';
          ctx.log(`${tag} ${k.label}: ${last}${r.spawnInit.length > 0 ? `, spawn ${ms(median(r.spawnInit))} / fresh ${ms(median(r.spawnFresh))} ms` : ''}`);
        }
      };
      await oneRound(0, true);
      for (let round = 1; round <= ctx.settings.rounds; round++) await oneRound(round, false);
      await pool.close();

      // ---- 20 concurrent sessions of 20 different documents vs the pool doing the same 20 jobs.
      const instances = availableParallelism();
      pool = createLibreOfficePool({ size: instances, profileRoot: join(dir, 'poolN') });
      await pool.warmUp();
      const pN = pool;
      const concurrent = { quire: [] as ConcurrentRound[], floor: [] as ConcurrentRound[] };
      const concRounds = CONCURRENT_ROUNDS_PER_ROUND * ctx.settings.rounds;
      for (let round = 0; round <= concRounds; round++) {
        const warm = round === 0;
        const w = work(`conc${round}`);
        const docs = Array.from({ length: CONCURRENT_DOCS }, (_, i) => {
          const f = join(w, `d${i}.docx`);
          writeFileSync(f, pagedDocx(CONCURRENT_PAGES, `c${round}-${i}-${randomBytes(4).toString('hex')}`));
          return f;
        });
        const qr = () => quireConcurrent(q, docs.map((f) => readFileSync(f)));
        const fr = () => floorConcurrent(pN, docs, w, q.process.pid!);
        let a: ConcurrentRound, b: ConcurrentRound;
        if (round % 2 === 0) {
          a = await qr();
          b = await fr();
        } else {
          b = await fr();
          a = await qr();
        }
        ctx.log(
          `${warm ? 'warm-up' : `round ${round}/${concRounds}`} ${CONCURRENT_DOCS} concurrent: Quire ${a.throughput.toFixed(2)} docs/s p95 ${ms(a.p95)} ms (rest of machine ${a.restCores.toFixed(2)} cores), floor ${b.throughput.toFixed(2)} docs/s p95 ${ms(b.p95)} ms (rest ${b.restCores.toFixed(2)})`,
        );
        if (!warm) {
          concurrent.quire.push(a);
          concurrent.floor.push(b);
        }
        rmSync(w, { recursive: true, force: true });
      }
      await pool.close();
      pool = undefined;

      const loadavg1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      const logged = q.output().slice(logBefore);
      const totalSeconds = (performance.now() - started) / 1000;
      return report(ctx, { results, concurrent, idle, firstTinyMs, instances, loadavg: [loadavg0, loadavg1], logged, totalSeconds });
    } finally {
      forgetPool();
      await pool?.close();
      forgetQuire();
      await quire?.dispose();
      forgetDir();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;

// ---------------------------------------------------------------------------------------------
// Documents

const WORDS =
  'the viewer renders each page of the document as vector graphics while the server keeps a copy of every converted file so that later sessions open at once and nobody waits for the same work twice'.split(
    ' ',
  );

function paragraph(seed: number): string {
  const words = Array.from({ length: 48 }, (_, i) => WORDS[(seed * 11 + i * 7 + ((seed * i) % 5)) % WORDS.length]!);
  return `${seed}. ${words.join(' ').replace(/^./, (c) => c.toUpperCase())}.`;
}

/** Exactly `pages` pages: a heading with a page break before it and a few paragraphs that fit on one page.
 *  `nonce` (in the header) makes the bytes, and so Quire's cache key, differ from every other call's. */
function pagedDocx(pages: number, nonce: string): Uint8Array {
  const blocks: Block[] = [];
  for (let p = 0; p < pages; p++) {
    blocks.push({ p: [`Section ${p + 1}`], heading: true, pageBreakBefore: p > 0 });
    for (let i = 0; i < PARAGRAPHS_PER_PAGE; i++) blocks.push({ p: [paragraph(p * PARAGRAPHS_PER_PAGE + i)] });
  }
  return docxBytes(blocks, { header: `Quire rendering bench ${nonce}`, footer: 'Generated for the rendering bench' });
}

// ---------------------------------------------------------------------------------------------
// The sides

/** POST a session (not timed), then PUT the document and GET page 0 as SVG, timed from the PUT's start. */
async function quireFirstPage(q: Quire, bytes: Uint8Array, ext: string): Promise<QuireSample> {
  const created = await call(q, 'POST', V1, { json: {} });
  if (created.status !== 200) throw new Error(`create answered ${created.status}: ${created.bytes}`);
  const sid = String(created.body.viewingSessionId);
  const t0 = performance.now();
  const put = await call(q, 'PUT', `${V1}/u${sid}/SourceFile?FileExtension=${ext}`, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  const t1 = performance.now();
  if (put.status !== 200) throw new Error(`upload answered ${put.status}: ${put.bytes}`);
  const page = await call(q, 'GET', `/PCCIS/V1/Page/q/0?DocumentID=u${sid}&ContentType=svgb`);
  const t2 = performance.now();
  if (page.status !== 200 || !page.bytes.subarray(0, 200).toString('utf8').includes('<svg')) {
    throw new Error(`page 0 answered ${page.status}: ${page.bytes.subarray(0, 300).toString('utf8')}`);
  }
  return { total: t2 - t0, put: t1 - t0, get: t2 - t1 };
}

/** `pdftocairo -svg -f 1 -l 1 file -`, its SVG read through a pipe as Quire's PDF engine reads it. */
async function pdftocairoPage1(pdf: string): Promise<void> {
  const r = await runGroup('pdftocairo', ['-svg', '-f', '1', '-l', '1', '--', pdf, '-'], { timeoutMs: TOOL_TIMEOUT_MS, maxOutputBytes: 256 << 20 });
  if (r.code !== 0 || !r.stdout.includes('<svg')) throw new Error(`pdftocairo exited with ${r.code}: ${r.stderr.slice(0, 500)}`);
}

async function pdftocairoFloor(pdf: string): Promise<FloorSample> {
  const t0 = performance.now();
  await pdftocairoPage1(pdf);
  return { total: performance.now() - t0, convert: 0 };
}

async function poolFloor(pool: LibreOfficePool, docx: string, pdf: string): Promise<FloorSample> {
  const t0 = performance.now();
  await pool.convert(docx, pdf, { format: 'pdf', inputExtension: 'docx' });
  const t1 = performance.now();
  await pdftocairoPage1(pdf);
  return { total: performance.now() - t0, convert: t1 - t0 };
}

/** `soffice --headless --convert-to pdf` as a new process for this one file, then pdftocairo page 1. */
async function spawnFirstPage(docx: string, outDir: string, profileUrl: string): Promise<number> {
  const t0 = performance.now();
  const r = await runGroup('soffice', [`-env:UserInstallation=${profileUrl}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', outDir, docx], {
    timeoutMs: TOOL_TIMEOUT_MS,
  });
  const pdf = join(outDir, docx.slice(docx.lastIndexOf('/') + 1).replace(/\.docx$/, '.pdf'));
  if (r.code !== 0) throw new Error(`soffice exited with ${r.code}: ${r.stderr.slice(0, 500)}`);
  await pdftocairoPage1(pdf);
  return performance.now() - t0;
}

/** The parts of Quire's path beyond the floor, each alone on the same PDF (for the notes). */
async function components(engine: ReturnType<typeof createPdfEngine>, pdf: string, workDir: string): Promise<Components> {
  let t = performance.now();
  await engine.inspect(pdf);
  const inspect = performance.now() - t;
  t = performance.now();
  const svg = await engine.renderSvg(pdf, 0);
  const renderSvg = performance.now() - t;
  t = performance.now();
  await writeFileAtomic(join(workDir, 'p0.svg'), svg);
  const writeSvg = performance.now() - t;
  const cairo = await runGroup('pdftocairo', ['-svg', '-f', '1', '-l', '1', '--', pdf, '-'], { timeoutMs: TOOL_TIMEOUT_MS, maxOutputBytes: 256 << 20 });
  t = performance.now();
  const bbox = await runGroup('pdftotext', ['-bbox-layout', '-enc', 'UTF-8', '-f', '1', '-l', '1', '--', pdf, '-'], { timeoutMs: TOOL_TIMEOUT_MS, maxOutputBytes: 256 << 20 });
  const pdftotext = performance.now() - t;
  const layout = parseBboxLayout(bbox.stdout)[0];
  t = performance.now();
  finishSvg(cairo.stdout, layout);
  const finish = performance.now() - t;
  return { inspect, renderSvg, pdftotext, finish, writeSvg, svgBytes: Buffer.byteLength(svg) };
}

async function quireConcurrent(q: Quire, docs: Buffer[]): Promise<ConcurrentRound> {
  // Sessions are made first (not timed); then every upload starts at once.
  const sids: string[] = [];
  for (let i = 0; i < docs.length; i++) {
    const created = await call(q, 'POST', V1, { json: {} });
    if (created.status !== 200) throw new Error(`create answered ${created.status}`);
    sids.push(String(created.body.viewingSessionId));
  }
  const quirePid = q.process.pid!;
  return burst(quirePid, quirePid, () =>
    Promise.all(
      docs.map(async (bytes, i) => {
        const s = performance.now();
        const put = await call(q, 'PUT', `${V1}/u${sids[i]}/SourceFile?FileExtension=docx`, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
        if (put.status !== 200) throw new Error(`upload answered ${put.status}: ${put.bytes}`);
        const page = await call(q, 'GET', `/PCCIS/V1/Page/q/0?DocumentID=u${sids[i]}&ContentType=svgb`);
        if (page.status !== 200) throw new Error(`page 0 answered ${page.status}: ${page.bytes.subarray(0, 300).toString('utf8')}`);
        return performance.now() - s;
      }),
    ),
  );
}

async function floorConcurrent(pool: LibreOfficePool, docs: string[], dir: string, quirePid: number): Promise<ConcurrentRound> {
  return burst(process.pid, quirePid, () =>
    Promise.all(
      docs.map(async (f, i) => {
        const s = performance.now();
        const pdf = join(dir, `floor-${i}.pdf`);
        await pool.convert(f, pdf, { format: 'pdf', inputExtension: 'docx' });
        await pdftocairoPage1(pdf);
        return performance.now() - s;
      }),
    ),
  );
}

/**
 * Runs one burst and accounts its CPU: the serving side's process tree (Quire's, or the bench's own
 * without Quire for the floor), its Node process alone, and what the rest of the machine used
 * (the other side idle, the bench's HTTP client on Quire's turn, other jobs).
 */
async function burst(servingPid: number, quirePid: number, run: () => Promise<number[]>): Promise<ConcurrentRound> {
  const tree = () => (servingPid === quirePid ? treeCpuSeconds(quirePid) : treeCpuSeconds(process.pid, [quirePid]));
  const node = () => (servingPid === quirePid ? cpuSeconds(quirePid) : cpuOf(process.cpuUsage()));
  const m0 = machineBusySeconds();
  const t0tree = tree();
  const n0 = node();
  const t0 = performance.now();
  const latencies = await run();
  const wallMs = performance.now() - t0;
  const own = tree() - t0tree;
  const nodeSeconds = node() - n0;
  const machine = machineBusySeconds() - m0;
  const n = latencies.length;
  return {
    wallMs,
    latencies,
    throughput: n / (wallMs / 1000),
    p95: pct(latencies, 95),
    cpuPerDoc: own / n,
    nodeCpuPerDoc: nodeSeconds / n,
    ownCores: own / (wallMs / 1000),
    restCores: Math.max(0, machine - own) / (wallMs / 1000),
  };
}

const cpuOf = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

// ---------------------------------------------------------------------------------------------
// Measuring helpers

/** Busy cores of the whole machine while this bench runs nothing (Quire and the pools idle). */
async function idleCores(msWindow: number): Promise<number> {
  const b0 = machineBusySeconds();
  const t0 = performance.now();
  await new Promise((res) => setTimeout(res, msWindow));
  return (machineBusySeconds() - b0) / ((performance.now() - t0) / 1000);
}

/** Nearest-rank percentile. */
function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((q / 100) * s.length) - 1)] ?? NaN;
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const range = (xs: number[]) => `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`;
const range2 = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
/** Median of the per-sample ratios a[i] / b[i]: each pair ran back to back on the same input. */
const paired = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]!));
const ratio = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(2));

// ---------------------------------------------------------------------------------------------
// Report

interface Measured {
  results: Record<Kind, KindResult>;
  concurrent: { quire: ConcurrentRound[]; floor: ConcurrentRound[] };
  idle: number[];
  firstTinyMs: number;
  instances: number;
  loadavg: [string, string];
  logged: string;
  totalSeconds: number;
}

function report(ctx: BenchContext, m: Measured): BenchReport {
  const s = ctx.settings;
  const rows: string[][] = [];
  const notes: string[] = [];
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

  for (const k of KINDS) {
    const r = m.results[k.kind];
    const qt = median(r.quire.map((x) => x.total));
    const put = median(r.quire.map((x) => x.put));
    const get = median(r.quire.map((x) => x.get));
    const ft = median(r.floor.map((x) => x.total));
    const totals = r.quire.map((x) => x.total);
    const vsFloor = paired(totals, r.floor.map((x) => x.total));
    const label = `${k.label} (${r.pageCount} pages, ${Math.round(median(r.bytes) / 1024)} KB): first page`;
    if (k.ext === 'docx') {
      const si = median(r.spawnInit);
      const sf = median(r.spawnFresh);
      const speedup = paired(r.spawnInit, totals);
      const aim =
        k.kind === 'docx10'
          ? `≤ ${FLOOR_AIM}× floor: ${verdict(vsFloor <= FLOOR_AIM)}; ≥ ${SPAWN_AIM}× faster than spawn: ${verdict(speedup >= SPAWN_AIM)}`
          : '—';
      rows.push([label, `${ms(qt)} (${ms(put)} + ${ms(get)})`, `${ms(ft)} (LO ${ms(median(r.floor.map((x) => x.convert)))})`, `${ratio(vsFloor)}×`, `${ms(si)} / ${ms(sf)}`, `${ratio(speedup)}× / ${ratio(paired(r.spawnFresh, totals))}×`, aim]);
    } else {
      rows.push([label, `${ms(qt)} (${ms(put)} + ${ms(get)})`, `${ms(ft)} (pdftocairo alone)`, `${ratio(vsFloor)}×`, '—', '—', '—']);
    }
  }
  for (const k of KINDS) {
    const r = m.results[k.kind];
    const ht = median(r.hits.map((x) => x.total));
    const aim = k.kind === 'docx10' ? `< ${HIT_AIM_MS} ms: ${verdict(ht < HIT_AIM_MS)}` : `< ${HIT_AIM_MS} ms: ${ht < HIT_AIM_MS ? 'met' : 'missed'}`;
    rows.push([`${k.label}, second session (cache hit)`, `${ms(ht)} (${ms(median(r.hits.map((x) => x.put)))} + ${ms(median(r.hits.map((x) => x.get)))})`, '—', '—', '—', '—', aim]);
  }
  const cq = m.concurrent.quire;
  const cf = m.concurrent.floor;
  const qThr = median(cq.map((x) => x.throughput));
  const fThr = median(cf.map((x) => x.throughput));
  const qP95 = median(cq.map((x) => x.p95));
  const fP95 = median(cf.map((x) => x.p95));
  rows.push([
    `${CONCURRENT_DOCS} concurrent sessions, ${CONCURRENT_DOCS} different ${CONCURRENT_PAGES}-page DOCX`,
    `${qThr.toFixed(2)} docs/s, p95 ${ms(qP95)} ms`,
    `${fThr.toFixed(2)} docs/s, p95 ${ms(fP95)} ms`,
    `${ratio(paired(cq.map((x) => x.throughput), cf.map((x) => x.throughput)))}× throughput, ${ratio(paired(cq.map((x) => x.p95), cf.map((x) => x.p95)))}× p95`,
    '—',
    '—',
    '—',
  ]);

  // Spreads: how noisy each figure was.
  const spreads = KINDS.map((k) => {
    const r = m.results[k.kind];
    const parts = [`Quire ${range(r.quire.map((x) => x.total))}`, `floor ${range(r.floor.map((x) => x.total))}`];
    if (r.spawnInit.length > 0) parts.push(`spawn ${range(r.spawnInit)} / fresh ${range(r.spawnFresh)}`);
    parts.push(`cache hit ${range(r.hits.map((x) => x.total))}`);
    return `${k.label}: ${parts.join(', ')}`;
  });
  notes.push(`Spread over all samples (min–max ms): ${spreads.join('; ')}; concurrent throughput Quire ${range(cq.map((x) => x.throughput))}, floor ${range(cf.map((x) => x.throughput))} docs/s, p95 Quire ${range(cq.map((x) => x.p95))}, floor ${range(cf.map((x) => x.p95))} ms.`);

  // Where Quire's time beyond the floor goes, from the parts measured alone.
  for (const k of KINDS) {
    const r = m.results[k.kind];
    const c = (f: (x: Components) => number) => median(r.components.map(f));
    const convert = median(r.floor.map((x) => x.convert));
    const cairo = median(r.floor.map((x) => x.total - x.convert));
    notes.push(
      `${k.label}, parts alone (medians, ms): ${k.ext === 'docx' ? `LibreOffice convert ${ms(convert)}, ` : ''}pdftocairo page 1 ${ms(cairo)}; ` +
        `pdfinfo of every page (Renderer.convert's inspect) ${ms(c((x) => x.inspect))}; the PDF engine's renderSvg (pdftocairo and pdftotext -bbox-layout in parallel, sanitising, text layer; ${Math.round(c((x) => x.svgBytes) / 1024)} KB) ${ms(c((x) => x.renderSvg))}, ` +
        `of which pdftotext -bbox-layout alone ${ms(c((x) => x.pdftotext))} and finishSvg (in-process) ${ms(c((x) => x.finish))}; ` +
        `one fsynced atomic write of that SVG ${ms(c((x) => x.writeSvg))}. Quire's page request alone took ${ms(median(r.quire.map((x, i) => x.get - r.floor[i]!.total)))} ms more than the floor (median of the per-sample differences), its upload ${ms(median(r.quire.map((x) => x.put)))} ms.`,
    );
  }
  notes.push(
    `CPU per document in the concurrent bursts (CPU-seconds of the serving process tree ÷ ${CONCURRENT_DOCS}, medians over rounds): ` +
      `Quire and everything it started ${ms(median(cq.map((x) => x.cpuPerDoc)) * 1000)} ms, of which its Node process ${ms(median(cq.map((x) => x.nodeCpuPerDoc)) * 1000)} ms; ` +
      `the floor (bench process and its pool) ${ms(median(cf.map((x) => x.cpuPerDoc)) * 1000)} ms, of which the bench's Node process ${ms(median(cf.map((x) => x.nodeCpuPerDoc)) * 1000)} ms. ` +
      `During a burst the serving tree used ${median(cq.map((x) => x.ownCores)).toFixed(2)} (Quire) and ${median(cf.map((x) => x.ownCores)).toFixed(2)} (floor) cores on average and the rest of the machine ${median(cq.map((x) => x.restCores)).toFixed(2)} and ${median(cf.map((x) => x.restCores)).toFixed(2)}: ` +
      `with the ${m.instances} cores full, throughput follows CPU per document, and this CPU figure moves much less with other jobs than the rates do.`,
  );
  // The same figures from the undisturbed samples only, for comparison with the medians above.
  const quietParts: string[] = [];
  for (const k of KINDS) {
    const r = m.results[k.kind];
    const idx = r.others.map((o, i) => (o < QUIET_CORES ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) continue;
    const pick = <T,>(xs: T[]) => idx.map((i) => xs[i]!);
    const totals = pick(r.quire).map((x) => x.total);
    let part = `${k.label} ${idx.length}/${r.others.length}: Quire ${ms(median(totals))} ms, Quire ÷ floor ${ratio(paired(totals, pick(r.floor).map((x) => x.total)))}×`;
    if (k.ext === 'docx') part += `, spawn ÷ Quire ${ratio(paired(pick(r.spawnInit), totals))}× / ${ratio(paired(pick(r.spawnFresh), totals))}×`;
    quietParts.push(part);
  }
  const quietBursts = cq.map((x, i) => (x.restCores < QUIET_CORES && cf[i]!.restCores < QUIET_CORES ? i : -1)).filter((i) => i >= 0);
  if (quietBursts.length > 0) {
    const qb = quietBursts.map((i) => cq[i]!);
    const fb = quietBursts.map((i) => cf[i]!);
    quietParts.push(
      `concurrent ${quietBursts.length}/${cq.length}: Quire ${median(qb.map((x) => x.throughput)).toFixed(2)} docs/s p95 ${ms(median(qb.map((x) => x.p95)))} ms, floor ${median(fb.map((x) => x.throughput)).toFixed(2)} docs/s p95 ${ms(median(fb.map((x) => x.p95)))} ms, ` +
        `${ratio(paired(qb.map((x) => x.throughput), fb.map((x) => x.throughput)))}× throughput, ${ratio(paired(qb.map((x) => x.p95), fb.map((x) => x.p95)))}× p95`,
    );
  }
  notes.push(`Undisturbed samples only (the rest of the machine under ${QUIET_CORES} core while they ran; count kept of all): ${quietParts.length > 0 ? quietParts.join('; ') : 'none'}.`);
  const allOthers = KINDS.flatMap((k) => m.results[k.kind].others);
  const busy = allOthers.filter((x) => x > 0.5).length;
  notes.push(
    `Machine noise (other agents' tests on the same ${m.instances} cores): the rest of the machine used ${range2(allOthers)} cores (median ${median(allOthers).toFixed(2)}) during the single-document samples, ` +
      `${busy} of ${allOthers.length} samples above 0.5 core; ${range2(cq.map((x) => x.restCores))} cores during Quire's bursts (the bench's HTTP client included) and ${range2(cf.map((x) => x.restCores))} during the floor's; ` +
      `1 s idle probes before each round: ${m.idle.map((x) => x.toFixed(2)).join(', ')} cores; load average ${m.loadavg[0]} at the start, ${m.loadavg[1]} at the end. Whole bench: ${m.totalSeconds.toFixed(0)} s.`,
  );
  notes.push(`Quire's first tiny DOCX after start answered its first page in ${ms(m.firstTinyMs)} ms (its pool was still warming); not counted.`);
  if (m.logged.trim() !== '') notes.push(`Quire logged (warn and above) during the measurements: ${m.logged.trim().split('\n').length} lines, e.g. \`${m.logged.trim().split('\n')[0]!.slice(0, 200)}\`.`);

  const n = s.rounds * SAMPLES_PER_ROUND;
  return {
    title: 'Rendering: upload to first page',
    description: `
A real Quire (\`node src/main.ts\`, log level warn, fresh data folder, its LibreOffice pool of ${m.instances} instances warmed by
converting a tiny DOCX before any timing) against the engines it is made of, in the same run, on the same input files:

- **Quire**: \`POST ${V1}\` (not timed), then \`PUT …/u{id}/SourceFile\` and \`GET /PCCIS/V1/Page/q/0?DocumentID=u{id}&ContentType=svgb\`
  answering 200, timed from the start of the PUT. Every fresh sample uploads different bytes (a nonce in the page header), so
  nothing is cached. Cells give total (upload + page request).
- **floor** (warm LibreOffice): \`createLibreOfficePool({ size: 1 })\` in the bench process, warmed up, converts the same DOCX
  to PDF, then \`pdftocairo -svg -f 1 -l 1\` writes page 1 to a pipe. For the PDF the floor is that pdftocairo call alone.
- **spawn per file**: \`soffice --headless --norestore --convert-to pdf\` started as a new process for each file, then the same
  pdftocairo. Two variants: with one \`-env:UserInstallation\` profile already initialised before timing (first-start cost
  excluded; **the column the 5× target is judged against**, as it is the cheaper baseline), and with a fresh profile directory per
  file (first-start cost included: what a setup converting several files at once must do, since one profile cannot be shared by
  concurrent soffice processes).
- **cache hit**: after each fresh sample, ${HITS_PER_SAMPLE} more sessions upload the same bytes (serverCaching "full", the default) and ask for
  page 0, timed the same way.
- **concurrent**: ${CONCURRENT_DOCS} sessions created first, then ${CONCURRENT_DOCS} uploads of ${CONCURRENT_DOCS} different ${CONCURRENT_PAGES}-page DOCX and their page-0 requests all
  started at once; throughput = documents / time until the last first page. The floor is a warm pool of ${m.instances} instances
  (as many as Quire's) doing the same ${CONCURRENT_DOCS} convert + pdftocairo jobs at once.

One warm-up round, then ${s.rounds} rounds; per round and document ${SAMPLES_PER_ROUND} samples, each running every side on the same
file back to back (Quire, floor and, for DOCX, both spawn variants, in an order that rotates from sample to sample). Then one
warm-up and ${CONCURRENT_ROUNDS_PER_ROUND * s.rounds} concurrent bursts per side, with fresh documents each time (the side going first alternates).
Times are medians over the ${n} samples (concurrent: over the bursts' throughputs and p95s); **ratios are medians of the
per-sample (per-burst) ratios**, which a slow minute of the shared machine disturbs much less than a ratio of medians.
Documents are generated
(\`bench/rendering.bench.ts\` \`pagedDocx\`: a heading per page with a page break, ${PARAGRAPHS_PER_PAGE} paragraphs); the 50-page PDF
is the floor's own LibreOffice output of the 50-page DOCX of the same round.

Columns in ms unless marked: Quire total (upload + page request); floor (its LibreOffice part); Quire ÷ floor; spawn per file
with an initialised / a fresh profile; spawn ÷ Quire (how many times faster Quire is). Targets: the 10-page DOCX's first page
within ${FLOOR_AIM}× the floor and at least ${SPAWN_AIM}× faster than spawn-per-file (initialised profile); a second session's first page under
${HIT_AIM_MS} ms (judged on the 10-page DOCX; the other documents are shown against the same figure).`,
    header: ['workload', 'Quire ms (PUT + GET)', 'floor ms', 'Quire ÷ floor', 'spawn ms: init. / fresh profile', 'spawn ÷ Quire', 'target'],
    rows,
    notes,
    raw: m,
  };
}
