// Spawns one external tool per call (no shell), with a hard time limit that SIGKILLs it and a cap on
// how much it may print, so a hostile PDF can neither hang a request nor fill memory.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

// A tool must die with Quire: after a crash nobody would kill one spinning on a hostile page. setpriv
// (util-linux, on every Debian) asks the kernel for that (PR_SET_PDEATHSIG) before it execs the tool.
const SETPRIV = '/usr/bin/setpriv';
const dieWithParent = existsSync(SETPRIV);

export interface ToolResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The tool printed more than maxStdoutBytes and was killed. */
  overflowed: boolean;
  ms: number;
}

export interface RunToolOptions {
  timeoutMs: number;
  maxStdoutBytes: number;
}

const MAX_STDERR_CHARS = 16_384;

export function runTool(command: string, args: readonly string[], opts: RunToolOptions): Promise<ToolResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const [file, argv] = dieWithParent ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let timedOut = false;
    let overflowed = false;
    let settled = false;

    const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
    const timer = setTimeout(() => { timedOut = true; kill(); }, opts.timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => {
      if (overflowed) return;
      size += chunk.length;
      if (size > opts.maxStdoutBytes) { overflowed = true; chunks.length = 0; kill(); return; }
      chunks.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => { if (stderr.length < MAX_STDERR_CHARS) stderr += s.slice(0, MAX_STDERR_CHARS - stderr.length); });

    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(chunks),
        stderr: spawnError ? `${stderr}${spawnError.message}` : stderr,
        code: spawnError ? -1 : code,
        signal,
        timedOut,
        overflowed,
        ms: performance.now() - started,
      });
    };
    child.on('error', (err) => finish(null, null, err));
    // 'close' (not 'exit') so all of stdout has been read.
    child.on('close', (code, signal) => finish(code, signal));
  });
}
