// Content-addressed document bytes on the local disk: blobs/ab/cdef… named by sha256.
// A write streams into tmp/, is fsynced, then renamed into place, so a reader (or a restart after
// a crash) only ever sees complete files. tmp/ is emptied at start-up.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { QuireError } from '../../domain/errors.ts';
import type { BlobRef, BlobStore } from '../ports.ts';

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
    const hasher = createHash('sha256');
    const out = createWriteStream(tmpPath, { flags: 'wx' });
    let size = 0;
    try {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > maxBytes) {
          throw new QuireError('tooLarge', 'PayloadTooLarge', `The document is larger than the limit of ${maxBytes} bytes`);
        }
        hasher.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((res, rej) => { out.once('drain', res); out.once('error', rej); });
      }
      await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
      const hash = hasher.digest('hex');
      await fsyncFile(tmpPath);
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
      out.destroy();
      await rm(tmpPath, { force: true });
      if (err instanceof QuireError) throw err;
      if (isNoSpace(err)) throw new QuireError('unavailable', 'StorageFull', 'The server has no room to store this document', { cause: err });
      throw err;
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

function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
