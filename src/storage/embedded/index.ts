// The embedded backend: everything under one data folder, no external service.
import { mkdir } from 'node:fs/promises';
import type { Storage } from '../ports.ts';
import { FileBlobStore } from './file-blobs.ts';
import { SqliteMetadataStore } from './sqlite-metadata.ts';

export async function openEmbeddedStorage(dataDir: string): Promise<Storage> {
  await mkdir(dataDir, { recursive: true });
  const blobs = new FileBlobStore(dataDir);
  await blobs.init();
  return { metadata: new SqliteMetadataStore(dataDir), blobs };
}
