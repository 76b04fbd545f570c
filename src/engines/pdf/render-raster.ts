// PNG/JPEG of one page, a tile of it, or a thumbnail: pdftoppm (poppler's Splash backend) renders raw
// pixels, sharp encodes. See ppm.ts for why not poppler's own encoders.
import sharp from 'sharp';
import { invalidInput } from '../../domain/errors.ts';
import type { PageSize } from './inspect.ts';
import { planRaster, type RasterRequest } from './raster-geometry.ts';
import { parsePpm, type RawImage } from './ppm.ts';
import type { ToolResult } from './run-tool.ts';
import { checkToolResult, couldNotRender, passwordArgs } from './tool-errors.ts';

export interface RasterOptions extends RasterRequest {
  format: 'png' | 'jpeg';
  /** JPEG quality 1–100. Default 85. */
  quality?: number;
  password?: string;
  /** Changes the decoded pixels before they are encoded (watermarks are burned in here, saving a decode and encode). */
  beforeEncode?: (img: RawImage) => Promise<RawImage>;
}

export type RunPoppler = (tool: 'pdftoppm', args: string[], maxStdoutBytes: number) => Promise<ToolResult>;

export async function renderRasterWith(run: RunPoppler, pdfPath: string, pageIndex: number, page: PageSize, opts: RasterOptions, maxPixels: number): Promise<Buffer> {
  const plan = planRaster(page, opts, maxPixels);
  const n = String(pageIndex + 1);
  const args = ['-f', n, '-l', n, '-singlefile', ...passwordArgs(opts.password)];
  if (plan.scaleTo) args.push('-scale-to-x', String(plan.scaleTo.width), '-scale-to-y', String(plan.scaleTo.height));
  else args.push('-r', String(plan.dpi));
  if (plan.crop) args.push('-x', String(plan.crop.x), '-y', String(plan.crop.y), '-W', String(plan.crop.w), '-H', String(plan.crop.h));
  args.push('--', pdfPath);
  // Rounding inside poppler may add a pixel per side; allow a margin over the planned size.
  const r = await run('pdftoppm', args, (plan.outWidth + 2) * (plan.outHeight + 2) * 3 + 64);
  checkToolResult('pdftoppm', r, pageIndex);
  const decoded = parsePpm(r.stdout);
  const img = opts.beforeEncode ? await opts.beforeEncode(decoded) : decoded;
  const pipeline = sharp(img.pixels, { raw: { width: img.width, height: img.height, channels: img.channels as 1 | 2 | 3 | 4 } });
  try {
    if (opts.format === 'png') return await pipeline.png({ compressionLevel: 6 }).toBuffer();
    const quality = opts.quality ?? 85;
    if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw invalidInput('quality', '1..100', 'query');
    return await pipeline.jpeg({ quality }).toBuffer();
  } catch (err) {
    if (err instanceof Error && err.name === 'QuireError') throw err;
    throw couldNotRender('Could not encode the page image', err);
  }
}
