// The viewer's files as served: each kept in memory with its gzip and brotli forms and an ETag.
import { constants, brotliCompressSync, gzipSync } from 'node:zlib';
import type { BuiltViewer, OutputName } from './build.ts';

export interface Asset {
  type: string;
  etag: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

const TYPES: Record<OutputName, string> = {
  'quire-viewer.js': 'text/javascript; charset=utf-8',
  'viewer-page.js': 'text/javascript; charset=utf-8',
  'quire-viewer.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

export function prepareAssets(built: BuiltViewer): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const [name, data] of Object.entries(built.files) as [OutputName, Buffer][]) {
    out.set(name, {
      type: TYPES[name],
      etag: `"${built.version}-${name}"`,
      identity: data,
      gzip: gzipSync(data, { level: 9 }),
      br: brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    });
  }
  return out;
}

/** The encoding to send for an Accept-Encoding header (q-values ignored: browsers send br and gzip). */
export function pickEncoding(accept: string | undefined): 'br' | 'gzip' | 'identity' {
  const a = (accept ?? '').toLowerCase();
  if (/\bbr\b/.test(a)) return 'br';
  if (/\bgzip\b/.test(a)) return 'gzip';
  return 'identity';
}
