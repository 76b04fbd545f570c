// docs/performance.md: each bench owns the text between `<!-- bench:NAME -->` and
// `<!-- /bench:NAME -->`. Rewriting one section leaves the intro and every other bench's section as
// they were; a bench seen for the first time gets its section appended at the end.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BenchReport } from './types.ts';

export interface RunInfo {
  command: string;
  date: string;
  machine: string;
}

export function renderSection(name: string, report: BenchReport, info: RunInfo): string {
  const lines = [
    `## ${report.title}`,
    '',
    report.description.trim(),
    '',
    `Produced by \`${info.command}\` on ${info.date}; machine: ${info.machine}.`,
    '',
    markdownTable(report.header, report.rows),
    '',
    ...report.notes.map((n) => `- ${n}`),
  ];
  return `<!-- bench:${name} -->\n${lines.join('\n').trim()}\n<!-- /bench:${name} -->`;
}

export function writeSection(docPath: string, name: string, section: string): void {
  const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Performance\n';
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  let next: string;
  if (i >= 0 && j > i) next = doc.slice(0, i) + section + doc.slice(j + end.length);
  else if (i >= 0 || j >= 0) throw new Error(`${docPath}: the markers of section "${name}" are unbalanced; fix them by hand`);
  else next = `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(docPath, next);
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The same table, aligned for a terminal. */
export function textTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((x, c) => x.padEnd(widths[c]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
