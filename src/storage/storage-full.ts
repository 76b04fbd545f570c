// A full disk, whichever layer hits it (document bytes, SQLite, cached renditions): one QuireError,
// StorageFull (PrizmDoc 507), so callers can tell "no room" from a real failure — and skip writes that
// are only a cache or a courtesy instead of failing a read.
import { QuireError } from '../domain/errors.ts';

/** SQLite's SQLITE_FULL ("database or disk is full"). */
const SQLITE_FULL = 13;

const storageFull = (cause?: unknown) =>
  new QuireError('unavailable', 'StorageFull', 'The server has no room left to store data', cause === undefined ? {} : { cause });

/** `err` as StorageFull when it says the disk (or quota) is full; otherwise `err` itself. */
export function asStorageFull(err: unknown): unknown {
  if (err instanceof QuireError) return err;
  const e = err as { code?: string; errcode?: number } | undefined;
  if (e?.code === 'ENOSPC' || e?.code === 'EDQUOT' || (e?.code === 'ERR_SQLITE_ERROR' && (Number(e.errcode) & 0xff) === SQLITE_FULL)) return storageFull(err);
  return err;
}

export const isStorageFull = (err: unknown): boolean => err instanceof QuireError && err.code === 'StorageFull';
