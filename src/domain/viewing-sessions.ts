// Viewing sessions: their lifecycle (create, attach documents, stop, error, replace, delete,
// expire) and the rules the PrizmDoc seed page states. No HTTP here: routes call these methods
// and map QuireErrors to the wire.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { formatOf, isComparable } from '../formats/formats.ts';
import { type RemoteFetcher, remoteTooLarge } from '../fetch/remote-fetch.ts';
import type { DocumentRef, SessionRecord, Slot, Storage, WorkFileRecord } from '../storage/ports.ts';
import type { Clock } from './clock.ts';
import { QuireError, inputError } from './errors.ts';
import { isWellFormedId, newSessionId } from './ids.ts';
import { type SessionProperties, parseReplacement } from './session-properties.ts';
import type { WorkFiles } from './work-files.ts';
import { isStorageFull } from '../storage/storage-full.ts';
import { checkWorkFileImages, workFileImageIds } from '../watermarks/work-file-images.ts';

export interface SessionLimits {
  sessionLifetimeSeconds: number;
  maxUploadBytes: number;
  fetchMaxBytes: number;
}

/** Events other capabilities (rendering, comparison) subscribe to. */
export interface SessionEventMap {
  /** All documents the session needs are attached. */
  documentReady: [SessionRecord];
  /** SessionStarted notification, or startConverting at creation. */
  started: [SessionRecord];
  /** Deleted, stopped, replaced or expired: private renditions can go. */
  ended: [string];
}

const SLOT_LABEL: Record<Slot, string> = { source: 'source document', original: 'original document', revised: 'revised document' };

export class ViewingSessions {
  readonly events = new EventEmitter<SessionEventMap>();
  private readonly storage: Storage;
  private readonly workFiles: WorkFiles;
  private readonly fetcher: RemoteFetcher;
  private readonly limits: SessionLimits;
  private readonly clock: Clock;

  constructor(deps: { storage: Storage; workFiles: WorkFiles; fetcher: RemoteFetcher; limits: SessionLimits; clock: Clock }) {
    this.storage = deps.storage;
    this.workFiles = deps.workFiles;
    this.fetcher = deps.fetcher;
    this.limits = deps.limits;
    this.clock = deps.clock;
  }

  async create(tenant: string, properties: SessionProperties): Promise<SessionRecord> {
    const now = this.clock.now();
    const lifetimeSeconds = Math.max(this.limits.sessionLifetimeSeconds, properties.minSecondsAvailable ?? 0);
    const rec: SessionRecord = {
      id: newSessionId(),
      tenant,
      properties,
      createdAt: now,
      expiresAt: now + lifetimeSeconds * 1000,
      lifetimeSeconds,
      mode: null,
      slots: {},
      state: 'active',
      stopStatus: null,
      stopMessage: null,
    };
    await checkWorkFileImages(properties.watermarks, tenant, rec.expiresAt, {
      get: (t, id) => this.workFiles.get(t, id),
      read: async (wf) => readFile(await this.storage.blobs.localPath(wf.hash)),
      extend: (wf, until) => this.workFiles.extend(wf, until),
    });
    if (properties.documentSource === 'http') {
      // Downloaded before the session exists: a refused or failed download is the creator's answer.
      const remote = await this.fetcher.open(properties.externalId!);
      const ext = properties.documentExtension?.toLowerCase() ?? remote.suggestedExtension;
      const wf = await this.workFiles
        .create(tenant, remote.body, { fileExtension: ext, lifetimeSeconds, maxBytes: this.limits.fetchMaxBytes })
        .catch((e: unknown) => {
          // Past the limit while streaming (no or a false Content-Length): the same answer as a declared one.
          if (e instanceof QuireError && e.kind === 'tooLarge') throw remoteTooLarge(properties.externalId!, this.limits.fetchMaxBytes);
          throw e;
        });
      const doc = requireRecognized(wf);
      rec.mode = 'single';
      rec.slots.source = doc;
    }
    await this.storage.metadata.insertSession(rec);
    if (rec.slots.source) this.events.emit('documentReady', rec);
    if (properties.startConverting && properties.startConverting !== 'none') this.events.emit('started', rec);
    return rec;
  }

