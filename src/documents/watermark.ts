// A text watermark as the Office Integrator's watermark_settings describe it, after validation.
export type WatermarkOrientation = 'diagonal' | 'horizontal' | 'vertical';

export interface TextWatermark {
  text: string;
  orientation: WatermarkOrientation;
  fontName: string;
  /** Points, 8–144. */
  fontSize: number;
  /** #rrggbb. */
  color: string;
  /** Percent, 0 (invisible) – 100 (opaque). */
  opacity: number;
}

export const WATERMARK_DEFAULTS = { orientation: 'diagonal', fontName: 'Arial', fontSize: 36, color: '#c0c0c0', opacity: 50 } as const;

/** Estimated width in ems (wide East Asian characters ~1 em, others ~0.6). */
export function estimatedEms(line: string): number {
  const wide = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
  let ems = 0;
  for (const ch of line) ems += wide.test(ch) ? 1 : 0.6;
  return ems;
}
