// What the domain needs from storage. The embedded backend (SQLite + files) implements these; a
// clustered backend implements the same interfaces and must pass the same contract tests
// (test/storage-contract.test.ts). All methods are async so a networked backend fits.
import type { Readable } from 'node:stream';
import type { SessionProperties } from '../domain/session-properties.ts';

export interface BlobRef {
  /** sha256, lowercase hex: the blob's name. */
  hash: string;
  size: number;
}

export interface BlobStore {
  /**
   * Streams `source` into storage, hashing on the way. The blob becomes visible only once complete
   * and durable. Past `maxBytes` the write is abandoned and a `tooLarge` QuireError is thrown.
   * `beforeCommit` runs once the hash is known and before the blob becomes visible.
   */
  put(source: Readable | AsyncIterable<Uint8Array>, maxBytes: number, beforeCommit?: (ref: BlobRef) => Promise<void>): Promise<BlobRef>;
  open(hash: string, range?: { start: number; end: number }): Readable;
  /** The first `n` bytes (fewer if the blob is shorter). */
  head(hash: string, n: number): Promise<Buffer>;
  /** A local file path engines can read (the embedded store simply returns its file). */
  localPath(hash: string): Promise<string>;
  exists(hash: string): Promise<boolean>;
  delete(hash: string): Promise<void>;
  /** Removes leftovers of writes that never completed (e.g. after a crash). */
  recover(): Promise<void>;
}

/** A stored document: its bytes and what Quire knows of its format. */
export interface DocumentRef extends BlobRef {
  /** Canonical lower-case extension of the detected format ("docx", "pdf", "txt", ...). */
  extension: string;
  workFileId: string;
}

export interface WorkFileRecord {
  id: string;
  tenant: string;
  hash: string;
  size: number;
  /** Extension as reported to clients: detected format, else the caller's FileExtension, else "bin". */
  extension: string;
  /** Detected format (canonical extension) or null when the bytes did not tell. */
  format: string | null;
  createdAt: number;
  expiresAt: number;
}

export const Slots = ['source', 'original', 'revised'] as const;
export type Slot = (typeof Slots)[number];
export type SessionMode = 'single' | 'comparison';
export type SessionState = 'active' | 'stopped' | 'errored' | 'expired';

export interface SessionRecord {
  id: string;
  tenant: string;
  properties: SessionProperties;
  createdAt: number;
  expiresAt: number;
  /** Sliding lifetime: each use pushes expiresAt to now + this. */
  lifetimeSeconds: number;
  mode: SessionMode | null;
  /** Per slot: undefined = empty, "claimed" = an upload is under way, else the document. */
  slots: Partial<Record<Slot, DocumentRef | 'claimed'>>;
  state: SessionState;
  stopStatus: number | null;
  stopMessage: string | null;
}

export type ClaimResult = 'claimed' | 'taken' | 'otherMode' | 'missing';

// Office Integrator (Writer) documents and their user sessions. A document's bytes are a work file;
// each user session shows it through a viewing session made underneath.

export type OfficeDocumentState = 'active' | 'expired';

export interface OfficeDocumentRecord {
  /** Quire's own key; `documentId` is the caller-visible id, unique per tenant among remembered documents. */
  key: string;
  tenant: string;
  documentId: string;
  name: string;
  /** The current content (save replaces it). */
  content: DocumentRef;
  createdAt: number;
  expiresAt: number;
  state: OfficeDocumentState;
}

export type OfficeSessionKind = 'edit' | 'preview' | 'compare';
export type OfficeSessionState = 'active' | 'deleted' | 'expired';

export interface OfficeSessionRecord {
  /** The caller-visible session_id. */
  id: string;
  tenant: string;
  /** The document's key; null for a comparison, which has no document of its own. */
  documentKey: string | null;
  kind: OfficeSessionKind;
  userId: string;
  displayName: string;
  /** The caller's settings for this session (permissions, editor settings, ...), as validated JSON. */
  settings: Record<string, unknown>;
  /** The viewing session currently showing it, and the content hash it shows. */
  viewingSessionId: string | null;
  viewedHash: string | null;
  createdAt: number;
  expiresAt: number;
  state: OfficeSessionState;
  /** When it was deleted or found expired. */
  endedAt: number | null;
}