  /**
   * The session as its owner (tenant) or a viewer (tenant null: authorized by the id) may use it.
   * Unknown or another tenant's: 404. Expired: 403. Stopped/errored: the status its owner chose.
   */
  async use(tenant: string | null, id: string, opts: { allowErrored?: boolean } = {}): Promise<SessionRecord> {
    const s = await this.find(tenant, id);
    const now = this.clock.now();
    if (s.state === 'expired' || s.expiresAt <= now) throw expired();
    if (s.state === 'stopped' || (s.state === 'errored' && !opts.allowErrored)) {
      throw new QuireError('stopped', s.state === 'stopped' ? 'SessionStopped' : 'SessionErrored', s.stopMessage ?? 'The viewing session is no longer available', {
        status: s.stopStatus ?? 403,
      });
    }
    // Sliding lifetime, written at most once a minute so reads stay cheap — and at least four times
    // per lifetime, so a session shorter than a minute slides too.
    const target = now + s.lifetimeSeconds * 1000;
    if (target - s.expiresAt > Math.min(60_000, s.lifetimeSeconds * 250)) {
      // Best effort on a full disk: the read goes on, the session keeps its previous expiry for now.
      await this.storage.metadata.setSessionExpiry(s.id, target).then(
        () => (s.expiresAt = target),
        (err: unknown) => {
          if (!isStorageFull(err)) throw err;
        },
      );
      // Images its watermarks draw from work files live as long as the session (it draws them on every new page).
      for (const fileId of workFileImageIds(s.properties.watermarks)) {
        const wf = await this.workFiles.get(s.tenant, fileId).catch(() => undefined);
        if (wf) await this.workFiles.extend(wf, s.expiresAt).catch((err: unknown) => {
          if (!isStorageFull(err)) throw err;
        });
      }
    }
    return s;
  }

  private async find(tenant: string | null, id: string): Promise<SessionRecord> {
    const s = isWellFormedId(id) ? await this.storage.metadata.getSession(id) : undefined;
    if (!s || (tenant !== null && s.tenant !== tenant)) throw new QuireError('notFound', 'NotFound', 'No viewing session with this id could be found');
    return s;
  }

  /** PUT SourceFile / sourceFile/original / sourceFile/revised: stream the upload into the slot. */
  async upload(tenant: string, id: string, slot: Slot, body: Readable | AsyncIterable<Uint8Array>, fileExtension: string | undefined): Promise<SessionRecord> {
    const s = await this.use(tenant, id);
    await this.claim(s, slot);
    try {
      const wf = await this.workFiles.create(tenant, body, { fileExtension, lifetimeSeconds: s.lifetimeSeconds });
      return await this.fill(s, slot, wf);
    } catch (err) {
      await this.storage.metadata.releaseSlot(s.id, slot);
      throw err;
    }
  }

  /** PUT SourceRef: attach existing work files. */
  async attachRef(tenant: string, id: string, ref: SourceRef): Promise<SessionRecord> {
    const s = await this.use(tenant, id);
    const wanted: [Slot, string, string][] =
      ref.refType === 'workFile'
        ? [['source', ref.fileId, 'input.fileId']]
        : [['original', ref.original.fileId, 'input.original.fileId'], ['revised', ref.revised.fileId, 'input.revised.fileId']];
    // Resolve every file before claiming anything, so a bad id changes nothing.
    const files: WorkFileRecord[] = [];
    for (const [, fileId, at] of wanted) {
      try {
        files.push(await this.workFiles.get(tenant, fileId));
      } catch (e) {
        if (e instanceof QuireError && e.kind === 'notFound') {
          throw inputError('NotFound', 'The given work file has expired or does not exist', { in: 'body', at, fileId });
        }
        throw e;
      }
    }
    const claimed: Slot[] = [];
    try {
      for (const [slot] of wanted) {
        await this.claim(s, slot);
        claimed.push(slot);
      }
      let out = s;
      for (let i = 0; i < wanted.length; i++) out = await this.fill(s, wanted[i]![0], files[i]!, wanted[i]![2]);
      return out;
    } catch (err) {
      for (const slot of claimed) await this.storage.metadata.releaseSlot(s.id, slot);
      throw err;
    }
  }

  private async claim(s: SessionRecord, slot: Slot): Promise<void> {
    const result = await this.storage.metadata.claimSlot(s.id, slot);
    if (result === 'claimed') return;
    if (result === 'missing') throw new QuireError('notFound', 'NotFound', 'No viewing session with this id could be found');
    if (result === 'otherMode') {
      throw inputError(
        'IncorrectUsage',
        slot === 'source'
          ? 'This viewing session already has documents for comparison; it cannot also take a single source document'
          : 'This viewing session already has a single source document; it cannot also take documents for comparison',
      );
    }
    throw inputError('CannotChangeDocument', `The viewing session already has a ${SLOT_LABEL[slot]}`);
  }

  private async fill(s: SessionRecord, slot: Slot, wf: WorkFileRecord, at?: string): Promise<SessionRecord> {
    const doc = requireRecognized(wf, at);
    if (slot !== 'source' && !isComparable(doc.extension)) {
      throw inputError('UnsupportedFormatForComparison', `Comparison takes Word documents (doc, docx, odt, rtf); this is ${doc.extension}`, at ? { in: 'body', at } : undefined);
    }
    // An upload takes time: the session may have been deleted, stopped or may have expired meanwhile.
    // Then the upload answers as any request to it would now (404, its stop status, 403).
    const current = await this.use(s.tenant, s.id, { allowErrored: true });
    await this.workFiles.extend(wf, current.expiresAt);
    await this.storage.metadata.fillSlot(s.id, slot, doc);
    const updated = await this.storage.metadata.getSession(s.id);
    if (!updated) throw new QuireError('notFound', 'NotFound', 'No viewing session with this id could be found');
    const ready = updated.mode === 'single' ? !!updated.slots.source : isDoc(updated.slots.original) && isDoc(updated.slots.revised);
    if (ready && isDoc(updated.slots[slot])) this.events.emit('documentReady', updated);
    return updated;
  }

