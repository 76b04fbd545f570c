// npm run bench [-- NAME… --duration=S --rounds=N --warmup=S --connections=N --no-doc]
//
// Runs every bench/*.bench.ts (or the NAMEs given) one after another, prints each one's table and
// rewrites its section of docs/performance.md with the command, the date and the machine. A bench
// that fails leaves its section as it was and makes the exit code 1. Whatever a bench started is
// stopped on failure, on Ctrl-C and on SIGTERM (see lib/processes.ts).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { renderSection, textTable, writeSection } from './lib/doc.ts';
import { describeMachine } from './lib/machine.ts';
import { cleanupAll, killLeftovers } from './lib/processes.ts';
import type { Bench, BenchSettings } from './lib/types.ts';

const BENCH_DIR = import.meta.dirname;
const DOC = resolve(BENCH_DIR, '../docs/performance.md');
const RESULTS = join(BENCH_DIR, 'results');
/** No bench may run longer than this, whatever its settings. */
const BENCH_TIME_LIMIT_MS = 30 * 60_000;

const argv = process.argv.slice(2);
const { values, positionals } = parseArgs({
  args: argv,
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    'no-doc': { type: 'boolean', default: false },
  },
});

function count(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be a whole number from 1 to ${max}, not "${raw}"`);
  return n;
}
const settings: BenchSettings = {
  durationSeconds: count('duration', values.duration, 120),
  rounds: count('rounds', values.rounds, 15),
  warmupSeconds: count('warmup', values.warmup, 60),
  connections: count('connections', values.connections, 256),
};

const available = readdirSync(BENCH_DIR)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const unknown = positionals.filter((n) => !available.includes(n));
if (unknown.length > 0) {
  process.stderr.write(`no such bench: ${unknown.join(', ')} (available: ${available.join(', ')})\n`);
  process.exit(2);
}
const selected = positionals.length > 0 ? positionals : available;

// Stop what the benches started however the runner ends.
let stopping = false;
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the servers this run started\n`);
    void cleanupAll().finally(() => process.exit(code));
  });
}
process.on('exit', killLeftovers);

const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
const machine = describeMachine();
process.stderr.write(`${command}\n${machine}\n`);

let failed = 0;
for (const name of selected) {
  const log = (line: string) => process.stderr.write(`[${name}] ${line}\n`);
  const started = new Date();
  try {
    const mod = (await import(pathToFileURL(join(BENCH_DIR, `${name}.bench.ts`)).href)) as { default: Bench };
    const bench = mod.default;
    if (bench?.name !== name) throw new Error(`${name}.bench.ts must export default a Bench named "${name}"`);
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`took longer than ${BENCH_TIME_LIMIT_MS / 60_000} minutes`)), BENCH_TIME_LIMIT_MS);
    });
    const report = await Promise.race([bench.run({ settings, log }), limit]).finally(() => clearTimeout(timer));

    process.stdout.write(`\n${report.title}\n${textTable(report.header, report.rows)}\n`);
    for (const n of report.notes) process.stdout.write(`  - ${n}\n`);

    const stamp = started.toISOString().replace(/[:.]/g, '-');
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, `${name}-${stamp}.json`), JSON.stringify({ command, machine, date: started.toISOString(), settings, report }, null, 2));
    if (!values['no-doc']) {
      const date = started.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
      writeSection(DOC, name, renderSection(name, report, { command, date, machine }));
      log(`section "${name}" of docs/performance.md rewritten`);
    }
  } catch (err) {
    failed++;
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    // A bench stops its own servers; this catches what a failure or the time limit left behind.
    await cleanupAll();
  }
}
process.exit(failed > 0 ? 1 : 0);
