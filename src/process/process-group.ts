// Child processes that run in their own process group, so a timeout or a shutdown can kill the whole
// tree (a converter and everything it started) with one `process.kill(-pid)`.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { killGroupOnExit } from './exit-reaper.ts';

/** Sends `signal` to every process in the group led by `pid`; false if the group is already gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  if (pid === undefined || pid <= 0) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns `command` as the leader of a new process group. The group is killed if this Node process
 * exits first (see exit-reaper.ts); the child's own descendants must not start new sessions for that
 * to reach them.
 */
export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid !== undefined) {
    const forget = killGroupOnExit(child.pid);
    child.once('exit', forget);
  }
  return child;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export interface RunOptions {
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Output beyond this many bytes per stream is dropped (the start is kept). Default 1 MiB. */
  maxOutputBytes?: number;
}

/** Runs a command to completion in its own process group; on timeout the whole group is killed. */
export function runGroup(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const limit = opts.maxOutputBytes ?? 1 << 20;
  return new Promise((resolve, reject) => {
    const child = spawnGroup(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = collect(child.stdout, limit);
    const err = collect(child.stderr, limit);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, opts.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      // The leader is gone; make sure nothing it left behind in its group keeps running.
      killGroup(child.pid);
      resolve({ code, signal, stdout: out(), stderr: err(), timedOut, ms: performance.now() - started });
    });
  });
}

function collect(stream: NodeJS.ReadableStream | null, limit: number): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on('data', (chunk: Buffer) => {
    if (size >= limit) return;
    chunks.push(chunk.subarray(0, limit - size));
    size += chunk.length;
  });
  return () => Buffer.concat(chunks).toString('utf8');
}