  /** The document in a slot, for download. Errored sessions still allow it (the seed page says so). */
  async document(tenant: string, id: string, slot: Slot): Promise<DocumentRef> {
    const s = await this.use(tenant, id, { allowErrored: true });
    if (slot === 'source' && s.mode === 'comparison') {
      throw inputError('IncorrectUsage', 'This is a comparison session: download sourceFile/original or sourceFile/revised');
    }
    if (slot !== 'source' && s.mode === 'single') {
      throw inputError('IncorrectUsage', 'This session views a single source document; it has no comparison documents');
    }
    const doc = s.slots[slot];
    if (!isDoc(doc)) throw inputError('DocumentNotProvidedYet', `The ${SLOT_LABEL[slot]} has not been provided yet`);
    return doc;
  }

  /** GET FileId: the work file behind the source document (made again if it has expired). */
  async sourceWorkFile(tenant: string, id: string): Promise<WorkFileRecord> {
    const s = await this.use(tenant, id);
    if (s.mode === 'comparison') {
      throw inputError('IncorrectUsage', 'This is a comparison session: its documents are sourceFile/original and sourceFile/revised');
    }
    const doc = s.slots.source;
    if (!isDoc(doc)) throw inputError('DocumentNotProvidedYet', 'The source document has not been provided yet');
    let wf = await this.workFiles.get(tenant, doc.workFileId).catch(() => undefined);
    if (!wf || wf.hash !== doc.hash) {
      wf = await this.workFiles.record(tenant, doc, doc.extension, s.lifetimeSeconds);
      await this.storage.metadata.fillSlot(s.id, 'source', { ...doc, workFileId: wf.id });
    }
    return wf;
  }

  async start(tenant: string | null, id: string): Promise<SessionRecord> {
    const s = await this.use(tenant, id);
    this.events.emit('started', s);
    return s;
  }

  async stop(tenant: string, id: string, how: 'stopped' | 'errored', status: number, message: string): Promise<void> {
    const s = await this.use(tenant, id);
    await this.storage.metadata.setSessionState(s.id, how, status, message);
    if (how === 'stopped') this.events.emit('ended', s.id);
  }

  /** A new session with the same properties and documents but a new password; the old one is stopped. */
  async replace(tenant: string, id: string, body: unknown): Promise<SessionRecord> {
    const { password } = parseReplacement(body);
    const old = await this.use(tenant, id, { allowErrored: true });
    const now = this.clock.now();
    const rec: SessionRecord = {
      ...old,
      id: newSessionId(),
      properties: { ...old.properties, password },
      createdAt: now,
      expiresAt: now + old.lifetimeSeconds * 1000,
      // An upload still under way belongs to the old session.
      slots: Object.fromEntries(Object.entries(old.slots).filter(([, v]) => isDoc(v))),
      state: 'active',
      stopStatus: null,
      stopMessage: null,
    };
    if (Object.keys(rec.slots).length === 0) rec.mode = null;
    await this.storage.metadata.insertSession(rec);
    await this.storage.metadata.setSessionState(old.id, 'stopped', 403, 'The viewing session was replaced');
    this.events.emit('ended', old.id);
    const ready = rec.mode === 'single' ? isDoc(rec.slots.source) : isDoc(rec.slots.original) && isDoc(rec.slots.revised);
    if (ready) this.events.emit('documentReady', rec);
    return rec;
  }

  /** Only sessions that never share output (serverCaching "none") can be deleted. */
  async delete(tenant: string, id: string): Promise<void> {
    const s = await this.find(tenant, id);
    if (s.properties.serverCaching !== 'none') {
      throw new QuireError('processing', 'CannotDeleteCachedViewingSession', 'Only viewing sessions created with serverCaching "none" can be deleted');
    }
    await this.storage.metadata.deleteSession(s.id);
    this.events.emit('ended', s.id);
  }
}

export type SourceRef =
  | { refType: 'workFile'; fileId: string }
  | { refType: 'comparison'; original: { refType: 'workFile'; fileId: string }; revised: { refType: 'workFile'; fileId: string } };

function isDoc(v: DocumentRef | 'claimed' | undefined): v is DocumentRef {
  return typeof v === 'object';
}

const expired = () => new QuireError('gone', 'SessionExpired', 'The session is invalid or has expired');

/** A session document must be in a format Quire can tell; the seed's 580 otherwise. */
function requireRecognized(wf: WorkFileRecord, at?: string): DocumentRef {
  if (!wf.format || !formatOf(wf.format)) {
    throw new QuireError('processing', 'UnrecognizedFileFormat', 'Unrecognized File Format', {
      details: { message: 'The format could not be detected; give FileExtension for text formats (txt, csv, html)', ...(at ? { at } : {}) },
    });
  }
  return { hash: wf.hash, size: wf.size, extension: wf.format, workFileId: wf.id };
}
