// What the reader is told when the document cannot be shown: each server answer the viewer can meet
// becomes one of a few states with a title and the message the backend chose.
import { ApiError } from './api.ts';

export type ProblemKind = 'password' | 'unreadable' | 'expired' | 'stopped' | 'notFound' | 'network' | 'failed';

export interface ViewerProblem {
  kind: ProblemKind;
  /** HTTP status (0: the server could not be reached). */
  status: number;
  code?: string;
  title: string;
  /** The server's own words when it sent any. */
  message: string;
}

const TITLES: Record<ProblemKind, string> = {
  password: 'This document is protected by a password',
  unreadable: 'This file cannot be displayed',
  expired: 'This viewing session has expired',
  stopped: 'This document is no longer available',
  notFound: 'This document could not be found',
  network: 'The document server cannot be reached',
  failed: 'The document could not be shown',
};

export function problemOf(err: unknown): ViewerProblem {
  if (!(err instanceof ApiError)) {
    return { kind: 'failed', status: 0, title: TITLES.failed, message: err instanceof Error ? err.message : String(err) };
  }
  const kind = kindOf(err);
  // The body carries the exact text (headers lose non-ASCII characters).
  const said = err.bodyMessage ?? err.statusMessage;
  const message =
    kind === 'password'
      ? `${said ?? 'Document requires a password'}. The application that opened it must supply the password.`
      : kind === 'network'
        ? 'Check the connection and reload the page.'
        : (said ?? err.message);
  return { kind, status: err.status, ...(err.code ? { code: err.code } : {}), title: TITLES[kind], message };
}

function kindOf(err: ApiError): ProblemKind {
  if (err.status === 0) return 'network';
  if (err.statusNumber === '4001' || err.code === 'DocumentRequiresPassword' || err.code === 'InvalidPassword') return 'password';
  if (err.code === 'SessionStopped' || err.code === 'SessionErrored') return 'stopped';
  if (err.status === 580) return 'unreadable';
  if (err.status === 403) return 'expired';
  if (err.status === 404) return 'notFound';
  return 'failed';
}

/** The document is not there yet: worth waiting for rather than an error. */
export function isNotYetProvided(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'DocumentNotProvidedYet';
}

/** An answer about the whole session (not one page): the viewer cannot go on. */
export function isSessionWide(p: ViewerProblem): boolean {
  return p.kind !== 'failed' && p.kind !== 'network';
}
