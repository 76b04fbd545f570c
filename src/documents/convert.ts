// Converting a document for the Office Integrator convert and watermark routes: LibreOffice (the warm
// pool) does the format change; DOCX edits come first when the caller wants no tracked changes or no
// comments; qpdf adds a PDF password. Everything happens in a private folder the caller removes.
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import type { LibreOfficePool } from '../engines/libreoffice/pool.ts';
import { QuireError } from '../domain/errors.ts';
import { readDocx, writeDocx } from './docx-package.ts';
import { acceptAllChanges, removeComments } from './docx-review.ts';
import { decryptPdf, encryptPdf } from './pdf-encrypt.ts';

export const ConvertFormats = ['pdf', 'docx', 'odt', 'rtf', 'html', 'txt'] as const;
export type ConvertFormat = (typeof ConvertFormats)[number];

/** Output formats a password can protect (LibreOffice 7.4 encrypts ODF only; qpdf does PDF). */
export const PasswordFormats: readonly ConvertFormat[] = ['pdf', 'odt'];

export interface ConvertJob {
  inputPath: string;
  /** Canonical extension of the input's format. */
  inputExtension: string;
  format: ConvertFormat;
  /** The input's password. */
  password?: string | undefined;
  /** Protect the output with this password. */
  outputPassword?: string | undefined;
  includeChanges?: 'all' | 'none' | undefined;
  includeComments?: 'all' | 'none' | undefined;
}

export interface Converted {
  path: string;
  /** The extension of what was written: the format asked for, or zip for HTML with images beside it. */
  extension: string;
}

export class DocumentConverter {
  private readonly office: Pick<LibreOfficePool, 'convert'>;
  private readonly timeoutMs: number;

  constructor(deps: { office: Pick<LibreOfficePool, 'convert'>; timeoutMs: number }) {
    this.office = deps.office;
    this.timeoutMs = deps.timeoutMs;
  }

  async convert(job: ConvertJob, workDir: string): Promise<Converted> {
    if (job.inputExtension === 'pdf') return this.fromPdf(job, workDir);
    let input = job.inputPath;
    let inputExtension = job.inputExtension;
    let password = job.password;
    if (job.includeChanges === 'none' || job.includeComments === 'none') {
      // The edits are made on DOCX XML: other (or encrypted) inputs become a plain DOCX first.
      let bytes = await readFile(input);
      if (inputExtension !== 'docx' || password !== undefined || !isZip(bytes)) {
        const asDocx = join(workDir, 'input.docx');
        await this.office.convert(input, asDocx, { format: 'docx', inputExtension, ...(password !== undefined ? { password } : {}) });
        bytes = await readFile(asDocx);
        password = undefined;
      }
      const parts = readDocx(bytes);
      if (job.includeChanges === 'none') acceptAllChanges(parts);
      if (job.includeComments === 'none') removeComments(parts);
      input = join(workDir, 'reviewed.docx');
      await writeFile(input, writeDocx(parts));
      inputExtension = 'docx';
    }
    const outDir = join(workDir, 'out');
    await mkdir(outDir, { recursive: true });
    const encryptAfter = job.format === 'pdf' && job.outputPassword !== undefined;
    const output = join(outDir, `document.${job.format}`);
    await this.office.convert(input, output, {
      format: job.format,
      inputExtension,
      ...(password !== undefined ? { password } : {}),
      ...(job.outputPassword !== undefined && job.format === 'odt' ? { outputPassword: job.outputPassword } : {}),
    });
    if (encryptAfter) {
      const protectedPath = join(workDir, 'protected.pdf');
      await encryptPdf(output, protectedPath, job.outputPassword!, workDir, this.timeoutMs);
      return { path: protectedPath, extension: 'pdf' };
    }
    if (job.format === 'html') return this.bundleHtml(outDir, output, workDir);
    return { path: output, extension: job.format };
  }

  private async fromPdf(job: ConvertJob, workDir: string): Promise<Converted> {
    if (job.format !== 'pdf') {
      throw new QuireError('input', 'UnsupportedConversion', `A PDF can only be given back as pdf (with or without a password), not converted to ${job.format}`);
    }
    let path = job.inputPath;
    if (job.password !== undefined) {
      path = join(workDir, 'decrypted.pdf');
      await decryptPdf(job.inputPath, path, job.password, workDir, this.timeoutMs);
    }
    const out = join(workDir, 'output.pdf');
    if (job.outputPassword !== undefined) await encryptPdf(path, out, job.outputPassword, workDir, this.timeoutMs);
    else await copyFile(path, out);
    return { path: out, extension: 'pdf' };
  }

  /** LibreOffice writes a document's images beside its HTML: then the answer is a ZIP of them all. */
  private async bundleHtml(outDir: string, html: string, workDir: string): Promise<Converted> {
    const files = await readdir(outDir);
    if (files.length <= 1) return { path: html, extension: 'html' };
    const entries: Record<string, Uint8Array> = {};
    for (const f of files) entries[f] = new Uint8Array(await readFile(join(outDir, f)));
    const zip = join(workDir, 'document.zip');
    await writeFile(zip, zipSync(entries));
    return { path: zip, extension: 'zip' };
  }
}

function isZip(b: Buffer): boolean {
  return b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}
