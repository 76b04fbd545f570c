// Comparison bench (issue 5): two generated DOCX pairs, ~10 and ~50 pages, each differing in 20
// places. Measures Quire's compareDocuments (time to the redline PDF = first page ready, and to the
// complete change list) against the engines it is made of, run alone in the same run on the same
// inputs: the OOXML diff (in-process), LibreOffice drawing the redline DOCX as PDF (warm pool), and
// pdftotext reading the PDF's words. Aim: the 10-page pair's change list in under 300 ms.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareDocuments } from '../src/comparison/compare.ts';
import { pdfWords } from '../src/comparison/pdf-words.ts';
import { buildRedline } from '../src/comparison/redline.ts';
import { createLibreOfficePool } from '../src/engines/libreoffice/pool.ts';
import { pagedPair, writeDocx } from '../test/helpers/comparison-docs.ts';
import { onCleanup } from './lib/processes.ts';
import type { Bench, BenchContext, BenchReport } from './lib/types.ts';

const AIM_MS = 300;
const DIFFERENCES = 20;
const ITERATIONS_PER_ROUND = 5;

interface Sample {
  firstPage: number;
  changeList: number;
  diffAlone: number;
  renderAlone: number;
  wordsAlone: number;
}

const bench: Bench = {
  name: 'comparison',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const dir = mkdtempSync(join(tmpdir(), 'quire-bench-compare-'));
    // Two instances, as on the 2-core machines Quire is sized for (the pool's default).
    const pool = createLibreOfficePool({ size: 2, profileRoot: join(dir, 'profiles') });
    const forget = onCleanup(() => pool.close());
    try {
      await pool.warmUp();
      const results: { pages: number; label: string; pageCount: number; changes: number; samples: Sample[] }[] = [];
      for (const pages of [10, 50]) {
        const pair = pagedPair(pages, DIFFERENCES);
        const original = writeDocx(join(dir, `${pages}-original.docx`), pair.original);
        const revised = writeDocx(join(dir, `${pages}-revised.docx`), pair.revised);
        const originalBytes = readFileSync(original);
        const revisedBytes = readFileSync(revised);
        let n = 0;
        const once = async (): Promise<Sample & { pageCount: number; changes: number }> => {
          const outDir = join(dir, `out-${pages}-${++n}`);
          const t0 = performance.now();
          let firstPage = 0;
          const r = await compareDocuments(
            { libreOffice: pool },
            { originalPath: original, originalExt: 'docx', revisedPath: revised, revisedExt: 'docx', outDir, onRedlinePdf: () => (firstPage = performance.now() - t0) },
          );
          const changeList = performance.now() - t0;
          // The engines alone, on the same inputs, right after.
          let t = performance.now();
          buildRedline(originalBytes, revisedBytes, { author: 'Quire', date: '2026-01-01T00:00:00Z' });
          const diffAlone = performance.now() - t;
          t = performance.now();
          await pool.convert(r.redlineDocxPath, join(outDir, 'alone.pdf'), { format: 'pdf', inputExtension: 'docx' });
          const renderAlone = performance.now() - t;
          t = performance.now();
          await pdfWords(r.redlinePdfPath, { timeoutMs: 60_000 });
          const wordsAlone = performance.now() - t;
          rmSync(outDir, { recursive: true, force: true });
          return { firstPage, changeList, diffAlone, renderAlone, wordsAlone, pageCount: r.pageCount, changes: r.changes.length };
        };
        ctx.log(`${pages}-page pair: warm-up`);
        const warm = await once();
        await once();
        const samples: Sample[] = [];
        for (let round = 0; round < ctx.settings.rounds; round++) {
          for (let i = 0; i < ITERATIONS_PER_ROUND; i++) samples.push(await once());
          ctx.log(`${pages}-page pair: round ${round + 1}/${ctx.settings.rounds}, change list p50 ${p(samples.map((s) => s.changeList), 50).toFixed(0)} ms`);
        }
        results.push({ pages, label: `${pages}-page pair`, pageCount: warm.pageCount, changes: warm.changes, samples });
      }
      return report(ctx, results);
    } finally {
      forget();
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;

function p(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((q / 100) * s.length))] ?? NaN;
}

function report(ctx: BenchContext, results: { pages: number; label: string; pageCount: number; changes: number; samples: Sample[] }[]): BenchReport {
  const ms = (v: number) => v.toFixed(0);
  const rows = results.map((r) => {
    const col = (k: keyof Sample) => r.samples.map((s) => s[k]);
    const list50 = p(col('changeList'), 50);
    const engines = r.samples.map((s) => s.diffAlone + s.renderAlone + s.wordsAlone);
    const aim = r.pages === 10 ? `< ${AIM_MS}: ${list50 < AIM_MS ? 'met' : '**missed**'}` : '—';
    return [
      `${r.label} (${r.pageCount} pages, ${r.changes} changes)`,
      `${ms(p(col('firstPage'), 50))} / ${ms(p(col('firstPage'), 90))}`,
      `${ms(list50)} / ${ms(p(col('changeList'), 90))}`,
      aim,
      ms(p(col('diffAlone'), 50)),
      ms(p(col('renderAlone'), 50)),
      ms(p(col('wordsAlone'), 50)),
      ms(p(engines, 50)),
    ];
  });
  const n = results[0]?.samples.length ?? 0;
  return {
    title: 'Comparison: redline of two DOCX',
    description: `
\`compareDocuments\` (src/comparison/compare.ts) on two generated pairs (\`test/helpers/comparison-docs.ts\` \`pagedPair\`):
numbered paragraphs, about 10 and 50 pages, the revision differing in ${DIFFERENCES} spread-out places (words
inserted, a word replaced, a paragraph made bold, a sentence deleted). A warm LibreOffice pool of 2 instances;
${n} comparisons per pair after 2 warm-up ones, each followed by the engines alone on the same inputs:
the OOXML diff (\`buildRedline\`, in-process, bytes already in memory), LibreOffice drawing the redline DOCX
as PDF (\`pool.convert\`), and reading the PDF's words (\`pdftotext -bbox\`, \`pdfWords\`).

Columns in ms, p50 / p90: **first page** = the redline PDF exists (\`onRedlinePdf\`); **change list** = the
complete list with pages and rectangles (the call returns); then p50 of each engine alone and of their sum.`,
    header: ['pair', 'first page', 'change list', 'aim', 'diff alone', 'LibreOffice PDF alone', 'PDF words alone', 'engines alone, sum'],
    rows,
    notes: [
      'Quire minus the engines\' sum is reading and parsing both packages, writing the redline and aligning its text with the PDF\'s words.',
      'The two pdftotext halves and LibreOffice share the same 2 cores as the bench process itself.',
    ],
    raw: results,
  };
}
