// The SVG is shown inline in a browser, so it must not run code or fetch anything. pdftocairo emits
// none of that, but a PDF's content ends up inside it (image data, names), so it is checked anyway:
// active elements are removed, event attributes dropped, and every reference that is not to an
// element of the same document or an inline raster image is cut.

const ACTIVE = 'script|foreignObject|iframe|object|embed|audio|video|a|animate|set|animateTransform|animateMotion|handler|listener';
// Whole elements with their content first, then any self-closing or stray tag of those names.
const ACTIVE_ELEMENTS = new RegExp(`<(${ACTIVE})\\b[^>]*(?<!/)>[\\s\\S]*?<\\/\\1\\s*>`, 'gi');
const ACTIVE_TAGS = new RegExp(`<\\/?(${ACTIVE})\\b[^>]*>`, 'gi');
const EVENT_ATTRIBUTE = /\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*')/gi;
const HREF = /(\s(?:xlink:)?href\s*=\s*)("([^"]*)"|'([^']*)')/gi;
const CSS_URL = /url\(\s*(['"]?)([^)'"]*)\1\s*\)/gi;
const SAFE_REF = /^(#[\w.:-]*|data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*)$/;

export function sanitizeSvg(svg: string): string {
  return svg
    .replace(ACTIVE_ELEMENTS, '')
    .replace(ACTIVE_TAGS, '')
    .replace(EVENT_ATTRIBUTE, '')
    .replace(HREF, (all, lead: string, _q: string, dq: string | undefined, sq: string | undefined) => (SAFE_REF.test((dq ?? sq ?? '').trim()) ? all : `${lead}"#"`))
    .replace(CSS_URL, (all, _q: string, ref: string) => (SAFE_REF.test(ref.trim()) ? all : 'none'))
    .replace(/<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>/gi, '') // no internal DTD subsets (entity expansion)
    .replace(/<\?xml-stylesheet[\s\S]*?\?>/gi, '');
}

/** True when the SVG holds nothing a browser would execute or fetch. Used by tests and as a last check. */
export function isSafeSvg(svg: string): boolean {
  return sanitizeSvg(svg) === svg;
}