export interface OfficeUsage {
  /** User sessions this tenant has created through the Office API. */
  sessionsCreated: number;
  /** When this tenant first used the Office API. */
  firstSeen: number;
}

export interface OfficeMetadataStore {
  insertOfficeDocument(d: OfficeDocumentRecord): Promise<void>;
  /** By the caller's id, within a tenant. */
  getOfficeDocument(tenant: string, documentId: string): Promise<OfficeDocumentRecord | undefined>;
  getOfficeDocumentByKey(key: string): Promise<OfficeDocumentRecord | undefined>;
  setOfficeDocumentContent(key: string, content: DocumentRef): Promise<void>;
  setOfficeDocumentExpiry(key: string, expiresAt: number): Promise<void>;
  deleteOfficeDocument(key: string): Promise<void>;

  insertOfficeSession(s: OfficeSessionRecord): Promise<void>;
  getOfficeSession(id: string): Promise<OfficeSessionRecord | undefined>;
  /** Every remembered session of a document, oldest first. */
  listOfficeSessions(documentKey: string): Promise<OfficeSessionRecord[]>;
  setOfficeSessionViewing(id: string, viewingSessionId: string, viewedHash: string): Promise<void>;
  /** Ends an active session; false when it was not active (already ended, or unknown). */
  endOfficeSession(id: string, state: 'deleted' | 'expired', at: number): Promise<boolean>;
  /** Marks active sessions and documents past their expiry as expired; returns the sessions so ended. */
  expireOffice(now: number): Promise<OfficeSessionRecord[]>;
  /** Forgets sessions and documents that ended (or expired) before `before`. */
  purgeOffice(before: number): Promise<number>;

  countOfficeSession(tenant: string, now: number): Promise<void>;
  getOfficeUsage(tenant: string): Promise<OfficeUsage | undefined>;
}

export interface MetadataStore extends OfficeMetadataStore {
  insertSession(s: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Atomically reserves a slot for an upload; exactly one concurrent caller gets "claimed". */
  claimSlot(id: string, slot: Slot): Promise<ClaimResult>;
  releaseSlot(id: string, slot: Slot): Promise<void>;
  fillSlot(id: string, slot: Slot, doc: DocumentRef): Promise<void>;
  setSessionState(id: string, state: SessionState, status: number | null, message: string | null): Promise<void>;
  setSessionExpiry(id: string, expiresAt: number): Promise<void>;
  deleteSession(id: string): Promise<void>;
  /** Marks sessions past expiry as expired and returns their ids. */
  expireSessions(now: number): Promise<string[]>;
  /** Forgets expired sessions that expired before `before`. */
  purgeSessions(before: number): Promise<number>;
  /** Clears upload claims left by a process that died mid-upload. */
  releaseAllClaims(): Promise<number>;

  insertWorkFile(w: WorkFileRecord): Promise<void>;
  getWorkFile(id: string): Promise<WorkFileRecord | undefined>;
  deleteWorkFile(id: string): Promise<boolean>;
  setWorkFileExpiry(id: string, expiresAt: number): Promise<void>;
  deleteExpiredWorkFiles(now: number): Promise<number>;

  /** Records that a blob exists (or touches it), so the sweep's grace period starts now. */
  recordBlob(ref: BlobRef, now: number): Promise<void>;
  /** Blobs no work file and no live or expired-but-remembered session refers to, recorded before `before`. */
  unreferencedBlobs(before: number): Promise<string[]>;
  forgetBlob(hash: string): Promise<void>;

  getSetting(name: string): Promise<string | undefined>;
  setSetting(name: string, value: string): Promise<void>;
  close(): Promise<void>;
}

export interface Storage {
  metadata: MetadataStore;
  blobs: BlobStore;
}
