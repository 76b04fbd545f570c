// One warm LibreOffice: the Python UNO worker (uno-worker.py) and the soffice it starts, in one process
// group of their own. A pool member: runs one job at a time, dies as a whole.

import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killGroup, spawnGroup } from '../../process/process-group.ts';
import { readJsonLines, TextTail } from '../../process/json-lines.ts';
import { residentMb } from '../../process/proc-memory.ts';
import { MemberDied, type Member } from '../../process/supervised-pool.ts';
import { fromWorkerFailure, usedTooMuchMemory, type WorkerFailure } from './errors.ts';

const KILL_GRACE_MS = 1000;
const WORKER_SCRIPT = fileURLToPath(new URL('./uno-worker.py', import.meta.url));

export interface UnoJob {
  input: string;
  output: string;
  format: string;
  inputExtension?: string;
  password?: string;
  outputPassword?: string;
  /** PDF only: the pages to write, 1-based ("1-3"); the whole document is still laid out. */
  pages?: string;
}

export interface UnoWorkerOptions {
  /** A Python with python3-uno: Debian's /usr/bin/python3, not a pyenv/venv one. */
  python: string;
  /** soffice.bin itself, not the `soffice` shell wrapper, so its pid is the one we watch. */
  soffice: string;
  profileDir: string;
  pipeName: string;
  startTimeoutMs: number;
  /** Recycle when soffice's resident memory exceeds this. */
  maxRssMb: number;
  /** Kill soffice mid-job when its resident memory exceeds this; the job fails as the document's fault. */
  hardRssMb: number;
  signal?: AbortSignal;
}

/** How often a running job's memory is looked at: a bomb grows by ~1 GB/s, so this bounds the overshoot. */
const MEMORY_WATCH_MS = 200;

interface Pending {
  id: string;
  resolve(): void;
  reject(error: unknown): void;
}

export class UnoWorkerProcess implements Member<UnoJob, void> {
  readonly exited: Promise<void>;
  readonly pid: number;
  /** soffice.bin's pid (known once started). */
  sofficePid = 0;
  startMs = 0;
  private readonly child: ChildProcess;
  private readonly stderr = new TextTail();
  private readonly maxRssMb: number;
  private readonly hardRssMb: number;
  private pending: Pending | undefined;
  private nextId = 1;
  private gone = false;
  /** Killed for its memory: takes no more jobs while it exits. */
  private condemned = false;
  private exitNote = '';

  private constructor(child: ChildProcess, maxRssMb: number, hardRssMb: number) {
    this.child = child;
    this.pid = child.pid!;
    this.maxRssMb = maxRssMb;
    this.hardRssMb = hardRssMb;
    child.once('exit', (code, signal) => {
      this.gone = true;
      this.exitNote ||= `worker exited (${signal ?? `code ${code}`})`;
      // Whatever the worker left in its group (a soffice mid-shutdown) goes with it.
      killGroup(this.pid);
    });
    // 'close' comes once every holder of the worker's stdio, soffice included, is gone: only then may
    // a successor reuse the profile directory.
    this.exited = new Promise((resolve) => {
      child.once('close', () => {
        this.gone = true;
        this.pending?.reject(new MemberDied(this.exitNote, { cause: { message: this.exitNote, stderr: this.stderr.toString() } }));
        this.pending = undefined;
        resolve();
      });
    });
  }

