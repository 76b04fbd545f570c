// Office Integrator convert and watermark: the caller's document (a work file like any other) goes
// through the document converter and comes back as a file in a private folder the caller disposes of.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConvertFormat, type DocumentConverter, PasswordFormats } from '../documents/convert.ts';
import { readDocx, writeDocx } from '../documents/docx-package.ts';
import { addDocxWatermark } from '../documents/docx-watermark.ts';
import { addPdfWatermark } from '../documents/pdf-watermark.ts';
import type { TextWatermark } from '../documents/watermark.ts';
import type { Storage, WorkFileRecord } from '../storage/ports.ts';
import { invalidValue, unsupportedFormat } from './office-errors.ts';
import { type OfficeSource, type OfficeSources, baseNameOf, isWriterFormat } from './office-sources.ts';

export interface ConvertInput {
  source: OfficeSource | undefined;
  /** The input's password. */
  password?: string | undefined;
  format: ConvertFormat;
  /** The answer's file name (its extension is Quire's). */
  documentName?: string | undefined;
  outputPassword?: string | undefined;
  includeChanges?: 'all' | 'none' | undefined;
  includeComments?: 'all' | 'none' | undefined;
}

export interface WatermarkInput {
  source: OfficeSource | undefined;
  watermark: TextWatermark;
  /** Default: pdf for a PDF, docx for everything else. */
  outputFormat?: 'pdf' | 'docx' | undefined;
}

export interface ConvertedFile {
  path: string;
  extension: string;
  /** File name without extension, for Content-Disposition. */
  name: string;
  /** Removes the private folder; call once the answer has been sent. */
  dispose(): Promise<void>;
}

const isConvertible = (ext: string) => isWriterFormat(ext) || ext === 'pdf';

export class OfficeConversions {
  private readonly storage: Storage;
  private readonly sources: OfficeSources;
  private readonly converter: DocumentConverter;

  constructor(deps: { storage: Storage; sources: OfficeSources; converter: DocumentConverter }) {
    this.storage = deps.storage;
    this.sources = deps.sources;
    this.converter = deps.converter;
  }

  async convert(tenant: string, input: ConvertInput): Promise<ConvertedFile> {
    if (input.outputPassword !== undefined && !PasswordFormats.includes(input.format)) {
      throw invalidValue('output_options', `Quire can protect ${PasswordFormats.join(' and ')} output with a password, not ${input.format}`, 'password');
    }
    return this.withInput(tenant, input.source, 'Conversion', async (wf, inputPath, workDir) => {
      const out = await this.converter.convert(
        {
          inputPath,
          inputExtension: wf.format!,
          format: input.format,
          password: input.password,
          outputPassword: input.outputPassword,
          includeChanges: input.includeChanges,
          includeComments: input.includeComments,
        },
        workDir,
      );
      return { path: out.path, extension: out.extension, name: nameFor(input.documentName, input.source, out.extension) };
    });
  }

  async watermark(tenant: string, input: WatermarkInput): Promise<ConvertedFile> {
    return this.withInput(tenant, input.source, 'Watermark', async (wf, inputPath, workDir) => {
      const format = input.outputFormat ?? (wf.format === 'pdf' ? 'pdf' : 'docx');
      if (format === 'docx' && wf.format === 'pdf') throw unsupportedFormat(input.source?.kind === 'url' ? 'url' : 'document', 'A PDF can be watermarked as pdf only');
      let bytes: Uint8Array;
      if (format === 'docx') {
        const docx = wf.format === 'docx' ? await readFile(inputPath) : await readFile((await this.converter.convert({ inputPath, inputExtension: wf.format!, format: 'docx' }, workDir)).path);
        const parts = readDocx(docx);
        addDocxWatermark(parts, input.watermark);
        bytes = writeDocx(parts);
      } else {
        const pdf = wf.format === 'pdf' ? await readFile(inputPath) : await readFile((await this.converter.convert({ inputPath, inputExtension: wf.format!, format: 'pdf' }, workDir)).path);
        bytes = await addPdfWatermark(pdf, input.watermark);
      }
      const path = join(workDir, `watermarked.${format}`);
      await writeFile(path, bytes);
      return { path, extension: format, name: nameFor(undefined, input.source, format) };
    });
  }

  /** Runs `use` on the input's local file in a private folder; the input's work file goes afterwards. */
  private async withInput(
    tenant: string,
    source: OfficeSource | undefined,
    what: string,
    use: (wf: WorkFileRecord, inputPath: string, workDir: string) => Promise<Omit<ConvertedFile, 'dispose'>>,
  ): Promise<ConvertedFile> {
    const wf = await this.sources.workFile(tenant, source, { file: 'document', url: 'url' }, isConvertible, what);
    const workDir = await mkdtemp(join(tmpdir(), 'quire-office-'));
    const dispose = () => rm(workDir, { recursive: true, force: true });
    try {
      const out = await use(wf, await this.storage.blobs.localPath(wf.hash), workDir);
      return { ...out, dispose };
    } catch (e) {
      await dispose();
      throw e;
    } finally {
      // Only this request used the input: its bytes are collected by the sweep.
      await this.storage.metadata.deleteWorkFile(wf.id);
    }
  }
}

function nameFor(documentName: string | undefined, source: OfficeSource | undefined, extension: string): string {
  if (documentName) {
    // "report.pdf" for a pdf answer is "report"; another extension stays part of the name.
    const suffix = `.${extension}`;
    return documentName.toLowerCase().endsWith(suffix) ? documentName.slice(0, -suffix.length) || 'document' : documentName;
  }
  if (source?.kind === 'upload') return baseNameOf(source.filename) ?? 'document';
  if (source?.kind === 'url') {
    try {
      return baseNameOf(decodeURIComponent(new URL(source.url).pathname.split('/').pop() ?? '')) ?? 'document';
    } catch {
      return 'document';
    }
  }
  return 'document';
}
