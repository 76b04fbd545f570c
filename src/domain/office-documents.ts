// Office Integrator (Writer) documents and their user sessions, over the same work files and
// viewing sessions as the PrizmDoc dialect. A document's bytes are a work file; each user session
// shows them through a viewing session made (and remade) underneath when the session is opened.
// Deleting a session stops its viewing session at once; deleting a document ends all its sessions.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { type DocumentDefaults, blankDocx } from '../documents/blank-docx.ts';
import { formatOf, isComparable } from '../formats/formats.ts';
import type { BlobRef, DocumentRef, OfficeDocumentRecord, OfficeSessionKind, OfficeSessionRecord, OfficeUsage, Storage, WorkFileRecord } from '../storage/ports.ts';
import type { Clock } from './clock.ts';
import { QuireError } from './errors.ts';
import { documentExpired, invalidDocument, invalidSession, invalidValue, sessionExpired, unsupportedFormat } from './office-errors.ts';
import { type OfficeSource, type OfficeSources, baseNameOf, isWriterFormat } from './office-sources.ts';
import { parseSessionProperties } from './session-properties.ts';
import type { ViewingSessions } from './viewing-sessions.ts';
import type { WorkFiles } from './work-files.ts';

export type { OfficeSource } from './office-sources.ts';
export type { DocumentDefaults } from '../documents/blank-docx.ts';

export interface OfficeLimits {
  sessionLifetimeSeconds: number;
  documentLifetimeSeconds: number;
  /** How long deleted and expired sessions and documents are remembered (1833/1834 and the "ended" page). */
  memorySeconds: number;
}

export interface UserInfo {
  userId?: string | undefined;
  displayName?: string | undefined;
}

export interface CreateDocumentInput {
  /** Undefined: a new blank document shaped by `defaults`. */
  source: OfficeSource | undefined;
  /** The caller's id; a live document with this id gets one more session instead of a new document. */
  documentId?: string | undefined;
  documentName?: string | undefined;
  user: UserInfo;
  defaults?: DocumentDefaults | undefined;
  /** The caller's validated settings (permissions, editor_settings, ui_options, callback_settings). */
  settings: Record<string, unknown>;
}

export interface PreviewInput {
  source: OfficeSource | undefined;
  documentName?: string | undefined;
  settings: Record<string, unknown>;
}

export interface CompareInput {
  original: OfficeSource | undefined;
  revised: OfficeSource | undefined;
  title?: string | undefined;
  lang?: string | undefined;
}

export interface SessionView {
  session: OfficeSessionRecord;
  /** Null for a comparison. */
  document: OfficeDocumentRecord | null;
}

export interface DocumentView {
  document: OfficeDocumentRecord;
  /** Live sessions, oldest first. */
  sessions: OfficeSessionRecord[];
}

export type OpenResult =
  | { state: 'live'; session: OfficeSessionRecord; viewingSessionId: string; title: string }
  | { state: 'deleted' | 'expired' | 'unknown' };

/** Caller-chosen document ids appear raw in URL paths: unreserved characters only. */
export const DOCUMENT_ID_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9._~-]{1,128}$/;

const newOfficeSessionId = (): string => randomBytes(32).toString('hex');
const newDocumentId = (): string => randomBytes(16).toString('hex');
const newDocumentKey = (): string => randomBytes(16).toString('base64url');

/** Formats a preview shows: Writer's, and PDF. */
const isPreviewFormat = (ext: string) => isWriterFormat(ext) || formatOf(ext)?.family === 'pdf';

export class OfficeDocuments {
  private readonly storage: Storage;
  private readonly workFiles: WorkFiles;
  private readonly viewing: ViewingSessions;
  private readonly sources: OfficeSources;
  private readonly limits: OfficeLimits;
  private readonly clock: Clock;

  constructor(deps: { storage: Storage; workFiles: WorkFiles; viewing: ViewingSessions; sources: OfficeSources; limits: OfficeLimits; clock: Clock }) {
    this.storage = deps.storage;
    this.workFiles = deps.workFiles;
    this.viewing = deps.viewing;
    this.sources = deps.sources;
    this.limits = deps.limits;
    this.clock = deps.clock;
  }

  private get md() {
    return this.storage.metadata;
  }

