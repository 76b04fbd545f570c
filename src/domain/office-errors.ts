// The errors the Office Integrator documents raise, as QuireErrors with stable codes. Where in the
// input the problem is travels as details.at (the parameter) and details.key (a key inside it);
// api/officeapi/errors.ts turns them into the vendor's numeric codes.
import { QuireError } from './errors.ts';

export const OfficeErrorCodes = {
  /** 1831: a parameter's value is wrong. */
  invalidValue: 'InvalidParameterValue',
  /** 1832: a parameter (or a key inside one) is not known. */
  invalidName: 'InvalidParameterName',
  /** 1833: no such session (never existed, deleted, or another tenant's). */
  invalidSession: 'InvalidSessionId',
  /** 1834: the session (or its document) has expired. */
  sessionExpired: 'SessionExpired',
  /** 1837: a mandatory parameter is missing. */
  missing: 'MissingParameter',
  /** 1844: no such document. */
  invalidDocument: 'InvalidDocumentId',
  /** 1852: the file's format is not one this operation takes. */
  unsupportedFormat: 'UnsupportedFileFormat',
} as const;

const where = (parameter: string | undefined, key?: string) => ({
  details: { in: 'body' as const, ...(parameter !== undefined ? { at: parameter } : {}), ...(key !== undefined ? { key } : {}) },
});

export const invalidValue = (parameter: string, message: string, key?: string) =>
  new QuireError('input', OfficeErrorCodes.invalidValue, message, where(parameter, key));

export const invalidName = (parameter: string, key: string, message?: string) =>
  new QuireError('input', OfficeErrorCodes.invalidName, message ?? `"${key}" is not a known key of ${parameter}`, where(parameter, key));

export const missingParameter = (parameter: string, message?: string) =>
  new QuireError('input', OfficeErrorCodes.missing, message ?? `The parameter ${parameter} is mandatory`, where(parameter));

export const unsupportedFormat = (parameter: string, message: string) =>
  new QuireError('input', OfficeErrorCodes.unsupportedFormat, message, where(parameter));

export const invalidSession = () =>
  new QuireError('notFound', OfficeErrorCodes.invalidSession, 'Invalid session id: no such session, or it has been deleted', where('session_id'));

export const sessionExpired = () => new QuireError('gone', OfficeErrorCodes.sessionExpired, 'The session has expired', where('session_id'));

export const invalidDocument = () =>
  new QuireError('notFound', OfficeErrorCodes.invalidDocument, 'Invalid document id: no such document, or it has been deleted', where('document_id'));

export const documentExpired = () => new QuireError('gone', OfficeErrorCodes.sessionExpired, 'The document has expired', where('document_id'));
