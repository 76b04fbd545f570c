// Turns a failed poppler run into the server's error vocabulary. Poppler says "Incorrect password"
// on stderr (exit 1) for an encrypted file opened without the right password, whichever tool it is.
import { QuireError } from '../../domain/errors.ts';
import type { ToolResult } from './run-tool.ts';

export const requiresPassword = () => new QuireError('input', 'DocumentRequiresPassword', 'Document requires a password');

export const couldNotRender = (message: string, cause?: unknown) =>
  new QuireError('processing', 'CouldNotRender', message, cause === undefined ? {} : { cause });

export const pageOutOfRange = (pageIndex: number, pageCount?: number) =>
  new QuireError('input', 'PageOutOfRange', `Page ${pageIndex} does not exist${pageCount === undefined ? '' : ` (the document has ${pageCount} pages)`}`, {
    details: { at: 'pageIndex', received: pageIndex, ...(pageCount === undefined ? {} : { expected: `0..${pageCount - 1}` }) },
  });

/** Throws the matching QuireError unless the run succeeded with some output. */
export function checkToolResult(tool: string, r: ToolResult, pageIndex?: number): void {
  if (r.timedOut) throw couldNotRender(`${tool} did not finish within the time limit`, { stderr: r.stderr, ms: r.ms });
  if (r.overflowed) throw couldNotRender(`${tool} produced more output than allowed`);
  if (/Incorrect password/i.test(r.stderr)) throw requiresPassword();
  if (pageIndex !== undefined && /Wrong page range|first page \(\d+\) can not be after the last page/i.test(r.stderr)) throw pageOutOfRange(pageIndex);
  if (r.code !== 0 || r.stdout.length === 0) {
    throw couldNotRender(`${tool} could not read the document`, { code: r.code, signal: r.signal, stderr: r.stderr.slice(0, 2000) });
  }
}

/** poppler takes owner and user passwords separately; a viewer has one, so it is offered as both. */
export function passwordArgs(password: string | undefined): string[] {
  return password === undefined || password === '' ? [] : ['-opw', password, '-upw', password];
}