  /** POST documents: a new document (blank, uploaded or downloaded) or one more session on a live one. */
  async create(tenant: string, input: CreateDocumentInput): Promise<SessionView> {
    if (input.documentId !== undefined && !DOCUMENT_ID_PATTERN.test(input.documentId)) {
      throw invalidValue('document_info', 'document_id must be 1 to 128 letters, digits or the characters . _ ~ -', 'document_id');
    }
    const existing = input.documentId === undefined ? undefined : await this.liveDocument(tenant, input.documentId);
    let document = existing;
    if (!document) {
      const wf = input.source
        ? await this.sources.workFile(tenant, input.source, { file: 'document', url: 'url' }, isWriterFormat, 'Writer')
        : await this.workFiles.create(tenant, Readable.from([blankDocx(input.defaults)]), { fileExtension: 'docx' });
      const name = input.documentName ?? (input.source?.kind === 'upload' ? baseNameOf(input.source.filename) : input.source ? nameFromUrl(input.source.url) : undefined) ?? 'Untitled';
      document = await this.newDocument(tenant, input.documentId, name, wf);
    }
    // On an existing document the caller's file (if any) is not used: the id names the shared document.
    return { session: await this.newSession(tenant, document, 'edit', input.user, input.settings), document };
  }

  /** POST document/preview: a read-only session on a new document. */
  async preview(tenant: string, input: PreviewInput): Promise<SessionView> {
    const wf = await this.sources.workFile(tenant, input.source, { file: 'document', url: 'url' }, isPreviewFormat, 'Preview');
    const name = input.documentName ?? (input.source?.kind === 'upload' ? baseNameOf(input.source.filename) : input.source ? nameFromUrl(input.source.url) : undefined) ?? 'Untitled';
    const document = await this.newDocument(tenant, undefined, name, wf);
    return { session: await this.newSession(tenant, document, 'preview', {}, input.settings), document };
  }

  /** POST document/compare: a comparison session of two documents (no document of its own). */
  async compare(tenant: string, input: CompareInput): Promise<OfficeSessionRecord> {
    const original = await this.sources.workFile(tenant, input.original, { file: 'document1', url: 'url1' }, isComparable, 'Comparison');
    const revised = await this.sources.workFile(tenant, input.revised, { file: 'document2', url: 'url2' }, isComparable, 'Comparison');
    const now = this.clock.now();
    const expiresAt = now + this.limits.sessionLifetimeSeconds * 1000;
    for (const wf of [original, revised]) await this.keepWorkFile(wf.id, wf.expiresAt, expiresAt);
    const settings: Record<string, unknown> = { original: original.id, revised: revised.id };
    if (input.title !== undefined) settings.title = input.title;
    if (input.lang !== undefined) settings.lang = input.lang;
    const session: OfficeSessionRecord = {
      id: newOfficeSessionId(),
      tenant,
      documentKey: null,
      kind: 'compare',
      userId: '',
      displayName: '',
      settings,
      viewingSessionId: null,
      viewedHash: null,
      createdAt: now,
      expiresAt,
      state: 'active',
      endedAt: null,
    };
    await this.md.insertOfficeSession(session);
    await this.md.countOfficeSession(tenant, now);
    return session;
  }

  /** GET sessions/{id}: the tenant's live session, or 1833 (unknown, deleted) / 1834 (expired). */
  async session(tenant: string, id: string): Promise<SessionView> {
    const s = await this.md.getOfficeSession(id);
    if (!s || s.tenant !== tenant || s.state === 'deleted') throw invalidSession();
    if (s.state === 'expired' || s.expiresAt <= this.clock.now()) throw sessionExpired();
    const document = s.documentKey ? ((await this.md.getOfficeDocumentByKey(s.documentKey)) ?? null) : null;
    return { session: s, document };
  }

  /** DELETE sessions/{id}: that user's access ends now; the document and other sessions go on. */
  async deleteSession(tenant: string, id: string): Promise<void> {
    const { session } = await this.session(tenant, id);
    if (await this.md.endOfficeSession(session.id, 'deleted', this.clock.now())) {
      await this.stopViewing(session, 'The session was deleted');
    } else {
      // Ended by a concurrent call between the read and the write: answer as that call left it.
      await this.session(tenant, id);
    }
  }

  /** GET documents/{id} and documents/{id}/sessions. */
  async document(tenant: string, documentId: string): Promise<DocumentView> {
    const document = await this.md.getOfficeDocument(tenant, documentId);
    if (!document) throw invalidDocument();
    const now = this.clock.now();
    if (document.state === 'expired' || document.expiresAt <= now) throw documentExpired();
    const sessions = (await this.md.listOfficeSessions(document.key)).filter((s) => s.state === 'active' && s.expiresAt > now);
    return { document, sessions };
  }

  /** DELETE documents/{id}: every session of it ends, its bytes go. */
  async deleteDocument(tenant: string, documentId: string): Promise<void> {
    const { document } = await this.document(tenant, documentId);
    const now = this.clock.now();
    for (const s of await this.md.listOfficeSessions(document.key)) {
      if (await this.md.endOfficeSession(s.id, 'deleted', now)) await this.stopViewing(s, 'The document was deleted');
    }
    await this.md.deleteOfficeDocument(document.key);
    await this.md.deleteWorkFile(document.content.workFileId);
  }

