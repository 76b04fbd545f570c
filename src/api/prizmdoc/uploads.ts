// Refuses an upload before reading it when its declared length is already over the limit.
import type { FastifyRequest } from 'fastify';
import { QuireError } from '../../domain/errors.ts';

export function checkUploadLength(req: FastifyRequest, maxBytes: number): void {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    throw new QuireError('tooLarge', 'PayloadTooLarge', `The document is larger than the limit of ${maxBytes} bytes`);
  }
}
