// Memory of a server and of everything it started (Linux /proc): the peak resident size the kernel
// kept for the process itself (VmHWM), and the proportional set size (Pss) of its whole process tree,
// which shares libraries between LibreOffice instances fairly instead of counting them once per process.
import { readFileSync } from 'node:fs';
import { processTree } from './process-tree.ts';

function statusField(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined; // exited
  }
}

/** Peak resident set size of one process over its life so far, bytes. */
export function peakRssBytes(pid: number): number | undefined {
  return statusField(pid, 'VmHWM');
}

/** Resident set size of one process now, bytes. */
export function rssBytes(pid: number): number | undefined {
  return statusField(pid, 'VmRSS');
}

/** Memory of the whole tree now, bytes: Pss where the kernel offers it, else Rss. */
export function treeMemoryBytes(root: number): { bytes: number; processes: number } {
  const pids = processTree(root);
  let bytes = 0;
  for (const pid of pids) {
    let pss: number | undefined;
    try {
      const m = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m) pss = Number(m[1]) * 1024;
    } catch {
      // no smaps_rollup (old kernel) or exited
    }
    bytes += pss ?? rssBytes(pid) ?? 0;
  }
  return { bytes, processes: pids.length };
}
