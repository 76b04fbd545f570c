// Builds the browser viewer (src/viewer/client) with esbuild into dist/viewer: the ES module
// (quire-viewer.js), the iframe page's script (viewer-page.js), the stylesheet and the page's icon. The server calls
// loadViewer() at start: a bundle made from the current sources is read from disk, otherwise it is
// built (about 50 ms) and saved, so a fresh clone needs no separate build step.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

export const CLIENT_DIR = resolve(import.meta.dirname, 'client');
export const DIST_DIR = resolve(import.meta.dirname, '../../dist/viewer');
export const OUTPUTS = ['quire-viewer.js', 'viewer-page.js', 'quire-viewer.css', 'favicon.svg'] as const;
export type OutputName = (typeof OUTPUTS)[number];

export interface BuiltViewer {
  /** Fingerprint of the sources: assets are served under ?v=version and cached for good. */
  version: string;
  files: Record<OutputName, Buffer>;
}

interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
}

/** A hash of every client source file, names included. */
export function sourceVersion(dir = CLIENT_DIR): string {
  const hash = createHash('sha256');
  for (const path of listFiles(dir).sort()) hash.update(relative(dir, path)).update('\0').update(readFileSync(path)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

export async function buildViewer(version = sourceVersion()): Promise<BuiltViewer> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new Error('The viewer bundle in dist/viewer is missing or older than its sources, and esbuild (a dev dependency) is not installed: run `npm ci`, then `npm run build:viewer`', { cause: err });
  }
  const result = await esbuild.build({
    entryPoints: [
      { in: join(CLIENT_DIR, 'index.ts'), out: 'quire-viewer' },
      { in: join(CLIENT_DIR, 'page.ts'), out: 'viewer-page' },
      { in: join(CLIENT_DIR, 'viewer.css'), out: 'quire-viewer' },
    ],
    bundle: true,
    format: 'esm',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    outdir: DIST_DIR,
    define: { QUIRE_VIEWER_VERSION: JSON.stringify(version) },
    logLevel: 'silent',
  });
  const files = {} as Record<OutputName, Buffer>;
  for (const f of result.outputFiles) {
    const name = basename(f.path) as OutputName;
    if (OUTPUTS.includes(name)) files[name] = Buffer.from(f.contents);
  }
  files['favicon.svg'] = readFileSync(join(CLIENT_DIR, 'favicon.svg'));
  for (const name of OUTPUTS) if (!files[name]) throw new Error(`the viewer build made no ${name}`);
  return { version, files };
}

/** Writes each file beside its final name, then renames: readers never see half a bundle. */
export function saveViewer(built: BuiltViewer, dir = DIST_DIR): void {
  mkdirSync(dir, { recursive: true });
  const put = (name: string, data: Buffer | string) => {
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(dir, name));
  };
  for (const name of OUTPUTS) put(name, built.files[name]);
  // The manifest goes last: it vouches for the files written before it.
  put('manifest.json', JSON.stringify({ version: built.version, files: OUTPUTS }));
}

function readSaved(version: string, dir = DIST_DIR): BuiltViewer | null {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { version?: string };
    if (manifest.version !== version) return null;
    const files = {} as Record<OutputName, Buffer>;
    for (const name of OUTPUTS) files[name] = readFileSync(join(dir, name));
    return { version, files };
  } catch {
    return null;
  }
}

export async function loadViewer(log?: Logger): Promise<BuiltViewer> {
  const version = sourceVersion();
  const saved = readSaved(version);
  if (saved) return saved;
  const t0 = performance.now();
  const built = await buildViewer(version);
  try {
    saveViewer(built);
    log?.info(`viewer built in ${Math.round(performance.now() - t0)} ms (dist/viewer, version ${version})`);
  } catch (err) {
    // A read-only install still serves the bundle it just built, from memory.
    log?.warn(`viewer built but not saved to ${DIST_DIR}: ${(err as Error).message}`);
  }
  return built;
}
