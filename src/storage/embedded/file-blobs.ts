// Content-addressed document bytes on the local disk: blobs/ab/cdef… named by sha256.
// A write streams into tmp/, is fsynced, then renamed into place, so a reader (or a restart after
// a crash) only ever sees complete files. tmp/ is emptied at start-up.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { QuireError } from '../../domain/errors.ts';
import type { BlobRef, BlobStore } from '../ports.ts';
import { asStorageFull } from '../storage-full.ts';

const HASH = /^[0-9a-f]{64}$/;

export class FileBlobStore implements BlobStore {
  private readonly root: string;
  private readonly tmp: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'blobs');
    this.tmp = join(dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await mkdir(this.tmp, { recursive: true });
  }

  private path(hash: string): string {
    // The hash is the only part of a path that comes from data; never let anything else through.
    if (!HASH.test(hash)) throw new QuireError('internal', 'InternalError', `bad blob name ${JSON.stringify(hash)}`);
    return join(this.root, hash.slice(0, 2), hash.slice(2));
  }

  async put(source: Readable | AsyncIterable<Uint8Array>, maxBytes: number, beforeCommit?: (ref: BlobRef) => Promise<void>): Promise<BlobRef> {
    const tmpPath = join(this.tmp, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    // Created before the source is read: from here on the file exists and this put removes it on
    // failure (a write stream opens lazily, so a put failing at once could unlink before the create).
    let fh: FileHandle;
    try {
      fh = await open(tmpPath, 'wx');
    } catch (err) {
      throw asStorageFull(err);
    }
    // A file handle and awaited writes, not a WriteStream: no 'error' events that could go unheard.
    const writer = new FileWriter(fh);
    let fileOpen = true;
    try {
      const hasher = createHash('sha256');
      let size = 0;
      for await (const chunk of source) {
        size += chunk.length;
        if (size > maxBytes) {
          throw new QuireError('tooLarge', 'PayloadTooLarge', `The document is larger than the limit of ${maxBytes} bytes`);
        }
        hasher.update(chunk);
        await writer.write(chunk);
      }
      await writer.flush();
      await fh.sync();
      fileOpen = false;
      await fh.close();
      const hash = hasher.digest('hex');
      // Recorded before it becomes visible: a crash right after the rename leaves a known blob for
      // the sweep to collect, never an orphan file nobody knows about.
      await beforeCommit?.({ hash, size });
      const final = this.path(hash);
      const dir = join(this.root, hash.slice(0, 2));
      await mkdir(dir, { recursive: true });
      // Same bytes already stored: keep the existing file (rename would also be atomic and harmless).
      await rename(tmpPath, final);
      await fsyncFile(dir);
      return { hash, size };
    } catch (err) {
      if (fileOpen) {
        // Closing under a write still in flight is unsafe (its fd number may be reused); let it end.
        await writer.settled();
        await fh.close().catch(() => {});
      }
      await rm(tmpPath, { force: true });
      throw asStorageFull(err);
    }
  }

  open(hash: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.path(hash), range);
  }

  async head(hash: string, n: number): Promise<Buffer> {
    const fh = await open(this.path(hash), 'r');
    try {
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async localPath(hash: string): Promise<string> {
    return this.path(hash);
  }

  async exists(hash: string): Promise<boolean> {
    try {
      await stat(this.path(hash));
      return true;
    } catch {
      return false;
    }
  }

  async delete(hash: string): Promise<void> {
    await rm(this.path(hash), { force: true });
  }

  async recover(): Promise<void> {
    for (const name of await readdir(this.tmp)) await rm(join(this.tmp, name), { force: true, recursive: true });
  }
}

async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Gathered chunks go to disk once this much is waiting: few, large writes, bounded memory. */
const BATCH_BYTES = 64 * 1024;

/**
 * Writes a file in order with at most one write in flight, so the next chunks are read and hashed
 * while the previous ones go to disk; small chunks are gathered into one writev.
 */
class FileWriter {
  private readonly fh: FileHandle;
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private inFlight: Promise<void> | undefined;

  constructor(fh: FileHandle) {
    this.fh = fh;
  }

  /** Queues a chunk; waits (backpressure) only while the previous batch is still being written. */
  async write(chunk: Uint8Array): Promise<void> {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= BATCH_BYTES) await this.send();
  }

  /** Writes what is queued and waits for every write; throws a failed write's error. */
  async flush(): Promise<void> {
    await this.send();
    await this.inFlight;
  }

  /** Resolves once no write is in flight, whatever its outcome: the file may then be closed. */
  async settled(): Promise<void> {
    await this.inFlight?.catch(() => {});
  }

  private async send(): Promise<void> {
    await this.inFlight; // rethrows a previous write's failure
    this.inFlight = undefined;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    const write = writeAll(this.fh, batch);
    // Its failure is thrown by the next send or flush; until then it must not count as unhandled.
    write.catch(() => {});
    this.inFlight = write;
  }
}

/** writev until every byte is written (a write may be partial). */
async function writeAll(fh: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let rest = chunks;
  for (;;) {
    let { bytesWritten } = await fh.writev(rest);
    if (bytesWritten === 0) throw new Error('the disk accepted no bytes'); // would loop forever
    let i = 0;
    while (i < rest.length && bytesWritten >= rest[i]!.length) bytesWritten -= rest[i++]!.length;
    if (i === rest.length) return;
    rest = [rest[i]!.subarray(bytesWritten), ...rest.slice(i + 1)];
  }
}
