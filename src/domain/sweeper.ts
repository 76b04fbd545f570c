// Removes what has expired: sessions (which then answer 403 for a while, then are forgotten),
// work files, and document bytes nothing refers to any more.
import type { Storage } from '../storage/ports.ts';
import type { Clock } from './clock.ts';
import type { ViewingSessions } from './viewing-sessions.ts';

export interface SweepSettings {
  expiredSessionMemorySeconds: number;
  /** Bytes younger than this are never collected: an upload may be between writing them and recording its work file. */
  blobGraceSeconds: number;
}

export interface SweepReport {
  expiredSessions: number;
  forgottenSessions: number;
  expiredWorkFiles: number;
  deletedBlobs: number;
}

export async function sweep(storage: Storage, sessions: ViewingSessions, settings: SweepSettings, clock: Clock): Promise<SweepReport> {
  const now = clock.now();
  const md = storage.metadata;
  const expired = await md.expireSessions(now);
  for (const id of expired) sessions.events.emit('ended', id);
  const forgottenSessions = await md.purgeSessions(now - settings.expiredSessionMemorySeconds * 1000);
  const expiredWorkFiles = await md.deleteExpiredWorkFiles(now);
  const unreferenced = await md.unreferencedBlobs(now - settings.blobGraceSeconds * 1000);
  for (const hash of unreferenced) {
    await storage.blobs.delete(hash);
    await md.forgetBlob(hash);
  }
  return { expiredSessions: expired.length, forgottenSessions, expiredWorkFiles, deletedBlobs: unreferenced.length };
}
