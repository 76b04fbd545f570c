// CPU time of a whole process tree (Linux /proc): a server and everything it started, e.g. Quire with
// its LibreOffice instances and the poppler tools it spawns. Unlike the machine's busy time, this
// leaves out whatever else runs on a shared machine, so "CPU per document" stays comparable when
// other jobs come and go.
import { readdirSync, readFileSync } from 'node:fs';

// USER_HZ is 100 on every Linux architecture Node supports.
const CLOCK_TICKS = 100;

interface Stat {
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks: its own CPU and that of the children it reaped. */
  ticks: number;
}

function readStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let raw: string;
    try {
      raw = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name, which is in parentheses and may contain spaces.
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
  }
  return stats;
}

/** `root` and its living descendants, leaving out the subtrees rooted at `exclude` pids. */
export function processTree(root: number, exclude: number[] = [], stats: Map<number, Stat> = readStats()): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(pid);
    else children.set(s.ppid, [pid]);
  }
  const skip = new Set(exclude);
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (skip.has(pid)) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/**
 * CPU seconds used so far by `root` and all its living descendants, including the children they
 * reaped (a finished tool's time moves into its parent's cutime, so the sum only grows). Subtrees
 * rooted at `exclude` pids are left out.
 */
export function treeCpuSeconds(root: number, exclude: number[] = []): number {
  const stats = readStats();
  const ticks = processTree(root, exclude, stats).reduce((sum, pid) => sum + (stats.get(pid)?.ticks ?? 0), 0);
  return ticks / CLOCK_TICKS;
}
