// One error type for the whole server. `kind` is the HTTP-neutral meaning each dialect maps to its
// wire shape (api/prizmdoc/errors.ts, later api/officeapi/errors.ts); `code` is a stable name that
// PrizmDoc clients match on; `details` says where in the input the problem is; `cause` is for the log only.

export const ErrorKinds = {
  /** The caller sent something wrong (PrizmDoc 480). */
  input: 'input',
  /** The caller's input was fine but processing it failed (PrizmDoc 580). */
  processing: 'processing',
  notFound: 'notFound',
  /** It existed but is no longer usable: expired (PrizmDoc 403). */
  gone: 'gone',
  /** A session stopped or errored by its owner: answers with the status the owner chose. */
  stopped: 'stopped',
  unauthorized: 'unauthorized',
  tooLarge: 'tooLarge',
  unavailable: 'unavailable',
  internal: 'internal',
} as const;
export type ErrorKind = (typeof ErrorKinds)[keyof typeof ErrorKinds];

export interface ErrorDetails {
  in?: 'body' | 'query' | 'path' | 'header';
  at?: string;
  expected?: unknown;
  received?: unknown;
  message?: string;
  [key: string]: unknown;
}

export class QuireError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: ErrorDetails | undefined;
  /** For kind "stopped": the status and message the session's owner chose. */
  readonly status: number | undefined;

  constructor(kind: ErrorKind, code: string, message: string, opts: { details?: ErrorDetails; cause?: unknown; status?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'QuireError';
    this.kind = kind;
    this.code = code;
    this.details = opts.details;
    this.status = opts.status;
  }
}

export const invalidInput = (at: string, expected: unknown, where: ErrorDetails['in'] = 'body', message?: string) =>
  new QuireError('input', 'InvalidInput', message ?? `Invalid value at ${at}`, { details: { in: where, at, expected, ...(message ? { message } : {}) } });

export const missingInput = (at: string, where: ErrorDetails['in'] = 'body') =>
  new QuireError('input', 'MissingInput', `Missing value at ${at}`, { details: { in: where, at } });

export const inputError = (code: string, message: string, details?: ErrorDetails) =>
  new QuireError('input', code, message, details ? { details } : {});

export const notFound = (what: string) => new QuireError('notFound', 'NotFound', `${what} not found`);
