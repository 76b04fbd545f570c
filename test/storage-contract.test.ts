// The storage contract (test/helpers/storage-contract.ts) on the embedded backend: SQLite + files
// in a temporary data folder, reopened as main.ts opens it after a restart.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStorage } from '../src/storage/embedded/index.ts';
import type { Storage } from '../src/storage/ports.ts';
import { storageContract } from './helpers/storage-contract.ts';

storageContract('embedded (SQLite + files)', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quire-storage-'));
  let current: Storage | undefined = await openEmbeddedStorage(dataDir);
  const close = async () => {
    await current?.metadata.close();
    current = undefined;
  };
  return {
    storage: current,
    async reopen() {
      await close();
      current = await openEmbeddedStorage(dataDir);
      return current;
    },
    async cleanup() {
      await close();
      await rm(dataDir, { recursive: true, force: true });
    },
    // Writes stream into tmp/ and are renamed into blobs/ when complete.
    leftovers: async () => (await readdir(join(dataDir, 'tmp'))).length,
  };
});
