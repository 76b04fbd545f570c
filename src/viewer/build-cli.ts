// npm run build:viewer — builds the viewer bundle into dist/viewer and prints its sizes.
import { gzipSync } from 'node:zlib';
import { buildViewer, DIST_DIR, OUTPUTS, saveViewer } from './build.ts';

const built = await buildViewer();
saveViewer(built);
for (const name of OUTPUTS) {
  const f = built.files[name];
  process.stdout.write(`${DIST_DIR}/${name}: ${(f.length / 1024).toFixed(1)} KB, ${(gzipSync(f).length / 1024).toFixed(1)} KB gzipped\n`);
}
