// The engine's closed set of errors. Whatever the UNO worker says is turned into one of these here;
// its raw words and LibreOffice's stderr travel only as `cause`, for the log.

import { QuireError } from '../../domain/errors.ts';

/** What uno-worker.py reports for a failed job. */
export type WorkerFailure = 'password' | 'load' | 'export' | 'crashed' | 'request';

export interface WorkerCause {
  failure: WorkerFailure | 'exited';
  message: string;
  stderr: string;
}

export const documentRequiresPassword = (cause?: WorkerCause) =>
  new QuireError('input', 'DocumentRequiresPassword', 'Document requires a password', { cause });

export const couldNotConvert = (cause?: unknown) =>
  new QuireError('processing', 'CouldNotConvert', 'The document could not be converted', { cause });

/** A package that would unpack to far more than its size (a zip bomb): refused before LibreOffice sees it. */
export const unpacksTooMuch = (why: string) =>
  new QuireError('processing', 'CouldNotConvert', `The document could not be converted: ${why}`);

/** soffice grew past the hard memory limit under this document (an encrypted zip bomb, say). */
export const usedTooMuchMemory = (mb: number) =>
  new QuireError('processing', 'CouldNotConvert', `The document could not be converted: it needed more than ${mb} MiB of memory`);

export const conversionTimedOut = (ms: number) =>
  new QuireError('processing', 'ConversionTimedOut', `The conversion did not finish within ${ms} ms`);

export const engineCrashed = (cause: unknown) =>
  new QuireError('processing', 'EngineCrashed', 'The conversion engine crashed on this document', { cause });

export const engineBusy = (queued: number) =>
  new QuireError('unavailable', 'EngineBusy', 'The conversion engine is busy; try again later', { details: { queued } });

export const engineUnavailable = (cause: unknown) =>
  new QuireError('unavailable', 'EngineUnavailable', 'The conversion engine could not be started', { cause });

export const engineClosed = () => new QuireError('unavailable', 'EngineClosed', 'The conversion engine is shut down');

/** A job the worker answered with a failure (the worker itself is still fine). */
export function fromWorkerFailure(cause: WorkerCause): QuireError {
  switch (cause.failure) {
    case 'password':
      return documentRequiresPassword(cause);
    case 'request':
      // Quire asked for something the worker does not do: a bug on our side, not the document's.
      return new QuireError('internal', 'EngineRequestRejected', 'The conversion engine rejected the request', { cause });
    default:
      return couldNotConvert(cause);
  }
}
