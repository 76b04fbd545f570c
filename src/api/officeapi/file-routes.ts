// Convert and watermark: the answer is the file itself, with the Content-Type and
// Content-Disposition the vendor's SDK needs to hand it over as a FileBodyWrapper.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConvertedFile } from '../../domain/office-conversions.ts';
import { attachment } from '../../http/content-disposition.ts';
import { V1 } from './answers.ts';
import { callerWithForm } from './caller.ts';
import type { OfficeApiDeps } from './deps.ts';
import { sourceOf } from './form.ts';
import { convertOptions, inputPassword, watermarkOutputFormat, watermarkSettings } from './params.ts';

/** The types the SDK knows for these answers; the others are the formats' own. */
const MIME: Record<string, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
  rtf: 'application/rtf',
  html: 'text/html; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  zip: 'application/zip',
};

export function fileRoutes(app: FastifyInstance, deps: OfficeApiDeps): void {
  app.post(`${V1}/document/convert`, async (req, reply) => {
    const { tenant, form } = await callerWithForm(req, deps);
    const options = convertOptions(form.fields);
    const file = await deps.conversions.convert(tenant, { source: sourceOf(form, 'document', 'url'), password: inputPassword(form.fields), ...options });
    return sendFile(reply, file);
  });

  app.post(`${V1}/document/watermark`, async (req, reply) => {
    const { tenant, form } = await callerWithForm(req, deps);
    const watermark = watermarkSettings(form.fields);
    const file = await deps.conversions.watermark(tenant, { source: sourceOf(form, 'document', 'url'), watermark, outputFormat: watermarkOutputFormat(form.fields) });
    return sendFile(reply, file);
  });
}

async function sendFile(reply: FastifyReply, file: ConvertedFile): Promise<FastifyReply> {
  const { size } = await stat(file.path);
  const body = createReadStream(file.path);
  // The private folder goes once the file has been sent (or the client went away).
  body.once('close', () => void file.dispose());
  return reply
    .header('Content-Type', MIME[file.extension] ?? 'application/octet-stream')
    .header('Content-Length', String(size))
    .header('Content-Disposition', attachment(file.name, file.extension))
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'private, no-store')
    .send(body);
}
