// The processes a bench starts: the bare baseline server, CPU time read from /proc, and a registry
// of stop functions so the runner can stop everything on Ctrl-C, SIGTERM or a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const BARE_SERVER = resolve(import.meta.dirname, '../baseline/bare-server.ts');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

const cleanups = new Set<() => Promise<void>>();
const livePids = new Set<number>();

/** Remember how to stop something; returns the function that forgets it again. */
export function onCleanup(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Runs every registered stop function (each bounded in time), e.g. from a signal handler. */
export async function cleanupAll(): Promise<void> {
  const fns = [...cleanups];
  cleanups.clear();
  await Promise.allSettled(fns.map((fn) => withTimeout(fn(), STOP_TIMEOUT_MS)));
}

/** Last resort on process exit (sync only): kill children that are somehow still alive. */
export function killLeftovers(): void {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface BareServer {
  baseUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts bench/baseline/bare-server.ts with the same node binary as the runner (and as Quire). */
export async function startBare(env: Record<string, string>): Promise<BareServer> {
  const child = spawn(process.execPath, [BARE_SERVER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await withTimeout(exited, STOP_TIMEOUT_MS).catch(() => child.kill('SIGKILL'));
  };
  const forget = onCleanup(stop);
  try {
    const baseUrl = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`bare server did not start in ${START_TIMEOUT_MS / 1000} s:\n${out}`)), START_TIMEOUT_MS);
      child.stdout!.on('data', () => {
        const m = /bare ready on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          res(m[1]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        rej(new Error(`bare server exited with ${code} before it was ready:\n${out}`));
      });
    });
    return {
      baseUrl,
      pid: child.pid!,
      stop: async () => {
        forget();
        await stop();
      },
    };
  } catch (err) {
    forget();
    await stop();
    throw err;
  }
}

/** Remembers a child's pid until it exits, for killLeftovers. */
export function track(child: ChildProcess): void {
  if (child.pid === undefined) return;
  const pid = child.pid;
  livePids.add(pid);
  child.once('exit', () => livePids.delete(pid));
}

/** User + system CPU seconds a process has used so far (Linux /proc). */
export function cpuSeconds(pid: number): number {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return ticks / CLOCK_TICKS;
}

/** Busy CPU seconds of the whole machine so far (all cores, idle and iowait excluded). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / CLOCK_TICKS;
}

// USER_HZ is 100 on every Linux architecture Node supports.
const CLOCK_TICKS = 100;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}
