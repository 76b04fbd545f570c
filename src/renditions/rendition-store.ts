// Where renditions live on disk: one folder per rendition key, holding the document's PDF (when
// Quire made one), a manifest (page count and sizes) and every page output and page text made so
// far. Every file is written atomically, so a crash never leaves a half page that a later request
// would serve. Keys are sha256 hex, never caller text.
import { mkdir, readFile, rm, stat, utimes, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { asStorageFull } from '../storage/storage-full.ts';
import { writeFileAtomic, commitFile } from './atomic-file.ts';

const KEY = /^[0-9a-f]{64}$/;
const NAME = /^[A-Za-z0-9._-]{1,128}$/;

export class RenditionStore {
  private readonly root: string;
  private readonly touched = new Map<string, number>();

  constructor(root: string) {
    this.root = root;
  }

  dir(key: string): string {
    if (!KEY.test(key)) throw new Error(`bad rendition key ${key}`);
    return join(this.root, key.slice(0, 2), key);
  }

  path(key: string, name: string): string {
    if (!NAME.test(name) || name.includes('..')) throw new Error(`bad rendition file name ${name}`);
    return join(this.dir(key), name);
  }

  async read(key: string, name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async readJson<T>(key: string, name: string): Promise<T | undefined> {
    const b = await this.read(key, name);
    return b ? (JSON.parse(b.toString('utf8')) as T) : undefined;
  }

  /** Throws StorageFull (a QuireError) when the disk is full, so callers can tell "no room" from a fault. */
  async write(key: string, name: string, data: string | Uint8Array): Promise<void> {
    try {
      await mkdir(this.dir(key), { recursive: true });
      await writeFileAtomic(this.path(key, name), data);
    } catch (err) {
      throw asStorageFull(err);
    }
  }

  /** A scratch path in the rendition's folder for an engine to write into; `commit` moves it into place. */
  async scratch(key: string, name: string): Promise<{ path: string; commit: () => Promise<void> }> {
    await mkdir(this.dir(key), { recursive: true }).catch((err: unknown) => Promise.reject(asStorageFull(err)));
    const final = this.path(key, name);
    const path = `${final}.${randomBytes(6).toString('hex')}.tmp`;
    return { path, commit: () => commitFile(path, final) };
  }

  /** Marks a rendition as used (at most hourly), so the sweep keeps what is still being read. */
  async touch(key: string, now: number): Promise<void> {
    if ((this.touched.get(key) ?? 0) > now - 3600_000) return;
    this.touched.set(key, now);
    const t = new Date(now);
    await utimes(this.dir(key), t, t).catch(() => undefined);
  }

  async drop(key: string): Promise<void> {
    this.touched.delete(key);
    await rm(this.dir(key), { recursive: true, force: true });
  }

  /**
   * At start-up, before anything converts: removes what writers killed by a crash left half-written —
   * Quire's scratch files and LibreOffice's own temporary files (both *.tmp). Returns how many.
   */
  async recover(): Promise<number> {
    let removed = 0;
    for (const shard of await readdir(this.root).catch(() => [] as string[])) {
      for (const key of await readdir(join(this.root, shard)).catch(() => [] as string[])) {
        if (!KEY.test(key)) continue;
        const dir = join(this.root, shard, key);
        for (const name of await readdir(dir).catch(() => [] as string[])) {
          if (!name.endsWith('.tmp')) continue;
          await rm(join(dir, name), { force: true, recursive: true });
          removed++;
        }
      }
    }
    return removed;
  }

  /** Removes renditions not used since `before` (ms). Returns how many. */
  async sweep(before: number): Promise<number> {
    let removed = 0;
    let shards: string[];
    try {
      shards = await readdir(this.root);
    } catch {
      return 0;
    }
    for (const shard of shards) {
      for (const key of await readdir(join(this.root, shard)).catch(() => [] as string[])) {
        if (!KEY.test(key)) continue;
        const st = await stat(join(this.root, shard, key)).catch(() => undefined);
        if (st && st.mtimeMs < before) {
          await this.drop(key);
          removed++;
        }
      }
    }
    return removed;
  }
}
