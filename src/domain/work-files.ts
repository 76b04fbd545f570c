// Work files: tenant-owned documents with a lifetime. Every session source is one too.
import type { Readable } from 'node:stream';
import { detectFormat, resolveFormat } from '../formats/detect.ts';
import { QuireError } from './errors.ts';
import { isWellFormedId, newWorkFileId } from './ids.ts';
import type { Clock } from './clock.ts';
import type { BlobRef, Storage, WorkFileRecord } from '../storage/ports.ts';

export interface WorkFileLimits {
  workFileLifetimeSeconds: number;
  maxUploadBytes: number;
}

export class WorkFiles {
  private readonly storage: Storage;
  private readonly limits: WorkFileLimits;
  private readonly clock: Clock;

  constructor(storage: Storage, limits: WorkFileLimits, clock: Clock) {
    this.storage = storage;
    this.limits = limits;
    this.clock = clock;
  }

  /** Streams bytes into storage (never whole in memory) and records a work file for them. */
  async create(tenant: string, body: Readable | AsyncIterable<Uint8Array>, opts: { fileExtension?: string | undefined; lifetimeSeconds?: number | undefined; maxBytes?: number }): Promise<WorkFileRecord> {
    const blob = await this.storage.blobs.put(body, opts.maxBytes ?? this.limits.maxUploadBytes, (ref) =>
      this.storage.metadata.recordBlob(ref, this.clock.now()),
    );
    return this.record(tenant, blob, opts.fileExtension, opts.lifetimeSeconds);
  }

  /** A new work file over bytes already stored. */
  async record(tenant: string, blob: BlobRef, fileExtension: string | undefined, lifetimeSeconds?: number): Promise<WorkFileRecord> {
    const format = resolveFormat(await detectFormat(await this.storage.blobs.localPath(blob.hash)), fileExtension);
    const now = this.clock.now();
    const rec: WorkFileRecord = {
      id: newWorkFileId(),
      tenant,
      hash: blob.hash,
      size: blob.size,
      extension: format ?? fileExtension ?? 'bin',
      format,
      createdAt: now,
      expiresAt: now + 1000 * Math.max(lifetimeSeconds ?? 0, this.limits.workFileLifetimeSeconds),
    };
    await this.storage.metadata.insertWorkFile(rec);
    return rec;
  }

  /** The tenant's live work file, or NotFound (another tenant's file is indistinguishable from none). */
  async get(tenant: string, id: string): Promise<WorkFileRecord> {
    const rec = isWellFormedId(id) ? await this.storage.metadata.getWorkFile(id) : undefined;
    if (!rec || rec.tenant !== tenant || rec.expiresAt <= this.clock.now()) {
      throw new QuireError('notFound', 'WorkFileDoesNotExist', 'The work file has expired or does not exist', { details: { in: 'path', at: 'fileId' } });
    }
    return rec;
  }

  /** Keeps a work file alive at least until `until` (sessions extend their source this way). */
  async extend(rec: WorkFileRecord, until: number): Promise<void> {
    if (rec.expiresAt < until) await this.storage.metadata.setWorkFileExpiry(rec.id, until);
  }

  async delete(tenant: string, id: string): Promise<void> {
    const rec = await this.get(tenant, id);
    await this.storage.metadata.deleteWorkFile(rec.id);
  }

  open(rec: { hash: string }): Readable {
    return this.storage.blobs.open(rec.hash);
  }
}
