// Files that appear whole or not at all: write beside the target, fsync, rename.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Moves a finished file produced by an engine into place atomically (same file system). */
export async function commitFile(tmpPath: string, path: string): Promise<void> {
  const fh = await open(tmpPath, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmpPath, path);
}
