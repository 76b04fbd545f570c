// Starts a real Quire process (node src/main.ts) on a free port with its own data folder, for
// integration tests. Nothing is mocked: tests talk HTTP to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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
  // The port is picked here, then handed to Quire: another process may take it in between, so a
  // start that fails on EADDRINUSE is retried on a fresh port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(opts, dataDir);
    } catch (err) {
      if (err instanceof PortTaken && attempt < 5) continue;
      // A data folder made here for a Quire that never started would be left to nobody.
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  }
}

class PortTaken extends Error {}

async function launch(opts: StartOptions, dataDir: string): Promise<Quire> {
  const env: Record<string, string | undefined> = { ...process.env, HOST: '127.0.0.1', QUIRE_DATA_DIR: dataDir, QUIRE_LOG_LEVEL: 'info', ...opts.env };
  // Readiness is learned from the health route, not from a log line, so any log level works; that
  // needs the port up front, hence no PORT=0 unless the caller chose a port.
  const picked = env.PORT === undefined || env.PORT === '0';
  if (picked) env.PORT = String(await freePort(env.HOST!));
  const host = env.HOST === '0.0.0.0' || env.HOST === '' ? '127.0.0.1' : env.HOST === '::' ? '::1' : env.HOST!;
  const baseUrl = `http://${isIPv6(host) ? `[${host}]` : host}:${env.PORT}`;

  const child = spawn(process.execPath, [join(ROOT, 'src/main.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const alive = () => child.exitCode === null && child.signalCode === null;

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!alive()) {
      if (picked && out.includes('EADDRINUSE')) throw new PortTaken(out);
      throw new Error(`Quire exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${out}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`Quire did not start in 30 s:\n${out}`);
    }
    if (await healthy(baseUrl)) {
      // Something else on this port could have answered while ours failed to bind: ours must still be running.
      await sleep(10);
      if (alive()) break;
    } else {
      await Promise.race([sleep(25), exited]);
    }
  }

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

/** A port nothing listens on right now: the OS picks one for a throwaway listener. */
function freePort(host: string): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, host, () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? res(port) : rej(new Error('no port'))));
    });
  });
}

async function healthy(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/PCCIS/V1/Service/Current/Health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false; // not listening yet
  }
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
