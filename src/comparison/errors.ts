// The comparison's errors. The API dialect maps UnsupportedFormatForComparison to 480 and the
// processing ones to 580; causes are for the log only.
import { QuireError } from '../domain/errors.ts';

export type DocumentRole = 'original' | 'revised';

export const unsupportedFormat = (role: DocumentRole, extension: string, supported: readonly string[]) =>
  new QuireError('input', 'UnsupportedFormatForComparison', `Documents of type "${extension}" cannot be compared`, {
    details: { at: role, received: extension, expected: supported },
  });

/** The document could not be read as a word-processing document (damaged, or not what its extension says). */
export const unreadableDocument = (role: DocumentRole, cause: unknown) =>
  new QuireError('processing', 'ComparisonDocumentUnreadable', `The ${role} document could not be read for comparison`, {
    details: { at: role },
    cause,
  });

export const comparisonTimedOut = (ms: number) =>
  new QuireError('processing', 'ComparisonTimedOut', `The comparison did not finish within ${ms} ms`);

/** Reading both documents worked but building or rendering the redline failed. */
export const couldNotCompare = (cause: unknown) =>
  new QuireError('processing', 'CouldNotCompare', 'The documents could not be compared', { cause });
