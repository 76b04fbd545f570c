// Starts a real Quire process (node src/main.ts) on a free port with its own data folder, for
// integration tests. Nothing is mocked: tests talk HTTP to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CORPUS = resolve(ROOT, '../shared/corpus');

export interface Quire {
  baseUrl: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
  /** Stop (or kill) and start again on the same data folder and environment. */
  restart(opts?: { kill?: boolean }): Promise<Quire>;
  /** Stop and remove the data folder. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  dataDir?: string;
}

export async function startQuire(opts: StartOptions = {}): Promise<Quire> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'quire-test-'));
  const env = { ...process.env, PORT: '0', HOST: '127.0.0.1', QUIRE_DATA_DIR: dataDir, QUIRE_LOG_LEVEL: 'info', ...opts.env };
  const child = spawn(process.execPath, [join(ROOT, 'src/main.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));

  const baseUrl = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`Quire did not start in 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /Quire ready on (http:\/\/[^ ]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`Quire exited with ${code} before it was ready:\n${out}`));
    });
  });

  const q: Quire = {
    baseUrl,
    dataDir,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async restart(r = {}) {
      await (r.kill ? q.kill() : q.stop());
      return startQuire({ ...opts, dataDir });
    },
    async dispose() {
      await q.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return q;
}

/** fetch against a Quire, returning status, headers and the parsed JSON body (or text). */
export async function call(
  q: { baseUrl: string },
  method: string,
  path: string,
  opts: { json?: unknown; body?: BodyInit | Uint8Array; headers?: Record<string, string> } = {},
): Promise<{ status: number; statusText: string; headers: Headers; body: any; bytes: Buffer }> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.body !== undefined) {
    body = opts.body as BodyInit;
  }
  const res = await fetch(q.baseUrl + path, { method, headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
  const bytes = Buffer.from(await res.arrayBuffer());
  let parsed: unknown = undefined;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json') && bytes.length > 0) parsed = JSON.parse(bytes.toString('utf8'));
  else if (type.startsWith('text/')) parsed = bytes.toString('utf8');
  return { status: res.status, statusText: res.statusText, headers: res.headers, body: parsed, bytes };
}
