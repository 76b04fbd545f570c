// The contract between bench/run.ts and each bench/*.bench.ts: a bench's default export is a
// Bench; it measures, stops what it started, and returns a report the runner prints and writes
// into its own section of docs/performance.md.

export interface BenchSettings {
  /** Seconds per measured run. */
  durationSeconds: number;
  /** Measured runs per side (Quire, baseline), interleaved. */
  rounds: number;
  warmupSeconds: number;
  connections: number;
}

export interface BenchContext {
  settings: BenchSettings;
  /** Progress line on stderr. */
  log(line: string): void;
}

export interface BenchReport {
  /** Section heading in docs/performance.md. */
  title: string;
  /** Markdown above the table: what is measured and against what. */
  description: string;
  header: string[];
  rows: string[][];
  /** Markdown bullet lines under the table (observations from this run). */
  notes: string[];
  /** Everything measured, written to bench/results/ (not committed). */
  raw: unknown;
}

export interface Bench {
  /** Also the file name (`<name>.bench.ts`) and the section marker in docs/performance.md. */
  name: string;
  run(ctx: BenchContext): Promise<BenchReport>;
}