  /**
   * The document_url / preview_url / compare_url of a session, authorized by its id alone: a live
   * session gets a viewing session showing its document's current content.
   */
  async open(id: string): Promise<OpenResult> {
    const s = /^[0-9a-f]{64}$/.test(id) ? await this.md.getOfficeSession(id) : undefined;
    if (!s) return { state: 'unknown' };
    if (s.state === 'deleted') return { state: 'deleted' };
    if (s.state === 'expired' || s.expiresAt <= this.clock.now()) return { state: 'expired' };
    let refs: { slot: 'single'; doc: DocumentRef; title: string } | { slot: 'comparison'; original: string; revised: string; title: string };
    if (s.kind === 'compare') {
      refs = { slot: 'comparison', original: String(s.settings.original), revised: String(s.settings.revised), title: typeof s.settings.title === 'string' ? s.settings.title : 'Comparison' };
    } else {
      const doc = s.documentKey ? await this.md.getOfficeDocumentByKey(s.documentKey) : undefined;
      if (!doc) return { state: 'deleted' };
      if (doc.state === 'expired' || doc.expiresAt <= this.clock.now()) return { state: 'expired' };
      refs = { slot: 'single', doc: doc.content, title: doc.name };
    }
    const wanted = refs.slot === 'single' ? refs.doc.hash : `${refs.original}/${refs.revised}`;
    if (s.viewingSessionId && s.viewedHash === wanted && (await this.viewingUsable(s.tenant, s.viewingSessionId))) {
      return { state: 'live', session: s, viewingSessionId: s.viewingSessionId, title: refs.title };
    }
    // First open, content replaced by a save, or the viewing session timed out: show it afresh.
    const vs = await this.viewing.create(s.tenant, parseSessionProperties({ origin: { officeSessionId: s.id } }));
    if (refs.slot === 'single') await this.viewing.attachRef(s.tenant, vs.id, { refType: 'workFile', fileId: refs.doc.workFileId });
    else {
      await this.viewing.attachRef(s.tenant, vs.id, {
        refType: 'comparison',
        original: { refType: 'workFile', fileId: refs.original },
        revised: { refType: 'workFile', fileId: refs.revised },
      });
    }
    const previous = s.viewingSessionId;
    await this.md.setOfficeSessionViewing(s.id, vs.id, wanted);
    if (previous && previous !== vs.id) await this.stopViewing({ ...s, viewingSessionId: previous }, 'The document was reopened');
    // Deleted while we were making it: nobody may see it.
    const after = await this.md.getOfficeSession(s.id);
    if (!after || after.state !== 'active') {
      await this.stopViewing({ ...s, viewingSessionId: vs.id }, 'The session was deleted');
      return { state: after?.state === 'expired' ? 'expired' : 'deleted' };
    }
    return { state: 'live', session: after, viewingSessionId: vs.id, title: refs.title };
  }

  /** save_url: replaces the document's content with a DOCX (what the browser editor will call). */
  async save(id: string, blob: BlobRef): Promise<OfficeDocumentRecord> {
    const s = /^[0-9a-f]{64}$/.test(id) ? await this.md.getOfficeSession(id) : undefined;
    if (!s || s.state === 'deleted') throw invalidSession();
    if (s.state === 'expired' || s.expiresAt <= this.clock.now()) throw sessionExpired();
    if (s.kind !== 'edit') throw invalidValue('session_id', 'Only sessions made by POST documents can save; this one is read-only');
    const permissions = s.settings.permissions as Record<string, boolean> | undefined;
    if (permissions?.['document.edit'] === false) throw invalidValue('permissions', 'This session may not edit the document (permissions document.edit is false)', 'document.edit');
    const doc = s.documentKey ? await this.md.getOfficeDocumentByKey(s.documentKey) : undefined;
    if (!doc) throw invalidSession();
    if (doc.state === 'expired' || doc.expiresAt <= this.clock.now()) throw documentExpired();
    const wf = await this.workFiles.record(s.tenant, blob, 'docx');
    if (wf.format !== 'docx') {
      await this.md.deleteWorkFile(wf.id);
      throw unsupportedFormat('content', `save takes a DOCX document; this is ${wf.format ?? 'not a recognised format'}`);
    }
    const expiresAt = this.documentExpiry(doc, this.clock.now());
    await this.keepWorkFile(wf.id, wf.expiresAt, expiresAt);
    await this.md.setOfficeDocumentContent(doc.key, toRef(wf));
    await this.md.setOfficeDocumentExpiry(doc.key, expiresAt);
    // Viewing sessions still showing the old bytes keep them by hash, not through this work file.
    await this.md.deleteWorkFile(doc.content.workFileId);
    return { ...doc, content: toRef(wf), expiresAt };
  }