  /** Starts the worker and waits until its soffice accepts jobs. */
  static start(opts: UnoWorkerOptions): Promise<UnoWorkerProcess> {
    const args = [WORKER_SCRIPT, '--soffice', opts.soffice, '--profile', opts.profileDir, '--pipe', opts.pipeName, '--start-timeout', String(opts.startTimeoutMs / 1000)];
    const child = spawnGroup(opts.python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      if (child.pid === undefined) {
        child.once('error', (e) => reject(e));
        return;
      }
      const worker = new UnoWorkerProcess(child, opts.maxRssMb, opts.hardRssMb);
      let ready = false;
      const fail = (message: string) => {
        if (ready) return;
        ready = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', abort);
        worker.kill();
        reject(new Error(message, { cause: { stderr: worker.stderr.toString() } }));
      };
      const abort = () => fail('start aborted');
      // The worker has its own start timeout; this one also covers a worker that never answers.
      const timer = setTimeout(() => fail(`LibreOffice did not start within ${opts.startTimeoutMs} ms`), opts.startTimeoutMs + 5000);
      opts.signal?.addEventListener('abort', abort, { once: true });
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => worker.stderr.push(chunk));
      child.stdin!.on('error', () => {}); // EPIPE when the worker died; the exit handler reports it
      readJsonLines(
        child.stdout!,
        (message) => {
          if (!ready && message.event === 'ready') {
            ready = true;
            clearTimeout(timer);
            opts.signal?.removeEventListener('abort', abort);
            worker.sofficePid = Number(message.sofficePid);
            worker.startMs = Number(message.startMs);
            resolve(worker);
          } else if (!ready && message.event === 'failed') {
            fail(`LibreOffice failed to start: ${String(message.message)}`);
          } else {
            worker.onMessage(message);
          }
        },
        (line) => worker.stderr.push(`[stdout] ${line}\n`),
      );
      void worker.exited.then(() => fail(`the UNO worker exited while starting: ${worker.stderr.toString().slice(-500)}`));
    });
  }

  run(job: UnoJob): Promise<void> {
    if (this.gone || this.condemned) return Promise.reject(new MemberDied('worker is gone'));
    if (this.pending) return Promise.reject(new Error('UnoWorkerProcess runs one job at a time'));
    const id = String(this.nextId++);
    const job$ = new Promise<void>((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.child.stdin!.write(JSON.stringify({ id, ...job }) + '\n');
    });
    // A package whose parts unpack to gigabytes (an encrypted one cannot be judged before LibreOffice
    // decrypts it) is stopped here, before it takes the machine's memory.
    const watch = setInterval(() => {
      void this.rssMb().then((mb) => {
        const pending = this.pending;
        if (mb === undefined || mb <= this.hardRssMb || !pending || pending.id !== id) return;
        this.pending = undefined;
        this.condemned = true;
        this.exitNote = `soffice used ${mb} MiB, more than ${this.hardRssMb}`;
        pending.reject(usedTooMuchMemory(this.hardRssMb));
        this.kill();
      });
    }, MEMORY_WATCH_MS);
    return job$.finally(() => clearInterval(watch));
  }

  private onMessage(message: Record<string, unknown>): void {
    if (message.event === 'died') {
      // soffice died on its own; the worker exits next and the exit handler fails the pending job.
      this.exitNote = `soffice died (${String(message.code)})`;
      return;
    }
    const pending = this.pending;
    if (!pending || message.id !== pending.id) return;
    this.pending = undefined;
    if (message.ok === true) {
      pending.resolve();
      return;
    }
    const failure = String(message.error) as WorkerFailure;
    const cause = { failure, message: String(message.message ?? ''), stderr: this.stderr.toString() };
    if (failure === 'crashed') {
      this.exitNote = `soffice crashed: ${cause.message}`;
      pending.reject(new MemberDied(this.exitNote, { cause }));
    } else {
      pending.reject(fromWorkerFailure(cause));
    }
  }

  /**
   * Ends the instance now. SIGTERM lets the worker SIGKILL its soffice and reap it (a killed orphan
   * would be left to an init that, in some containers, never reaps); the group kill that follows
   * shortly is for a worker that cannot even do that.
   */
  kill(): void {
    if (this.gone) {
      killGroup(this.pid);
      return;
    }
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      // exiting already
    }
    const fallback = setTimeout(() => killGroup(this.pid), KILL_GRACE_MS);
    void this.exited.then(() => clearTimeout(fallback));
  }

  async stop(): Promise<void> {
    if (this.gone) return;
    this.child.stdin!.write(JSON.stringify({ op: 'quit' }) + '\n');
    const grace = setTimeout(() => this.kill(), 5000);
    await this.exited;
    clearTimeout(grace);
  }

  async fit(): Promise<boolean> {
    if (this.condemned) return false;
    const mb = await this.rssMb();
    return mb === undefined || mb <= this.maxRssMb;
  }

  /** soffice's resident memory in MiB. */
  rssMb(): Promise<number | undefined> {
    return residentMb(this.sofficePid);
  }
}
