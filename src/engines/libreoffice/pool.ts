// The LibreOffice engine: a pool of warm LibreOffice instances (uno-worker-process.ts), supervised by
// the generic policy in process/supervised-pool.ts, with errors from errors.ts.

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { QuireError } from '../../domain/errors.ts';
import { createSupervisedPool, type PoolEvent, type PoolStats } from '../../process/supervised-pool.ts';
import { zipInflationProblem } from '../../formats/detect.ts';
import { conversionTimedOut, engineBusy, engineClosed, engineCrashed, engineUnavailable, unpacksTooMuch } from './errors.ts';
import { EncryptableFormats, isOutputFormat } from './formats.ts';
import { UnoWorkerProcess, type UnoJob } from './uno-worker-process.ts';

export interface LibreOfficePoolOptions {
  /** Warm instances, each with its own profile. Default: the number of CPU cores. */
  size?: number;
  /** Per conversion, from the moment an instance takes it; the instance is killed and restarted. Default 60 000. */
  jobTimeoutMs?: number;
  /** Restart an instance after this many jobs. Default 200. */
  maxJobsPerInstance?: number;
  /** Restart an instance after a job that left its soffice above this resident memory. Default 1500. */
  maxRssMb?: number;
  /** Kill an instance whose soffice grows past this during a job; the job fails with CouldNotConvert. Default 3000. */
  hardRssMb?: number;
  /** Conversions waiting for an instance beyond this fail at once with EngineBusy. Default 100. */
  queueLimit?: number;
  /** Where instance profiles live. Default: a new directory under the OS temp dir, removed by close(). */
  profileRoot?: string;
  /** Python with python3-uno. Default /usr/bin/python3 (Debian's; a pyenv python has no uno). */
  pythonPath?: string;
  /** Default /usr/lib/libreoffice/program/soffice.bin. */
  sofficePath?: string;
  /** For one instance to accept jobs. Default 60 000. */
  startTimeoutMs?: number;
  /** Restarts, start failures: for the log. */
  onEvent?: (event: PoolEvent) => void;
}

export interface ConvertOptions {
  /** pdf, docx, odt, rtf, html or txt. */
  format: string;
  /** The input's canonical extension (no dot). Text formats (txt, csv, html) need it to be read right. */
  inputExtension?: string;
  /** Password of a protected input. */
  password?: string;
  /** Encrypt the output with this password (odt only). */
  outputPassword?: string;
  /** PDF only: write just these pages, 1-based ("1-3"), e.g. a document's first pages ahead of the rest. */
  pages?: string;
  /** Overrides jobTimeoutMs for this conversion. */
  timeoutMs?: number;
  /** Aborting drops the conversion while it still waits for an instance (one already running runs on). */
  signal?: AbortSignal;
}

export interface InstanceInfo {
  pid: number;
  sofficePid: number;
  startMs: number;
  rssMb: number | undefined;
}

export interface LibreOfficePoolStats extends PoolStats {
  instances: InstanceInfo[];
  profileRoot: string;
}

export interface LibreOfficePool {
  convert(inputPath: string, outputPath: string, opts: ConvertOptions): Promise<void>;
  /** Starts every instance now rather than on first use (server start, benchmarks). */
  warmUp(): Promise<void>;
  /** Fails pending conversions with EngineClosed and kills every instance. */
  close(): Promise<void>;
  stats(): Promise<LibreOfficePoolStats>;
}

export const LibreOfficePoolDefaults = {
  jobTimeoutMs: 60_000,
  maxJobsPerInstance: 200,
  maxRssMb: 1500,
  hardRssMb: 3000,
  queueLimit: 100,
  pythonPath: '/usr/bin/python3',
  sofficePath: '/usr/lib/libreoffice/program/soffice.bin',
  startTimeoutMs: 60_000,
} as const;

export function createLibreOfficePool(options: LibreOfficePoolOptions = {}): LibreOfficePool {
  const o = { ...LibreOfficePoolDefaults, size: availableParallelism(), ...withoutUndefined(options) };
  const ownRoot = options.profileRoot === undefined;
  const profileRoot = ownRoot ? mkdtempSync(join(tmpdir(), 'quire-lo-')) : resolve(options.profileRoot!);
  const tag = randomBytes(4).toString('hex');
  let generation = 0;

  const pool = createSupervisedPool<UnoJob, void>({
    size: Math.max(1, Math.floor(o.size)),
    queueLimit: o.queueLimit,
    taskTimeoutMs: o.jobTimeoutMs,
    maxTasksPerMember: o.maxJobsPerInstance,
    retriesAfterCrash: 1,
    maxStartFailures: 3,
    async start(slot, signal) {
      const profileDir = join(profileRoot, `instance-${slot}`);
      await mkdir(profileDir, { recursive: true });
      return UnoWorkerProcess.start({
        python: o.pythonPath,
        soffice: o.sofficePath,
        profileDir,
        // Unique per start: a successor must never connect to its predecessor's pipe.
        pipeName: `quire-lo-${process.pid}-${tag}-${slot}-${++generation}`,
        startTimeoutMs: o.startTimeoutMs,
        maxRssMb: o.maxRssMb,
        hardRssMb: o.hardRssMb,
        signal,
      });
    },
    errors: {
      busy: engineBusy,
      timedOut: conversionTimedOut,
      crashed: engineCrashed,
      closed: engineClosed,
      unavailable: engineUnavailable,
    },
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  });

  return {
    async convert(inputPath, outputPath, opts) {
      if (!isOutputFormat(opts.format)) {
        throw new QuireError('internal', 'UnsupportedOutputFormat', `The LibreOffice engine cannot write ${opts.format}`);
      }
      if (opts.outputPassword !== undefined && !EncryptableFormats.includes(opts.format)) {
        throw new QuireError('internal', 'UnsupportedOutputFormat', `The LibreOffice engine cannot encrypt ${opts.format}`);
      }
      const job: UnoJob = {
        // The worker resolves paths against its own cwd; make them ours.
        input: isAbsolute(inputPath) ? inputPath : resolve(inputPath),
        output: isAbsolute(outputPath) ? outputPath : resolve(outputPath),
        format: opts.format,
        ...(opts.inputExtension !== undefined ? { inputExtension: opts.inputExtension.replace(/^\./, '').toLowerCase() } : {}),
        ...(opts.password !== undefined ? { password: opts.password } : {}),
        ...(opts.outputPassword !== undefined ? { outputPassword: opts.outputPassword } : {}),
        ...(opts.pages !== undefined ? { pages: opts.pages } : {}),
      };
      // LibreOffice inflates a package's parts whole, so a zip bomb would cost gigabytes before any time limit.
      const problem = await zipInflationProblem(job.input);
      if (problem) throw unpacksTooMuch(problem);
      const timeoutMs = opts.timeoutMs ?? o.jobTimeoutMs;
      // A conversion waits for an instance at most as long as it may run: an answer within twice its limit.
      await pool.run(job, { timeoutMs, maxQueueWaitMs: timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) });
    },

    warmUp: () => pool.warmUp(),

    async close() {
      await pool.close();
      if (ownRoot) await rm(profileRoot, { recursive: true, force: true });
    },

    async stats() {
      const members = pool.members().filter((m): m is UnoWorkerProcess => m instanceof UnoWorkerProcess);
      const instances = await Promise.all(
        members.map(async (m) => ({ pid: m.pid, sofficePid: m.sofficePid, startMs: m.startMs, rssMb: await m.rssMb() })),
      );
      return { ...pool.stats(), instances, profileRoot };
    },
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
