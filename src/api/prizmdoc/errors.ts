// The one place QuireErrors become PrizmDoc wire answers: 480 input errors and 580 processing
// failures with {errorCode, errorDetails}, the Accusoft-Status-* headers, and the statuses a
// session's owner chose when stopping it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QuireError, type ErrorKind } from '../../domain/errors.ts';
import { headerSafe } from '../../http/content-disposition.ts';

const STATUS: Record<ErrorKind, number> = {
  input: 480,
  processing: 580,
  notFound: 404,
  gone: 403,
  stopped: 403,
  unauthorized: 401,
  tooLarge: 413,
  unavailable: 503,
  internal: 500,
};

const REASON: Partial<Record<number, string>> = {
  480: 'Invalid Input',
  580: 'Processing Failure',
  403: 'The session is invalid or has expired',
};

/** Statuses whose meaning is set by a code rather than by the kind. */
const STATUS_BY_CODE: Record<string, number> = { StorageFull: 507 };

/** Messages the vendor sends in Accusoft-Status-Message, which clients match on. */
const STATUS_MESSAGE_BY_CODE: Record<string, string> = {
  UnrecognizedFileFormat: 'Unrecognized File Format',
  DocumentRequiresPassword: 'Document requires a password',
};

/** Seconds a client should wait before retrying when an engine's queue is full (kind "unavailable", 503). */
const RETRY_AFTER_SECONDS = '5';

/** Accusoft-Status-Number values the vendor documents for input errors (viewers switch on them). */
const STATUS_NUMBER_BY_CODE: Record<string, string> = { DocumentRequiresPassword: '4001' };

export function sendPrizmdocError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = asQuireError(err);
  if (e.kind === 'internal') request.log.error({ err }, 'internal error');
  else if (e.cause) request.log.warn({ err: e.cause, code: e.code }, e.message);
  const status = e.kind === 'stopped' ? (e.status ?? 403) : (STATUS_BY_CODE[e.code] ?? STATUS[e.kind]);
  const body: Record<string, unknown> = { errorCode: e.code };
  if (e.details) body.errorDetails = e.details;
  if (e.kind !== 'input') body.message = e.kind === 'internal' ? 'Internal error' : e.message;
  if (e.kind === 'stopped') {
    const msg = headerSafe(e.message);
    reply.raw.statusMessage = msg;
    reply.header('Accusoft-Status-Message', msg).header('Accusoft-Status-Number', String(status));
  } else {
    const reason = REASON[status];
    if (reason) reply.raw.statusMessage = reason;
    if (e.kind === 'processing' || e.kind === 'gone' || STATUS_MESSAGE_BY_CODE[e.code]) {
      reply.header('Accusoft-Status-Message', headerSafe(STATUS_MESSAGE_BY_CODE[e.code] ?? e.message));
    }
    const number = STATUS_NUMBER_BY_CODE[e.code];
    if (number) reply.header('Accusoft-Status-Number', number);
    // Back-pressure is over in seconds: say when to come back instead of letting clients hammer. (A full
    // disk or an engine that cannot start is not, so those get no such promise.)
    if (e.code === 'EngineBusy') reply.header('Retry-After', RETRY_AFTER_SECONDS);
  }
  // A body we stopped reading (too large to drain) cannot be followed by another request.
  if (!request.raw.complete) reply.header('Connection', 'close');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Framework errors (bad JSON, body too large, bad content length) expressed as QuireErrors. */
export function asQuireError(err: unknown): QuireError {
  if (err instanceof QuireError) return err;
  const fe = err as { statusCode?: number; code?: string; message?: string };
  // The client went away mid-body (a closed tab, a load generator stopping): nothing to answer, nothing broken.
  if (fe?.code === 'ECONNRESET' || fe?.code === 'ERR_STREAM_PREMATURE_CLOSE' || fe?.message === 'aborted') {
    return new QuireError('input', 'ClientAborted', 'The client closed the connection before the request was complete');
  }
  if (fe?.statusCode === 413) return new QuireError('tooLarge', 'PayloadTooLarge', 'The request body is too large');
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new QuireError('input', 'InvalidInput', fe.message ?? 'Invalid request', {
      details: { in: 'body', at: 'input', message: fe.message ?? 'The request could not be read' },
    });
  }
  return new QuireError('internal', 'InternalError', 'Internal error', { cause: err });
}
