// One line naming the machine a table came from: figures from different machines do not compare.
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

export function describeMachine(): string {
  let model = 'unknown CPU';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1]!.trim();
  } catch {
    // not Linux: keep "unknown"
  }
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return `${availableParallelism()} cores, ${model}, ${gib} GiB RAM, Node ${process.version} on ${process.platform}`;
}
