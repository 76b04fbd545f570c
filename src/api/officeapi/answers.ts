// The JSON answers, with exactly the key sets the vendor's SDK matches its response classes by
// (an extra key can make it pick another class), and the links they carry.
import type { DocumentView, SessionView } from '../../domain/office-documents.ts';
import type { OfficeDocumentRecord, OfficeSessionRecord, OfficeUsage } from '../../storage/ports.ts';
import { createHash } from 'node:crypto';

export const V1 = '/writer/officeapi/v1';

/** Where each kind of session is opened (the real service's document_url is …/documents/{session_id}/edit). */
const OPEN_SUFFIX: Record<OfficeSessionRecord['kind'], string> = { edit: 'edit', preview: 'preview', compare: 'compare' };

export const links = (base: string) => ({
  open: (s: OfficeSessionRecord) => `${base}${V1}/documents/${s.id}/${OPEN_SUFFIX[s.kind]}`,
  save: (s: OfficeSessionRecord) => `${base}${V1}/documents/${s.id}/save`,
  sessionDelete: (s: OfficeSessionRecord) => `${base}${V1}/sessions/${s.id}`,
  documentDelete: (d: OfficeDocumentRecord) => `${base}${V1}/documents/${encodeURIComponent(d.documentId)}`,
  /** The viewer page, with the print and download buttons the session may have and the page title. */
  viewer: (viewingSessionId: string, opts: { print?: boolean; download?: boolean; title?: string } = {}) => {
    const q = new URLSearchParams();
    if (opts.print) q.set('print', '1');
    if (opts.download) q.set('download', '1');
    if (opts.title) q.set('title', opts.title);
    return `${base}/viewer/${encodeURIComponent(viewingSessionId)}${q.size ? `?${q}` : ''}`;
  },
});

const iso = (ms: number) => new Date(ms).toISOString();

export function createAnswer(base: string, v: SessionView) {
  const l = links(base);
  return {
    document_url: l.open(v.session),
    session_id: v.session.id,
    session_delete_url: l.sessionDelete(v.session),
    save_url: l.save(v.session),
    document_id: v.document!.documentId,
    document_delete_url: l.documentDelete(v.document!),
  };
}

export function previewAnswer(base: string, v: SessionView) {
  const l = links(base);
  return {
    preview_url: l.open(v.session),
    session_id: v.session.id,
    session_delete_url: l.sessionDelete(v.session),
    document_id: v.document!.documentId,
    document_delete_url: l.documentDelete(v.document!),
  };
}

export function compareAnswer(base: string, s: OfficeSessionRecord) {
  const l = links(base);
  return { compare_url: l.open(s), session_delete_url: l.sessionDelete(s) };
}

export function sessionAnswer(base: string, v: SessionView) {
  const l = links(base);
  const s = v.session;
  return {
    status: 'active',
    info: {
      ...(v.document ? { document_id: v.document.documentId } : {}),
      session_url: l.open(s),
      session_delete_url: l.sessionDelete(s),
      created_time: iso(s.createdAt),
      created_time_ms: s.createdAt,
      expires_on: iso(s.expiresAt),
      expires_on_ms: s.expiresAt,
    },
    user_info: { user_id: s.userId, display_name: s.displayName },
  };
}

export function documentAnswer(v: DocumentView) {
  const d = v.document;
  return {
    document_id: d.documentId,
    document_name: d.name,
    document_type: 'writer',
    active_sessions_count: v.sessions.length,
    // Distinct users among the live sessions.
    collaborators_count: new Set(v.sessions.map((s) => s.userId)).size,
    created_time: iso(d.createdAt),
    created_time_ms: d.createdAt,
    expires_on: iso(d.expiresAt),
    expires_on_ms: d.expiresAt,
  };
}

export function allSessionsAnswer(base: string, v: DocumentView) {
  return { ...documentAnswer(v), sessions: v.sessions.map((s) => sessionAnswer(base, { session: s, document: v.document })) };
}

/**
 * Self-hosted: no plan, no payments, no limits. -1 says "unlimited" in the numeric fields; the
 * usage is the user sessions this key's tenant has opened.
 */
export function planAnswer(tenant: string, usage: OfficeUsage | undefined, now: number) {
  const since = usage?.firstSeen ?? now;
  return {
    plan_name: 'Quire self-hosted (no limits)',
    payment_link: '',
    subscription_period: 'unlimited',
    subscription_interval: 'none',
    usage_limit: -1,
    remaining_usage_limit: -1,
    total_usage: usage?.sessionsCreated ?? 0,
    // A stable number for the tenant, never the key itself.
    apikey_id: parseInt(createHash('sha256').update(tenant).digest('hex').slice(0, 12), 16),
    apikey_generated_time: iso(since),
    apikey_generated_time_ms: since,
  };
}
