// Sends stored document bytes as a download.
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { mimeOf } from '../../formats/formats.ts';
import { attachment } from '../../http/content-disposition.ts';

export function sendDocument(reply: FastifyReply, doc: { hash: string; size: number; extension: string }, body: Readable, filename: string) {
  return reply
    .header('Content-Type', mimeOf(doc.extension))
    .header('Content-Length', String(doc.size))
    .header('Content-Disposition', attachment(filename, doc.extension))
    .header('ETag', `"${doc.hash}"`)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'private, no-store')
    .send(body);
}
