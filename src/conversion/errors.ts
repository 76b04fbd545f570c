// How a failed conversion reports itself in the process status: the vendor's small set of codes
// (clients switch on them), with Quire's own reason kept in errorDetails.
import { QuireError, type ErrorDetails } from '../domain/errors.ts';

export const couldNotConvert = (message: string, cause?: unknown) =>
  new QuireError('processing', 'CouldNotConvert', message, cause === undefined ? {} : { cause });

/** Codes a process may end with that are already the vendor's. */
const KEPT = new Set(['InvalidPageSyntax', 'UnsupportedSourceFileFormat', 'WorkFileDoesNotExist', 'InvalidInput', 'CouldNotConvert']);

export interface ProcessError {
  errorCode: string;
  errorDetails?: ErrorDetails;
}

/** `at` names the input the failure belongs to (`input.sources[1]`), when there is one. */
export function processErrorOf(err: unknown, at?: string): ProcessError {
  if (!(err instanceof QuireError) || err.kind === 'internal') return { errorCode: 'InternalError' };
  // Engines name their own parameters (pageIndex, scale); only the request's own paths mean anything here.
  const own = err.details?.at;
  const where = own?.startsWith('input') ? own : at;
  const details: ErrorDetails = { ...(where ? { at: where } : {}), message: err.message };
  if (err.code === 'DocumentRequiresPassword') {
    return { errorCode: 'InvalidPassword', errorDetails: { ...details, ...(at ? { at: `${at}.password` } : {}) } };
  }
  if (KEPT.has(err.code)) return { errorCode: err.code, errorDetails: details };
  if (err.kind === 'input') return { errorCode: 'InvalidInput', errorDetails: { ...details, reason: err.code } };
  return { errorCode: 'CouldNotConvert', errorDetails: { ...details, reason: err.code } };
}
