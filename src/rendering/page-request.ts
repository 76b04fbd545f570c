// What a page request asks for, and the cache file name and content type of each variant.

export type PageRequest =
  | { kind: 'svg' }
  | { kind: 'raster'; format: 'png' | 'jpeg'; scale: number; quality: number; tile?: { x: number; y: number; w: number; h: number } }
  | { kind: 'thumb'; format: 'png' | 'jpeg'; width: number; height: number; quality: number };

export function variantName(index: number, r: PageRequest): string {
  if (r.kind === 'svg') return `p${index}.svg`;
  const q = r.format === 'jpeg' ? `.q${r.quality}` : '';
  if (r.kind === 'thumb') return `p${index}.${r.width}x${r.height}${q}.${r.format}`;
  const tile = r.tile ? `.t${r.tile.x}_${r.tile.y}_${r.tile.w}_${r.tile.h}` : '';
  return `p${index}.s${r.scale.toFixed(3)}${tile}${q}.${r.format}`;
}

export function contentTypeOf(r: PageRequest): string {
  if (r.kind === 'svg') return 'image/svg+xml';
  return r.format === 'png' ? 'image/png' : 'image/jpeg';
}
