// Turning what an Office Integrator caller sent (an uploaded file part or a `url`) into a work file,
// with the same download guard as PrizmDoc's http source, and telling its format from the bytes —
// including plain text and HTML, which have no signature (a Buffer given to the vendor's SDK arrives
// without a filename).
import { open } from 'node:fs/promises';
import type { RemoteFetcher } from '../fetch/remote-fetch.ts';
import { formatOf } from '../formats/formats.ts';
import type { BlobRef, Storage, WorkFileRecord } from '../storage/ports.ts';
import { QuireError } from './errors.ts';
import { invalidValue, missingParameter, unsupportedFormat } from './office-errors.ts';
import type { WorkFiles } from './work-files.ts';

export type OfficeSource = { kind: 'upload'; blob: BlobRef; filename: string | undefined } | { kind: 'url'; url: string };

/** The formats Writer opens: word processing, plain text and HTML. */
export const isWriterFormat = (ext: string): boolean => ['word', 'text', 'html'].includes(formatOf(ext)?.family ?? '');

export class OfficeSources {
  private readonly storage: Storage;
  private readonly workFiles: WorkFiles;
  private readonly fetcher: RemoteFetcher;
  private readonly fetchMaxBytes: number;

  constructor(deps: { storage: Storage; workFiles: WorkFiles; fetcher: RemoteFetcher; fetchMaxBytes: number }) {
    this.storage = deps.storage;
    this.workFiles = deps.workFiles;
    this.fetcher = deps.fetcher;
    this.fetchMaxBytes = deps.fetchMaxBytes;
  }

  /**
   * The source as a work file whose format `accepts` takes, or 1852. `parameter` names the file
   * part (document, document1, ...) and `urlParameter` the url field, for the error's parameter_name.
   */
  async workFile(
    tenant: string,
    source: OfficeSource | undefined,
    names: { file: string; url: string },
    accepts: (ext: string) => boolean,
    what: string,
  ): Promise<WorkFileRecord> {
    if (!source) throw missingParameter(names.file, `Give the document as ${names.file} (a file) or ${names.url} (an address)`);
    let wf = source.kind === 'upload' ? await this.workFiles.record(tenant, source.blob, extensionOf(source.filename)) : await this.download(tenant, source.url, names.url);
    if (!wf.format) {
      const text = await this.sniffText(wf.hash);
      if (text) {
        const again = await this.workFiles.record(tenant, wf, text);
        await this.storage.metadata.deleteWorkFile(wf.id);
        wf = again;
      }
    }
    if (!wf.format || !accepts(wf.format)) {
      await this.storage.metadata.deleteWorkFile(wf.id);
      const parameter = source.kind === 'upload' ? names.file : names.url;
      throw unsupportedFormat(parameter, wf.format ? `${what} does not take ${wf.format} files` : `The format of ${parameter} could not be recognised`);
    }
    return wf;
  }

  private async download(tenant: string, url: string, parameter: string): Promise<WorkFileRecord> {
    try {
      const remote = await this.fetcher.open(url);
      return await this.workFiles.create(tenant, remote.body, { fileExtension: remote.suggestedExtension, maxBytes: this.fetchMaxBytes });
    } catch (e) {
      // Refused addresses, failed downloads and documents over the limit are all about the caller's url.
      if (e instanceof QuireError && (e.kind === 'input' || e.kind === 'processing' || e.kind === 'tooLarge')) {
        throw invalidValue(parameter, e.kind === 'tooLarge' ? `The document at ${parameter} is larger than the download limit of ${this.fetchMaxBytes} bytes` : e.message);
      }
      throw e;
    }
  }

  /** "txt" or "html" when the start of the bytes is UTF-8 text without NULs; undefined otherwise. */
  private async sniffText(hash: string): Promise<'txt' | 'html' | undefined> {
    const fh = await open(await this.storage.blobs.localPath(hash), 'r');
    try {
      const head = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      const b = head.subarray(0, bytesRead);
      if (b.length === 0 || b.includes(0)) return undefined;
      let text: string;
      try {
        // stream: a character cut at the end of the head is not an error.
        text = new TextDecoder('utf-8', { fatal: true }).decode(b, { stream: true });
      } catch {
        return undefined;
      }
      return /^\s*(<!doctype html|<html)/i.test(text.replace(/^\uFEFF/, '')) ? 'html' : 'txt';
    } finally {
      await fh.close();
    }
  }
}

/** The extension of an uploaded file's name, when it is a plausible one. */
export function extensionOf(filename: string | undefined): string | undefined {
  const m = filename ? /\.([A-Za-z0-9]{1,16})$/.exec(filename) : null;
  return m?.[1]?.toLowerCase();
}

/** The name without its extension, for document_name defaults. */
export function baseNameOf(filename: string | undefined): string | undefined {
  if (!filename) return undefined;
  const base = filename.replace(/^.*[\\/]/, '').replace(/\.[A-Za-z0-9]{1,16}$/, '').trim();
  return base || undefined;
}
