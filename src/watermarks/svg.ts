// Burns watermarks into an SVG page: drawn last, inside the page's own root <svg> (after the page
// content and the invisible text layer), so they are part of the page and not a separate element
// a client could leave out.
import { watermarkGroup, type ImageLookup, type Size } from './layout.ts';
import type { Watermark } from './spec.ts';

const n = (v: number) => String(Math.round(v * 1e6) / 1e6);

/**
 * `page` is the page in CSS px (the renderer's page size). The root's user space may differ (the
 * PDF engine's viewBox is in points); a transform maps CSS px onto its viewBox, so this works before
 * or after resizeSvgRoot. Without a viewBox, user space is taken to be CSS px already.
 */
export function watermarkSvg(svg: string, page: Size, ws: readonly Watermark[], images?: ImageLookup): string {
  if (ws.length === 0) return svg;
  const start = svg.indexOf('<svg');
  const close = svg.lastIndexOf('</svg>');
  if (start < 0 || close < start) throw new Error('watermarkSvg: not an SVG document');
  const root = svg.slice(start, svg.indexOf('>', start));
  const vb = /\sviewBox\s*=\s*["']\s*([-\d.eE+]+)[\s,]+([-\d.eE+]+)[\s,]+([-\d.eE+]+)[\s,]+([-\d.eE+]+)\s*["']/.exec(root);
  let transform = '';
  if (vb) {
    const [x, y, w, h] = [Number(vb[1]), Number(vb[2]), Number(vb[3]), Number(vb[4])];
    const sx = w / page.width;
    const sy = h / page.height;
    if (Number.isFinite(sx) && Number.isFinite(sy) && (sx !== 1 || sy !== 1 || x !== 0 || y !== 0)) transform = `matrix(${n(sx)} 0 0 ${n(sy)} ${n(x)} ${n(y)})`;
  }
  return svg.slice(0, close) + watermarkGroup(ws, page, images, transform) + '\n' + svg.slice(close);
}
