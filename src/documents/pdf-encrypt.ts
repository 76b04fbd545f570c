// Protects a PDF with a password (AES-256) using qpdf. The passwords go to qpdf in an argument file
// inside the job's private folder, never on its command line, where other local users could read them.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QuireError } from '../domain/errors.ts';
import { runTool } from '../engines/pdf/run-tool.ts';

export async function encryptPdf(input: string, output: string, password: string, workDir: string, timeoutMs: number): Promise<void> {
  const argFile = join(workDir, 'qpdf-args');
  // One argument per line: passwords with control characters are refused before they get here.
  const owner = randomBytes(24).toString('base64url');
  await writeFile(argFile, ['--encrypt', password, owner, '256', '--', input, output].join('\n') + '\n', { mode: 0o600 });
  const r = await runTool('qpdf', [`@${argFile}`], { timeoutMs, maxStdoutBytes: 1024 * 1024 });
  // qpdf exits 3 when it wrote the file with warnings.
  if (r.timedOut || (r.code !== 0 && r.code !== 3)) {
    throw new QuireError('processing', 'CouldNotEncrypt', 'The PDF could not be protected with the password', { cause: { code: r.code, stderr: r.stderr.slice(0, 2000) } });
  }
}

export async function decryptPdf(input: string, output: string, password: string, workDir: string, timeoutMs: number): Promise<void> {
  const argFile = join(workDir, 'qpdf-args');
  await writeFile(argFile, [`--password=${password}`, '--decrypt', '--', input, output].join('\n') + '\n', { mode: 0o600 });
  const r = await runTool('qpdf', [`@${argFile}`], { timeoutMs, maxStdoutBytes: 1024 * 1024 });
  if (/invalid password/i.test(r.stderr)) throw new QuireError('input', 'DocumentRequiresPassword', 'The password of the PDF is wrong');
  if (r.timedOut || (r.code !== 0 && r.code !== 3)) {
    throw new QuireError('processing', 'CouldNotConvert', 'The PDF could not be read', { cause: { code: r.code, stderr: r.stderr.slice(0, 2000) } });
  }
}
