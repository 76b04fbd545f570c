// HTML is rendered with scripts and remote content off: before LibreOffice sees an HTML document,
// everything that could run or reach out (scripts, frames, objects, forms, <base>, <link>, meta
// refresh, event attributes, any URL that is not inline data) is removed. LibreOffice's own HTML
// import would otherwise try to fetch linked images and stylesheets, from wherever they point.
import { readFile, writeFile } from 'node:fs/promises';
import sanitizeHtml from 'sanitize-html';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: sanitizeHtml.defaults.allowedTags.concat(['img', 'h1', 'h2', 'font', 'center', 'u', 's', 'strike', 'sub', 'sup', 'big', 'small', 'hr', 'col', 'colgroup']),
  allowedAttributes: {
    '*': ['style', 'align', 'valign', 'width', 'height', 'colspan', 'rowspan', 'border', 'cellpadding', 'cellspacing', 'bgcolor', 'color', 'face', 'size', 'dir', 'lang', 'title'],
    img: ['src', 'alt'],
    a: ['href', 'name'],
    ol: ['start', 'type'],
    li: ['value'],
  },
  // Links stay as text targets (never followed while rendering); images only from inline data.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['data'] },
  allowProtocolRelative: false,
  // Inline styles may name url(...) resources; drop any declaration that does.
  allowedStyles: undefined,
  transformTags: {
    '*': (tagName, attribs) => {
      if (attribs.style && /url\s*\(|expression\s*\(|@import/i.test(attribs.style)) delete attribs.style;
      return { tagName, attribs };
    },
  },
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'iframe', 'object', 'embed', 'title'],
};

export function sanitizeHtmlText(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}

/** Writes a sanitized copy of an HTML file (decoded as UTF-8) to outputPath. */
export async function sanitizeHtmlFile(inputPath: string, outputPath: string): Promise<void> {
  const html = (await readFile(inputPath)).toString('utf8');
  await writeFile(outputPath, `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${sanitizeHtmlText(html)}</body></html>`);
}
