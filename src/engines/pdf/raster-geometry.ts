// Works out the pixel geometry of a raster request before anything is rendered, so an absurd size is
// refused as an input error instead of allocating it.
import { QuireError } from '../../domain/errors.ts';
import type { PageSize } from './inspect.ts';

export interface Tile { x: number; y: number; w: number; h: number }

export interface RasterRequest {
  /** Pixels per point; 1 = 72 dpi. Ignored when dpi is given. Default 1. */
  scale?: number;
  dpi?: number;
  /** Thumbnail: fit within width × height, keeping the page's aspect ratio. */
  width?: number;
  height?: number;
  /** A region of the page in output pixels at the chosen scale. */
  tile?: Tile;
}

/** What to ask pdftoppm for: a resolution or a fitted size, and an optional crop in output pixels. */
export interface RasterPlan {
  dpi: number;
  scaleTo?: { width: number; height: number };
  crop?: Tile;
  outWidth: number;
  outHeight: number;
}

const bad = (at: string, message: string, received: unknown) =>
  new QuireError('input', 'InvalidInput', message, { details: { in: 'query', at, received } });

const positive = (v: number | undefined, at: string) => {
  if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw bad(at, `${at} must be a positive number`, v);
};

export function planRaster(page: PageSize, req: RasterRequest, maxPixels: number): RasterPlan {
  positive(req.scale, 'scale');
  positive(req.dpi, 'dpi');
  positive(req.width, 'width');
  positive(req.height, 'height');
  let plan: RasterPlan;
  if (req.width !== undefined || req.height !== undefined) {
    // Fit inside the box; a missing side is unconstrained.
    const k = Math.min(req.width === undefined ? Infinity : req.width / page.width, req.height === undefined ? Infinity : req.height / page.height);
    const outWidth = Math.max(1, Math.round(page.width * k));
    const outHeight = Math.max(1, Math.round(page.height * k));
    plan = { dpi: 72 * k, scaleTo: { width: outWidth, height: outHeight }, outWidth, outHeight };
  } else {
    const dpi = req.dpi ?? 72 * (req.scale ?? 1);
    plan = { dpi, outWidth: Math.max(1, Math.round((page.width * dpi) / 72)), outHeight: Math.max(1, Math.round((page.height * dpi) / 72)) };
  }
  if (req.tile) {
    const t = req.tile;
    for (const k of ['x', 'y', 'w', 'h'] as const) {
      if (!Number.isInteger(t[k]) || t[k] < 0) throw bad(`tile.${k}`, `tile.${k} must be a non-negative integer`, t[k]);
    }
    if (t.w === 0 || t.h === 0) throw bad('tile', 'tile must not be empty', t);
    if (t.x >= plan.outWidth || t.y >= plan.outHeight) throw bad('tile', `tile starts outside the ${plan.outWidth}×${plan.outHeight} page`, t);
    // Clip to the page: a tile grid's last row/column is usually partial.
    const crop = { x: t.x, y: t.y, w: Math.min(t.w, plan.outWidth - t.x), h: Math.min(t.h, plan.outHeight - t.y) };
    plan = { ...plan, crop, outWidth: crop.w, outHeight: crop.h };
  }
  if (plan.outWidth * plan.outHeight > maxPixels) {
    throw new QuireError('input', 'ImageTooLarge', `The requested image of ${plan.outWidth}×${plan.outHeight} pixels exceeds the limit of ${maxPixels} pixels`, {
      details: { in: 'query', at: 'scale', received: { width: plan.outWidth, height: plan.outHeight }, expected: `at most ${maxPixels} pixels` },
    });
  }
  return plan;
}
