// Reading an Office Integrator request body: multipart/form-data (what the vendor's SDK sends),
// urlencoded, or nothing at all (the SDK's POST for a parameters object with nothing set). File parts
// are streamed into the blob store as they arrive — also those without a filename, which is how a
// Buffer given to the SDK arrives — so no document is ever held whole in memory.
import type { FastifyMultipartBaseOptions } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { QuireError } from '../../domain/errors.ts';
import { invalidValue } from '../../domain/office-errors.ts';
import type { OfficeSource } from '../../domain/office-sources.ts';
import type { BlobRef } from '../../storage/ports.ts';
import type { OfficeApiDeps } from './deps.ts';

/** The parts that carry documents. */
export const FILE_PARTS = new Set(['document', 'document1', 'document2', 'content', 'file']);

export interface UploadedFile {
  blob: BlobRef;
  filename: string | undefined;
}

export interface Form {
  fields: Map<string, string>;
  files: Map<string, UploadedFile>;
}

type Store = OfficeApiDeps['storage'];

/** Options for @fastify/multipart (busboy): which parts are files, and the size limits. */
export function multipartOptions(maxUploadBytes: number, maxFieldBytes: number): FastifyMultipartBaseOptions {
  // isPartAFile is busboy's own option, passed through by the plugin but absent from its types.
  const busboyOptions = {
    // A file part may come without a filename and with any type: the part's name decides.
    isPartAFile: (name: string, contentType: string, filename: string | undefined) => FILE_PARTS.has(name) || filename !== undefined || contentType === 'application/octet-stream',
    // One byte over: the blob store's own limit answers, with the same error as for other uploads.
    limits: { fileSize: maxUploadBytes + 1, fieldSize: maxFieldBytes, fields: 64, files: 4, parts: 80, headerPairs: 100 },
  };
  return busboyOptions as FastifyMultipartBaseOptions;
}

export function hasBody(req: FastifyRequest): boolean {
  const length = Number(req.headers['content-length'] ?? 0);
  return length > 0 || req.headers['transfer-encoding'] !== undefined;
}

/** The request's form; `beforeFile` runs before each file is stored (to check the key early). */
export async function readForm(req: FastifyRequest, store: Store, maxUploadBytes: number, beforeFile?: (fields: Map<string, string>) => void): Promise<Form> {
  const form: Form = { fields: new Map(), files: new Map() };
  if (req.isMultipart()) {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (!FILE_PARTS.has(part.fieldname)) {
          // Not a document part: read past it.
          for await (const _ of part.file);
          continue;
        }
        beforeFile?.(form.fields);
        const blob = await putBlob(store, part.file, maxUploadBytes);
        form.files.set(part.fieldname, { blob, filename: part.filename || undefined });
      } else {
        if (part.valueTruncated) throw invalidValue(part.fieldname, `The parameter ${part.fieldname} is longer than Quire accepts`);
        form.fields.set(part.fieldname, String(part.value));
      }
    }
    return form;
  }
  if (typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body)) {
    // urlencoded (strings) or JSON (nested objects become the JSON text a multipart part would carry).
    for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) {
      if (v !== null && v !== undefined) form.fields.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    }
    return form;
  }
  if (hasBody(req)) throw invalidValue('Content-Type', 'Send the parameters as multipart/form-data (or application/x-www-form-urlencoded when there is no file)');
  return form;
}

export async function putBlob(store: Store, body: Readable | AsyncIterable<Uint8Array>, maxUploadBytes: number): Promise<BlobRef> {
  try {
    return await store.blobs.put(body, maxUploadBytes, (ref) => store.metadata.recordBlob(ref, Date.now()));
  } catch (e) {
    if (e instanceof QuireError && e.kind === 'tooLarge') throw new QuireError('tooLarge', 'PayloadTooLarge', `The document is larger than the limit of ${maxUploadBytes} bytes`);
    throw e;
  }
}

/** `document`/`url` (or `document1`/`url1`, ...) of a form as a source; the file wins when both are given. */
export function sourceOf(form: Form, file: string, url: string): OfficeSource | undefined {
  const f = form.files.get(file);
  if (f) return { kind: 'upload', blob: f.blob, filename: f.filename };
  const u = form.fields.get(url)?.trim();
  if (u) return { kind: 'url', url: u };
  return undefined;
}
