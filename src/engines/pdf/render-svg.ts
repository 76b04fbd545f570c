// One page as SVG: pdftocairo's vector output (glyphs as paths), made safe, with its root size set to
// unitless point numbers (the vendor's client parses width="..."/height="..." from the first 1,000
// characters), plus an invisible text layer so the page can be searched and selected.
import type { LayoutPage } from './bbox-layout.ts';
import { couldNotRender } from './tool-errors.ts';
import { sanitizeSvg } from './svg-safety.ts';
import { svgTextLayer } from './svg-text-layer.ts';

const n = (v: number) => String(Math.round(v * 1000) / 1000);

export function finishSvg(cairoSvg: string, text: LayoutPage | undefined): string {
  const open = /<svg\b[^>]*>/.exec(cairoSvg);
  const close = cairoSvg.lastIndexOf('</svg>');
  if (!open || close < open.index) throw couldNotRender('pdftocairo returned an unreadable SVG');
  const viewBox = /\sviewBox="\s*([-\d.]+)[\s,]+([-\d.]+)[\s,]+([-\d.]+)[\s,]+([-\d.]+)\s*"/.exec(open[0]);
  const width = Number(viewBox?.[3] ?? text?.width);
  const height = Number(viewBox?.[4] ?? text?.height);
  if (!(width > 0 && height > 0)) throw couldNotRender('pdftocairo returned an SVG without a size');
  const root = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="${n(width)}" height="${n(height)}" viewBox="${viewBox ? `${viewBox[1]} ${viewBox[2]} ${viewBox[3]} ${viewBox[4]}` : `0 0 ${n(width)} ${n(height)}`}">`;
  // Drop the XML prolog too: the root element then starts the document, well inside 1,000 characters.
  const body = sanitizeSvg(cairoSvg.slice(open.index + open[0].length, close));
  return `${root}${body}${text ? svgTextLayer(text) : ''}\n</svg>\n`;
}
