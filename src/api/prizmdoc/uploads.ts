// Upload bodies: refused before reading when the declared length is already over the limit, read
// without being destroyed when the reader stops early, and drained after a refusal so the client
// gets the JSON answer rather than a reset connection.
import type { FastifyRequest } from 'fastify';
import { QuireError } from '../../domain/errors.ts';
import { DRAIN_MAX_BYTES, discardBody } from '../../http/drain.ts';

export function checkUploadLength(req: FastifyRequest, maxBytes: number): void {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    throw new QuireError('tooLarge', 'PayloadTooLarge', `The document is larger than the limit of ${maxBytes} bytes`);
  }
}

/**
 * Runs `use` with the request body. Whatever `use` throws is rethrown once the rest of the body has
 * been read and discarded (bounded by DRAIN_MAX_BYTES; past that errors.ts closes the connection).
 */
export async function withUploadBody<T>(req: FastifyRequest, maxBytes: number, use: (body: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T> {
  try {
    checkUploadLength(req, maxBytes);
    // Stopping at the size limit must not destroy the request: its socket still carries our answer.
    return await use(req.raw.iterator({ destroyOnReturn: false }));
  } catch (err) {
    const declared = Number(req.headers['content-length'] ?? NaN);
    // A declared length far past the limit is not worth reading just to be polite.
    if (!(declared > maxBytes + DRAIN_MAX_BYTES)) await discardBody(req.raw);
    throw err;
  }
}
