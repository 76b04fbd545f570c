// Sessions, work files and blob records in one SQLite file (node:sqlite, WAL journal).
// Slot claims are single conditional UPDATEs, so concurrent uploads to one session cannot both win.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { join } from 'node:path';
import { asStorageFull } from '../storage-full.ts';
import type {
  BlobRef,
  ClaimResult,
  DocumentRef,
  MetadataStore,
  OfficeDocumentRecord,
  OfficeSessionRecord,
  OfficeUsage,
  SessionRecord,
  SessionState,
  Slot,
  WorkFileRecord,
} from '../ports.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  properties TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  lifetime_seconds INTEGER NOT NULL,
  mode TEXT,
  source TEXT, original TEXT, revised TEXT,
  state TEXT NOT NULL DEFAULT 'active',
  stop_status INTEGER, stop_message TEXT
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions(state, expires_at);
CREATE TABLE IF NOT EXISTS work_files (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  hash TEXT NOT NULL,
  size INTEGER NOT NULL,
  extension TEXT NOT NULL,
  format TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS work_files_expiry ON work_files(expires_at);
CREATE INDEX IF NOT EXISTS work_files_hash ON work_files(hash);
CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, recorded_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

// Office Integrator documents and user sessions. Added later: CREATE IF NOT EXISTS makes the
// migration of an older data file simply the creation of these tables.
const OFFICE_SCHEMA = `
CREATE TABLE IF NOT EXISTS office_documents (
  key TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  document_id TEXT NOT NULL,
  name TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'active',
  UNIQUE (tenant, document_id)
);
CREATE INDEX IF NOT EXISTS office_documents_expiry ON office_documents(state, expires_at);
CREATE TABLE IF NOT EXISTS office_sessions (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  document_key TEXT,
  kind TEXT NOT NULL,
  user_id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  settings TEXT NOT NULL,
  viewing_session_id TEXT,
  viewed_hash TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'active',
  ended_at INTEGER
);
CREATE INDEX IF NOT EXISTS office_sessions_document ON office_sessions(document_key);
CREATE INDEX IF NOT EXISTS office_sessions_expiry ON office_sessions(state, expires_at);
CREATE TABLE IF NOT EXISTS office_usage (tenant TEXT PRIMARY KEY, sessions_created INTEGER NOT NULL, first_seen INTEGER NOT NULL);
`;

const CLAIMED = '"claimed"';

interface SessionRow {
  id: string;
  tenant: string;
  properties: string;
  created_at: number;
  expires_at: number;
  lifetime_seconds: number;
  mode: string | null;
  source: string | null;
  original: string | null;
  revised: string | null;
  state: string;
  stop_status: number | null;
  stop_message: string | null;
}

export class SqliteMetadataStore implements MetadataStore {
  private readonly db: DatabaseSync;
  private readonly stmts: Record<string, StatementSync>;
  /**
   * Read-through cache of session records: one process writes this database, so every write below
   * clears it. Parsed once (the properties may hold a watermark image of megabytes), their properties
   * frozen, and each read hands out its own copy of the rest: a caller cannot change what is cached.
   */
  private readonly sessionCache = new Map<string, SessionRecord>();

  constructor(dataDir: string) {
    this.db = new DatabaseSync(join(dataDir, 'quire.sqlite'));
    // WAL + NORMAL: a killed process loses no committed transaction; only a power cut could.
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
    this.db.exec(SCHEMA);
    this.db.exec(OFFICE_SCHEMA);
    const p = (sql: string) => fullDiskAware(this.db.prepare(sql));
    this.stmts = {
      insertSession: p(`INSERT INTO sessions (id, tenant, properties, created_at, expires_at, lifetime_seconds, mode, source, original, revised, state, stop_status, stop_message)
        VALUES (:id, :tenant, :properties, :created_at, :expires_at, :lifetime_seconds, :mode, :source, :original, :revised, :state, :stop_status, :stop_message)`),
      getSession: p('SELECT * FROM sessions WHERE id = ?'),
      claimSource: p(`UPDATE sessions SET mode = 'single', source = '${CLAIMED}' WHERE id = ? AND (mode IS NULL OR mode = 'single') AND source IS NULL`),
      claimOriginal: p(`UPDATE sessions SET mode = 'comparison', original = '${CLAIMED}' WHERE id = ? AND (mode IS NULL OR mode = 'comparison') AND original IS NULL`),
      claimRevised: p(`UPDATE sessions SET mode = 'comparison', revised = '${CLAIMED}' WHERE id = ? AND (mode IS NULL OR mode = 'comparison') AND revised IS NULL`),
      releaseSource: p(`UPDATE sessions SET source = NULL WHERE id = ? AND source = '${CLAIMED}'`),
      releaseOriginal: p(`UPDATE sessions SET original = NULL WHERE id = ? AND original = '${CLAIMED}'`),
      releaseRevised: p(`UPDATE sessions SET revised = NULL WHERE id = ? AND revised = '${CLAIMED}'`),
      clearMode: p('UPDATE sessions SET mode = NULL WHERE id = ? AND source IS NULL AND original IS NULL AND revised IS NULL'),
      fillSource: p('UPDATE sessions SET source = ? WHERE id = ?'),
      fillOriginal: p('UPDATE sessions SET original = ? WHERE id = ?'),
      fillRevised: p('UPDATE sessions SET revised = ? WHERE id = ?'),
      setState: p('UPDATE sessions SET state = ?, stop_status = ?, stop_message = ? WHERE id = ?'),
      setExpiry: p('UPDATE sessions SET expires_at = ? WHERE id = ?'),
      deleteSession: p('DELETE FROM sessions WHERE id = ?'),
      // An expired session only answers 403 from now on: its documents are let go at once.
      expire: p(`UPDATE sessions SET state = 'expired', source = NULL, original = NULL, revised = NULL
        WHERE state != 'expired' AND expires_at <= ? RETURNING id`),
      purge: p(`DELETE FROM sessions WHERE state = 'expired' AND expires_at <= ?`),
      releaseAll: p(`UPDATE sessions SET
        source = CASE WHEN source = '${CLAIMED}' THEN NULL ELSE source END,
        original = CASE WHEN original = '${CLAIMED}' THEN NULL ELSE original END,
        revised = CASE WHEN revised = '${CLAIMED}' THEN NULL ELSE revised END
        WHERE source = '${CLAIMED}' OR original = '${CLAIMED}' OR revised = '${CLAIMED}'`),
      clearAllModes: p('UPDATE sessions SET mode = NULL WHERE mode IS NOT NULL AND source IS NULL AND original IS NULL AND revised IS NULL'),
      insertWorkFile: p(`INSERT INTO work_files (id, tenant, hash, size, extension, format, created_at, expires_at)
        VALUES (:id, :tenant, :hash, :size, :extension, :format, :created_at, :expires_at)`),
      getWorkFile: p('SELECT * FROM work_files WHERE id = ?'),
      deleteWorkFile: p('DELETE FROM work_files WHERE id = ?'),
      setWorkFileExpiry: p('UPDATE work_files SET expires_at = ? WHERE id = ?'),
      deleteExpiredWorkFiles: p('DELETE FROM work_files WHERE expires_at <= ?'),
      recordBlob: p('INSERT INTO blobs (hash, size, recorded_at) VALUES (?, ?, ?) ON CONFLICT(hash) DO UPDATE SET recorded_at = excluded.recorded_at'),
      // A session refers to a blob through the JSON of one of its slots.
      unreferenced: p(`SELECT hash FROM blobs b WHERE recorded_at < ?
        AND NOT EXISTS (SELECT 1 FROM work_files w WHERE w.hash = b.hash)
        AND NOT EXISTS (SELECT 1 FROM sessions s WHERE json_extract(s.source, '$.hash') = b.hash
          OR json_extract(s.original, '$.hash') = b.hash OR json_extract(s.revised, '$.hash') = b.hash)`),
      forgetBlob: p('DELETE FROM blobs WHERE hash = ?'),
      getSetting: p('SELECT value FROM settings WHERE name = ?'),
      setSetting: p('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
      insertOfficeDocument: p(`INSERT INTO office_documents (key, tenant, document_id, name, content, created_at, expires_at, state)
        VALUES (:key, :tenant, :document_id, :name, :content, :created_at, :expires_at, :state)`),
      getOfficeDocument: p('SELECT * FROM office_documents WHERE tenant = ? AND document_id = ?'),
      getOfficeDocumentByKey: p('SELECT * FROM office_documents WHERE key = ?'),
      setOfficeDocumentContent: p('UPDATE office_documents SET content = ? WHERE key = ?'),
      setOfficeDocumentExpiry: p('UPDATE office_documents SET expires_at = ? WHERE key = ?'),
      deleteOfficeDocument: p('DELETE FROM office_documents WHERE key = ?'),
      insertOfficeSession: p(`INSERT INTO office_sessions (id, tenant, document_key, kind, user_id, display_name, settings, viewing_session_id, viewed_hash, created_at, expires_at, state, ended_at)
        VALUES (:id, :tenant, :document_key, :kind, :user_id, :display_name, :settings, :viewing_session_id, :viewed_hash, :created_at, :expires_at, :state, :ended_at)`),
      getOfficeSession: p('SELECT * FROM office_sessions WHERE id = ?'),
      listOfficeSessions: p('SELECT * FROM office_sessions WHERE document_key = ? ORDER BY created_at, id'),
      setOfficeSessionViewing: p('UPDATE office_sessions SET viewing_session_id = ?, viewed_hash = ? WHERE id = ?'),
      endOfficeSession: p(`UPDATE office_sessions SET state = ?, ended_at = ? WHERE id = ? AND state = 'active'`),
      expireOfficeSessions: p(`UPDATE office_sessions SET state = 'expired', ended_at = expires_at WHERE state = 'active' AND expires_at <= ? RETURNING *`),
      expireOfficeDocuments: p(`UPDATE office_documents SET state = 'expired' WHERE state = 'active' AND expires_at <= ?`),
      purgeOfficeSessions: p(`DELETE FROM office_sessions WHERE state != 'active' AND ended_at <= ?`),
      purgeOfficeDocuments: p(`DELETE FROM office_documents WHERE state = 'expired' AND expires_at <= ?`),
      countOfficeSession: p(`INSERT INTO office_usage (tenant, sessions_created, first_seen) VALUES (?, 1, ?)
        ON CONFLICT(tenant) DO UPDATE SET sessions_created = sessions_created + 1`),
      getOfficeUsage: p('SELECT sessions_created, first_seen FROM office_usage WHERE tenant = ?'),
    };
  }

  private s(name: string): StatementSync {
    const st = this.stmts[name];
    if (!st) throw new Error(`no statement ${name}`);
    return st;
  }

  async insertSession(r: SessionRecord): Promise<void> {
    this.s('insertSession').run({
      id: r.id,
      tenant: r.tenant,
      properties: JSON.stringify(r.properties),
      created_at: r.createdAt,
      expires_at: r.expiresAt,
      lifetime_seconds: r.lifetimeSeconds,
      mode: r.mode,
      source: slotJson(r.slots.source),
      original: slotJson(r.slots.original),
      revised: slotJson(r.slots.revised),
      state: r.state,
      stop_status: r.stopStatus,
      stop_message: r.stopMessage,
    });
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    let rec = this.sessionCache.get(id);
    if (!rec) {
      const row = this.s('getSession').get(id) as SessionRow | undefined;
      if (!row) return undefined;
      rec = toSession(row);
      deepFreeze(rec.properties);
      if (this.sessionCache.size >= 10_000) this.sessionCache.clear();
      this.sessionCache.set(id, rec);
    }
    return { ...rec, slots: { ...rec.slots } };
  }

  async claimSlot(id: string, slot: Slot): Promise<ClaimResult> {
    this.sessionCache.delete(id);
    const { changes } = this.s(`claim${cap(slot)}`).run(id);
    if (changes === 1) return 'claimed';
    const row = this.s('getSession').get(id) as SessionRow | undefined;
    if (!row) return 'missing';
    const wantMode = slot === 'source' ? 'single' : 'comparison';
    return row.mode !== null && row.mode !== wantMode ? 'otherMode' : 'taken';
  }

  async releaseSlot(id: string, slot: Slot): Promise<void> {
    this.sessionCache.delete(id);
    this.s(`release${cap(slot)}`).run(id);
    this.s('clearMode').run(id);
  }

  async fillSlot(id: string, slot: Slot, doc: DocumentRef): Promise<void> {
    this.sessionCache.delete(id);
    this.s(`fill${cap(slot)}`).run(JSON.stringify(doc), id);
  }

  async setSessionState(id: string, state: SessionState, status: number | null, message: string | null): Promise<void> {
    this.sessionCache.delete(id);
    this.s('setState').run(state, status, message, id);
  }

  async setSessionExpiry(id: string, expiresAt: number): Promise<void> {
    this.sessionCache.delete(id);
    this.s('setExpiry').run(expiresAt, id);
  }

  async deleteSession(id: string): Promise<void> {
    this.sessionCache.delete(id);
    this.s('deleteSession').run(id);
  }

  async expireSessions(now: number): Promise<string[]> {
    this.sessionCache.clear();
    return (this.s('expire').all(now) as { id: string }[]).map((r) => r.id);
  }

  async purgeSessions(before: number): Promise<number> {
    this.sessionCache.clear();
    return Number(this.s('purge').run(before).changes);
  }

  async releaseAllClaims(): Promise<number> {
    this.sessionCache.clear();
    const n = Number(this.s('releaseAll').run().changes);
    this.s('clearAllModes').run();
    return n;
  }

  async insertWorkFile(w: WorkFileRecord): Promise<void> {
    this.s('insertWorkFile').run({
      id: w.id,
      tenant: w.tenant,
      hash: w.hash,
      size: w.size,
      extension: w.extension,
      format: w.format,
      created_at: w.createdAt,
      expires_at: w.expiresAt,
    });
  }

  async getWorkFile(id: string): Promise<WorkFileRecord | undefined> {
    const r = this.s('getWorkFile').get(id) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      id: r.id as string,
      tenant: r.tenant as string,
      hash: r.hash as string,
      size: Number(r.size),
      extension: r.extension as string,
      format: (r.format as string | null) ?? null,
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
    };
  }

  async deleteWorkFile(id: string): Promise<boolean> {
    return Number(this.s('deleteWorkFile').run(id).changes) > 0;
  }

  async setWorkFileExpiry(id: string, expiresAt: number): Promise<void> {
    this.s('setWorkFileExpiry').run(expiresAt, id);
  }

  async deleteExpiredWorkFiles(now: number): Promise<number> {
    return Number(this.s('deleteExpiredWorkFiles').run(now).changes);
  }

  async recordBlob(ref: BlobRef, now: number): Promise<void> {
    this.s('recordBlob').run(ref.hash, ref.size, now);
  }

  async unreferencedBlobs(before: number): Promise<string[]> {
    return (this.s('unreferenced').all(before) as { hash: string }[]).map((r) => r.hash);
  }

  async forgetBlob(hash: string): Promise<void> {
    this.s('forgetBlob').run(hash);
  }

  async getSetting(name: string): Promise<string | undefined> {
    return (this.s('getSetting').get(name) as { value: string } | undefined)?.value;
  }

  async setSetting(name: string, value: string): Promise<void> {
    this.s('setSetting').run(name, value);
  }

  async insertOfficeDocument(d: OfficeDocumentRecord): Promise<void> {
    this.s('insertOfficeDocument').run({
      key: d.key,
      tenant: d.tenant,
      document_id: d.documentId,
      name: d.name,
      content: JSON.stringify(d.content),
      created_at: d.createdAt,
      expires_at: d.expiresAt,
      state: d.state,
    });
  }

  async getOfficeDocument(tenant: string, documentId: string): Promise<OfficeDocumentRecord | undefined> {
    return toOfficeDocument(this.s('getOfficeDocument').get(tenant, documentId));
  }

  async getOfficeDocumentByKey(key: string): Promise<OfficeDocumentRecord | undefined> {
    return toOfficeDocument(this.s('getOfficeDocumentByKey').get(key));
  }

  async setOfficeDocumentContent(key: string, content: DocumentRef): Promise<void> {
    this.s('setOfficeDocumentContent').run(JSON.stringify(content), key);
  }

  async setOfficeDocumentExpiry(key: string, expiresAt: number): Promise<void> {
    this.s('setOfficeDocumentExpiry').run(expiresAt, key);
  }

  async deleteOfficeDocument(key: string): Promise<void> {
    this.s('deleteOfficeDocument').run(key);
  }

  async insertOfficeSession(r: OfficeSessionRecord): Promise<void> {
    this.s('insertOfficeSession').run({
      id: r.id,
      tenant: r.tenant,
      document_key: r.documentKey,
      kind: r.kind,
      user_id: r.userId,
      display_name: r.displayName,
      settings: JSON.stringify(r.settings),
      viewing_session_id: r.viewingSessionId,
      viewed_hash: r.viewedHash,
      created_at: r.createdAt,
      expires_at: r.expiresAt,
      state: r.state,
      ended_at: r.endedAt,
    });
  }

  async getOfficeSession(id: string): Promise<OfficeSessionRecord | undefined> {
    const row = this.s('getOfficeSession').get(id);
    return row ? toOfficeSession(row) : undefined;
  }

  async listOfficeSessions(documentKey: string): Promise<OfficeSessionRecord[]> {
    return this.s('listOfficeSessions').all(documentKey).map(toOfficeSession);
  }

  async setOfficeSessionViewing(id: string, viewingSessionId: string, viewedHash: string): Promise<void> {
    this.s('setOfficeSessionViewing').run(viewingSessionId, viewedHash, id);
  }

  async endOfficeSession(id: string, state: 'deleted' | 'expired', at: number): Promise<boolean> {
    return Number(this.s('endOfficeSession').run(state, at, id).changes) > 0;
  }

  async expireOffice(now: number): Promise<OfficeSessionRecord[]> {
    const ended = this.s('expireOfficeSessions').all(now).map(toOfficeSession);
    this.s('expireOfficeDocuments').run(now);
    return ended;
  }

  async purgeOffice(before: number): Promise<number> {
    return Number(this.s('purgeOfficeSessions').run(before).changes) + Number(this.s('purgeOfficeDocuments').run(before).changes);
  }

  async countOfficeSession(tenant: string, now: number): Promise<void> {
    this.s('countOfficeSession').run(tenant, now);
  }

  async getOfficeUsage(tenant: string): Promise<OfficeUsage | undefined> {
    const r = this.s('getOfficeUsage').get(tenant) as { sessions_created: number; first_seen: number } | undefined;
    return r ? { sessionsCreated: Number(r.sessions_created), firstSeen: Number(r.first_seen) } : undefined;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function toOfficeDocument(row: unknown): OfficeDocumentRecord | undefined {
  if (!row) return undefined;
  const r = row as Record<string, unknown>;
  return {
    key: r.key as string,
    tenant: r.tenant as string,
    documentId: r.document_id as string,
    name: r.name as string,
    content: JSON.parse(r.content as string) as DocumentRef,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    state: r.state as OfficeDocumentRecord['state'],
  };
}

function toOfficeSession(row: unknown): OfficeSessionRecord {
  const r = row as Record<string, unknown>;
  return {
    id: r.id as string,
    tenant: r.tenant as string,
    documentKey: (r.document_key as string | null) ?? null,
    kind: r.kind as OfficeSessionRecord['kind'],
    userId: r.user_id as string,
    displayName: r.display_name as string,
    settings: JSON.parse(r.settings as string) as Record<string, unknown>,
    viewingSessionId: (r.viewing_session_id as string | null) ?? null,
    viewedHash: (r.viewed_hash as string | null) ?? null,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    state: r.state as OfficeSessionRecord['state'],
    endedAt: r.ended_at === null || r.ended_at === undefined ? null : Number(r.ended_at),
  };
}

function cap(slot: Slot): string {
  return slot[0]!.toUpperCase() + slot.slice(1);
}

function slotJson(v: DocumentRef | 'claimed' | undefined): string | null {
  if (v === undefined) return null;
  return v === 'claimed' ? CLAIMED : JSON.stringify(v);
}

function parseSlot(v: string | null): DocumentRef | 'claimed' | undefined {
  if (v === null) return undefined;
  if (v === CLAIMED) return 'claimed';
  return JSON.parse(v) as DocumentRef;
}

function toSession(r: SessionRow): SessionRecord {
  const slots: SessionRecord['slots'] = {};
  const source = parseSlot(r.source);
  const original = parseSlot(r.original);
  const revised = parseSlot(r.revised);
  if (source) slots.source = source;
  if (original) slots.original = original;
  if (revised) slots.revised = revised;
  return {
    id: r.id,
    tenant: r.tenant,
    properties: JSON.parse(r.properties),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    lifetimeSeconds: Number(r.lifetime_seconds),
    mode: r.mode as SessionRecord['mode'],
    slots,
    state: r.state as SessionState,
    stopStatus: r.stop_status,
    stopMessage: r.stop_message,
  };
}

/** A write on a full disk fails with SQLITE_FULL: it is StorageFull (507) to callers, not an internal error. */
function fullDiskAware(st: StatementSync): StatementSync {
  const run = st.run.bind(st) as (...args: unknown[]) => ReturnType<StatementSync['run']>;
  st.run = ((...args: unknown[]) => {
    try {
      return run(...args);
    } catch (err) {
      throw asStorageFull(err);
    }
  }) as StatementSync['run'];
  return st;
}

/** Freezes a parsed JSON value all the way down (no cycles in JSON). */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
