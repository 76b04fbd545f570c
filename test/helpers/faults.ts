// Tools for the fault-injection tests (test/faults.test.ts): the processes a Quire started (read from
// /proc), documents that keep an engine busy, half-sent uploads, and checks that what is on disk is
// whole after a crash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { docxBytes, type Block } from './comparison-docs.ts';

export interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  /** R, S, D, Z… (Z: dead, waiting to be reaped). */
  state: string;
  /** utime + stime in clock ticks. */
  cpu: number;
}

/** One process from /proc/<pid>/stat, or undefined once it is gone. */
export function proc(pid: number): Proc | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may itself hold spaces and parentheses.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const rest = stat.slice(close + 2).split(' ');
  return { pid, comm: stat.slice(open + 1, close), state: rest[0]!, ppid: Number(rest[1]), cpu: Number(rest[11]) + Number(rest[12]) };
}

/** Every process below `root` (children, their children, …), by walking the ppid of all of /proc. */
export function descendants(root: number): Proc[] {
  const all: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = proc(Number(name));
    if (p) all.push(p);
  }
  const below = new Set([root]);
  const out: Proc[] = [];
  // Parents can have higher pids than their children (pid wrap): iterate until nothing is added.
  for (let added = true; added; ) {
    added = false;
    for (const p of all) {
      if (!below.has(p.pid) && below.has(p.ppid)) {
        below.add(p.pid);
        out.push(p);
        added = true;
      }
    }
  }
  return out;
}

/** Still running: exists and is not a zombie. */
export const running = (pid: number): boolean => {
  const p = proc(pid);
  return p !== undefined && p.state !== 'Z' && p.state !== 'X';
};

/** Engine processes below `root` whose name matches. */
export const enginesBelow = (root: number, name: RegExp): Proc[] => descendants(root).filter((p) => name.test(p.comm) && p.state !== 'Z');


const WORDS = 'document page render viewer session quire server office convert engine layout paragraph section table figure chapter review version record letter report summary contract annex invoice number river mountain yellow quiet rapid gentle window garden'.split(' ');

/**
 * A DOCX of `pages` page-broken sections of body text; `nonce` makes its bytes (and so its rendition)
 * unique. The words vary (a seeded generator) so the package compresses like a real document's, not
 * like a zip bomb (Quire refuses parts that unpack over 100 times their packed size).
 */
export function pagedDocx(pages: number, nonce: string, paragraphsPerPage = 5): Uint8Array {
  let seed = 0x9e3779b9;
  for (const c of nonce) seed = (Math.imul(seed ^ c.charCodeAt(0), 0x01000193) >>> 0) || 1;
  const word = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return WORDS[(seed >>> 0) % WORDS.length]!;
  };
  const blocks: Block[] = [];
  for (let p = 0; p < pages; p++) {
    blocks.push({ p: [`Section ${p + 1}`], heading: true, pageBreakBefore: p > 0 });
    for (let i = 0; i < paragraphsPerPage; i++) blocks.push({ p: [`${Array.from({ length: 60 }, word).join(' ')}.`] });
  }
  return docxBytes(blocks, { header: `Quire fault test ${nonce}`, footer: 'generated' });
}

/**
 * A valid one-page PDF whose page draws form XObject X_depth, which draws X_(depth-1) `fan` times, …:
 * fan^depth filled rectangles. poppler follows every one (no loop, so no recursion guard stops it), so
 * with 4^14 it draws for hours: a document that makes pdftocairo/pdftoppm/pdftotext spin.
 */
