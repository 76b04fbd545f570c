// Sets the root <svg>'s width and height (CSS pixels) and keeps its viewBox, so the page scales
// to the coordinate space the text rectangles and attributes use. The vendor's client reads both
// attributes from the first 1,000 characters, which the root element always is.
export function resizeSvgRoot(svg: string, width: number, height: number): string {
  const start = svg.indexOf('<svg');
  if (start < 0) return svg;
  const end = svg.indexOf('>', start);
  let root = svg.slice(start, end);
  const hadViewBox = /\sviewBox=/.test(root);
  const w = /\swidth="([\d.]+)(pt|px)?"/.exec(root);
  const h = /\sheight="([\d.]+)(pt|px)?"/.exec(root);
  if (!hadViewBox && w && h) root += ` viewBox="0 0 ${w[1]} ${h[1]}"`;
  root = root.replace(/\swidth="[^"]*"/, '').replace(/\sheight="[^"]*"/, '');
  root = root.replace('<svg', `<svg width="${width}" height="${height}"`);
  return svg.slice(0, start) + root + svg.slice(end);
}
