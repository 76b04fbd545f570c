// The one place QuireErrors become Office Integrator answers: HTTP 400 with
// {code, message, parameter_name, key_name} (the vendor's SDK reads only 200 and 400 and turns this
// shape into InvalidConfigurationException), whatever went wrong.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QuireError } from '../../domain/errors.ts';
import { OfficeErrorCodes } from '../../domain/office-errors.ts';

const C = OfficeErrorCodes;

/** The vendor's codes for Quire's error codes (and where the input was wrong when the code says it). */
const BY_CODE: Record<string, { code: number; parameter?: string; key?: string }> = {
  [C.invalidValue]: { code: 1831 },
  [C.invalidName]: { code: 1832 },
  [C.invalidSession]: { code: 1833 },
  [C.sessionExpired]: { code: 1834 },
  [C.missing]: { code: 1837 },
  [C.invalidDocument]: { code: 1844 },
  [C.unsupportedFormat]: { code: 1852 },
  MissingApiKey: { code: 1846, parameter: 'apikey' },
  InvalidApiKey: { code: 1846, parameter: 'apikey' },
  DocumentRequiresPassword: { code: 1831, parameter: 'password' },
  UnrecognizedFileFormat: { code: 1852, parameter: 'document' },
  UnsupportedConversion: { code: 1852, parameter: 'output_options', key: 'format' },
  NotADocx: { code: 1852, parameter: 'document' },
  CouldNotConvert: { code: 1852, parameter: 'document' },
  UnreadablePdf: { code: 1852, parameter: 'document' },
  NoFontForWatermark: { code: 1831, parameter: 'watermark_settings', key: 'text' },
  PayloadTooLarge: { code: 1831, parameter: 'document' },
  // Invalid method: an operation this server does not have.
  UnsupportedOperation: { code: 1838 },
};

/** By kind, for everything without a code of its own. */
const BY_KIND: Record<QuireError['kind'], number> = {
  input: 1831,
  processing: 1801,
  notFound: 1831,
  gone: 1834,
  stopped: 1833,
  unauthorized: 1846,
  tooLarge: 1831,
  // Server down or busy.
  unavailable: 1861,
  internal: 1801,
};

export function sendOfficeError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = asQuireError(err);
  if (e.kind === 'internal') request.log.error({ err }, 'internal error');
  else if (e.cause) request.log.warn({ err: e.cause, code: e.code }, e.message);
  const mapped = BY_CODE[e.code];
  const body: Record<string, unknown> = {
    code: mapped?.code ?? BY_KIND[e.kind],
    message: e.kind === 'internal' ? 'Internal server error' : e.message,
  };
  const parameter = typeof e.details?.at === 'string' ? e.details.at : mapped?.parameter;
  const key = typeof e.details?.key === 'string' ? e.details.key : mapped?.key;
  if (parameter !== undefined) body.parameter_name = parameter;
  if (key !== undefined) body.key_name = key;
  // A body we stopped reading (an upload past the limit) cannot be followed by another request.
  if (!request.raw.complete) reply.header('Connection', 'close');
  return reply.code(400).type('application/json; charset=utf-8').send(body);
}

/** Framework and multipart errors (bad content type, limits) as QuireErrors. */
function asQuireError(err: unknown): QuireError {
  if (err instanceof QuireError) return err;
  const fe = err as { statusCode?: number; code?: string; message?: string };
  if (fe?.statusCode === 413 || fe?.code === 'FST_REQ_FILE_TOO_LARGE') return new QuireError('tooLarge', 'PayloadTooLarge', 'The request is larger than Quire accepts');
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new QuireError('input', C.invalidValue, 'Send the parameters as multipart/form-data', { details: { at: 'Content-Type' } });
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new QuireError('input', C.invalidValue, fe.message ?? 'The request could not be read');
  }
  // busboy's own parse errors are plain Errors (no code): a body that does not match its multipart header.
  if (fe?.code === undefined && /multipart|boundary not found|malformed part header/i.test(fe?.message ?? '')) {
    return new QuireError('input', C.invalidValue, `The multipart/form-data body could not be read: ${fe.message}`, { details: { at: 'Content-Type' } });
  }
  // The client went away mid-body: nothing to answer, nothing broken (not an internal error).
  if (fe?.code === 'ECONNRESET' || fe?.code === 'ERR_STREAM_PREMATURE_CLOSE' || fe?.message === 'aborted') {
    return new QuireError('input', 'ClientAborted', 'The client closed the connection before the request was complete');
  }
  return new QuireError('internal', 'InternalError', 'Internal error', { cause: err });
}