  async usage(tenant: string): Promise<OfficeUsage | undefined> {
    return this.md.getOfficeUsage(tenant);
  }

  /** Ends sessions past their expiry (stopping what shows them) and forgets what ended long ago. */
  async sweep(): Promise<{ expired: number; forgotten: number }> {
    const now = this.clock.now();
    const ended = await this.md.expireOffice(now);
    for (const s of ended) await this.stopViewing(s, 'The session has expired');
    const forgotten = await this.md.purgeOffice(now - this.limits.memorySeconds * 1000);
    return { expired: ended.length, forgotten };
  }

  private async liveDocument(tenant: string, documentId: string): Promise<OfficeDocumentRecord | undefined> {
    const d = await this.md.getOfficeDocument(tenant, documentId);
    if (!d) return undefined;
    if (d.state === 'active' && d.expiresAt > this.clock.now()) return d;
    // An expired document's id is free again: the old record only answered 1834 until now.
    await this.md.deleteOfficeDocument(d.key);
    return undefined;
  }

  private async newDocument(tenant: string, documentId: string | undefined, name: string, wf: WorkFileRecord): Promise<OfficeDocumentRecord> {
    const now = this.clock.now();
    const doc: OfficeDocumentRecord = {
      key: newDocumentKey(),
      tenant,
      documentId: documentId ?? newDocumentId(),
      name: name.slice(0, 255),
      content: toRef(wf),
      createdAt: now,
      expiresAt: now + this.limits.documentLifetimeSeconds * 1000,
      state: 'active',
    };
    try {
      await this.md.insertOfficeDocument(doc);
    } catch (e) {
      // Another request created the same document_id first: join it, as a later call would.
      const winner = documentId === undefined ? undefined : await this.liveDocument(tenant, documentId);
      if (!winner) throw new QuireError('internal', 'OfficeDocumentInsertFailed', 'The document could not be recorded', { cause: e });
      await this.md.deleteWorkFile(wf.id);
      return winner;
    }
    await this.keepWorkFile(wf.id, wf.expiresAt, doc.expiresAt);
    return doc;
  }

  private async newSession(tenant: string, doc: OfficeDocumentRecord, kind: OfficeSessionKind, user: UserInfo, settings: Record<string, unknown>): Promise<OfficeSessionRecord> {
    const now = this.clock.now();
    const id = newOfficeSessionId();
    const session: OfficeSessionRecord = {
      id,
      tenant,
      documentKey: doc.key,
      kind,
      userId: user.userId ?? `guest-${id.slice(0, 12)}`,
      displayName: user.displayName ?? 'Guest',
      settings,
      viewingSessionId: null,
      viewedHash: null,
      createdAt: now,
      expiresAt: now + this.limits.sessionLifetimeSeconds * 1000,
      state: 'active',
      endedAt: null,
    };
    // A document outlives each of its sessions.
    const expiresAt = Math.max(this.documentExpiry(doc, now), session.expiresAt);
    if (expiresAt !== doc.expiresAt) {
      await this.md.setOfficeDocumentExpiry(doc.key, expiresAt);
      doc.expiresAt = expiresAt;
    }
    await this.keepWorkFile(doc.content.workFileId, 0, expiresAt);
    await this.md.insertOfficeSession(session);
    await this.md.countOfficeSession(tenant, now);
    return session;
  }

  private documentExpiry(doc: OfficeDocumentRecord, now: number): number {
    return Math.max(doc.expiresAt, now + this.limits.documentLifetimeSeconds * 1000);
  }

  /** A document's work file must not be swept before the document expires. */
  private async keepWorkFile(id: string, current: number, until: number): Promise<void> {
    if (current < until) await this.md.setWorkFileExpiry(id, until);
  }

  private async viewingUsable(tenant: string, id: string): Promise<boolean> {
    try {
      await this.viewing.use(tenant, id);
      return true;
    } catch {
      return false;
    }
  }

  private async stopViewing(s: OfficeSessionRecord, message: string): Promise<void> {
    if (!s.viewingSessionId) return;
    // Already stopped or expired: nothing left to end.
    await this.viewing.stop(s.tenant, s.viewingSessionId, 'stopped', 403, message).catch(() => undefined);
  }
}

function toRef(wf: WorkFileRecord): DocumentRef {
  return { hash: wf.hash, size: wf.size, extension: wf.format ?? wf.extension, workFileId: wf.id };
}

function nameFromUrl(url: string): string | undefined {
  try {
    const last = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    return baseNameOf(last);
  } catch {
    return undefined;
  }
}
