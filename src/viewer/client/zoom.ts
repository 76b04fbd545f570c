// Zoom levels and the fit computations. A zoom is CSS pixels per page pixel.
export type ZoomMode = 'auto' | 'fit-width' | 'fit-page' | 'custom';
export type FitMode = Exclude<ZoomMode, 'custom'>;

/** 'auto' fits the width but never beyond this, so a wide window does not blow pages up. */
const AUTO_MAX = 1.25;

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 8;
export const ZOOM_STEPS = [0.1, 0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8];

export function clampZoom(z: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.round(z * 1000) / 1000));
}

/** The next step up (dir 1) or down (dir -1) from z, skipping steps within 2% of it. */
export function stepZoom(z: number, dir: 1 | -1): number {
  const steps = dir > 0 ? ZOOM_STEPS : [...ZOOM_STEPS].reverse();
  const next = steps.find((s) => (dir > 0 ? s > z * 1.02 : s < z / 1.02));
  return next ?? (dir > 0 ? MAX_ZOOM : MIN_ZOOM);
}

/** Space kept around pages (CSS px), matching the stylesheet's page margins. */
export const PAGE_GAP = 16;

export function fitWidth(availableWidth: number, pageWidth: number): number {
  return clampZoom((availableWidth - 2 * PAGE_GAP) / pageWidth);
}

export function fitPage(availableWidth: number, availableHeight: number, pageWidth: number, pageHeight: number): number {
  return clampZoom(Math.min((availableWidth - 2 * PAGE_GAP) / pageWidth, (availableHeight - 2 * PAGE_GAP) / pageHeight));
}

export function fitZoom(mode: FitMode, availableWidth: number, availableHeight: number, pageWidth: number, pageHeight: number): number {
  if (mode === 'fit-page') return fitPage(availableWidth, availableHeight, pageWidth, pageHeight);
  const w = fitWidth(availableWidth, pageWidth);
  return mode === 'auto' ? Math.min(w, AUTO_MAX) : w;
}

/** Raster pages are asked for at the display's resolution, in quarter steps so the cache is shared. */
export function rasterScale(zoom: number, devicePixelRatio: number): number {
  return Math.min(MAX_ZOOM, Math.max(0.25, Math.ceil(zoom * devicePixelRatio * 4) / 4));
}