export function xobjectBombPdf(depth = 14, fan = 4): Buffer {
  const objs: string[] = [];
  const x = (k: number) => 5 + k;
  const stream = (dict: string, body: string) => `<< ${dict} /Length ${Buffer.byteLength(body)} >>\nstream\n${body}\nendstream`;
  objs[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objs[2] = '<< /Type /Pages /Kids [3 0 R] /Count 1 >>';
  objs[3] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /X ${x(depth)} 0 R >> >> >>`;
  objs[4] = stream('', 'q /X Do Q');
  objs[x(0)] = stream('/Type /XObject /Subtype /Form /BBox [0 0 612 792]', '0 0 1 rg 10 10 100 100 re f');
  for (let k = 1; k <= depth; k++) {
    const body = Array.from({ length: fan }, (_, i) => `q 1 0 0 1 ${i % 5} ${i % 3} cm /C Do Q`).join('\n');
    objs[x(k)] = stream(`/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /C ${x(k - 1)} 0 R >> >>`, body);
  }
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let i = 1; i < objs.length; i++) {
    offsets[i] = Buffer.byteLength(out, 'latin1');
    out += `${i} 0 obj\n${objs[i]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objs.length}\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

export interface PartialUpload {
  /** Bytes written so far. */
  sent: number;
  /** How the request ended: "response <status>" or "error <code>". */
  outcome: Promise<string>;
  /** Abandons the request (client side). */
  destroy(): void;
}

/**
 * Starts a streaming upload announcing `total` bytes and sends only `send` of them, then keeps the
 * request open (as a slow client would) until the server answers or goes away.
 */
export async function partialUpload(baseUrl: string, method: string, path: string, total: number, send: number, fill = 0x5a): Promise<PartialUpload> {
  const req = http.request(new URL(path, baseUrl), { method, headers: { 'content-length': String(total), 'content-type': 'application/octet-stream' } });
  const outcome = new Promise<string>((res) => {
    req.on('response', (r) => {
      r.resume();
      res(`response ${r.statusCode}`);
    });
    req.on('error', (e) => res(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
  });
  const chunk = Buffer.alloc(64 * 1024, fill);
  let sent = 0;
  while (sent < send) {
    const n = Math.min(chunk.length, send - sent);
    if (!req.write(chunk.subarray(0, n))) await new Promise((r) => req.once('drain', r));
    sent += n;
  }
  return { sent, outcome, destroy: () => req.destroy() };
}

/** Every file under dir, recursively ([] when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Every blob is named by the sha256 of its bytes (blobs/ab/cdef…); returns how many there are. */
export function assertBlobsIntact(dataDir: string): number {
  const root = join(dataDir, 'blobs');
  const files = filesUnder(root);
  for (const f of files) {
    const rel = f.slice(root.length + 1).split('/').join('');
    assert.match(rel, /^[0-9a-f]{64}$/, `unexpected file ${f}`);
    assert.equal(createHash('sha256').update(readFileSync(f)).digest('hex'), rel, `${f} does not hash to its name`);
  }
  return files.length;
}

/**
 * Every file under data/renditions is whole: no scratch or temporary file is left, SVGs end with
 * </svg>, PNG/JPEG decode, JSON parses, PDFs end with %%EOF. Returns how many files were checked.
 */
export async function assertRenditionsWhole(dataDir: string): Promise<number> {
  const files = filesUnder(join(dataDir, 'renditions'));
  for (const f of files) {
    assert.doesNotMatch(f, /\.tmp$/, `a temporary file is left in the renditions: ${f}`);
    const bytes = readFileSync(f);
    assert.ok(bytes.length > 0, `${f} is empty`);
    if (f.endsWith('.svg')) {
      const text = bytes.toString('utf8');
      assert.match(text.slice(0, 300), /<svg[\s>]/, `${f} does not start an SVG`);
      assert.match(text.trimEnd().slice(-6), /<\/svg>$/, `${f} does not end with </svg>`);
    } else if (/\.(png|jpe?g)$/.test(f)) {
      const { info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      assert.ok(info.width > 0 && info.height > 0, `${f} does not decode`);
    } else if (f.endsWith('.json')) {
      assert.doesNotThrow(() => JSON.parse(bytes.toString('utf8')), `${f} is not whole JSON`);
    } else if (f.endsWith('.pdf')) {
      assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', `${f} is not a PDF`);
      assert.match(bytes.subarray(-32).toString('latin1'), /%%EOF\s*$/, `${f} does not end with %%EOF`);
    }
  }
  return files.length;
}
