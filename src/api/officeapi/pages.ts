// The HTML a browser gets at a session's document_url / preview_url / compare_url when it does not
// simply go on to the viewer: the read-only notice page (until the editor exists) and the pages for
// sessions that ended, expired or never existed.
import { escapeHtml as esc } from '../../http/escape-html.ts';

const STYLE =
  'body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1f2328;background:#f6f8fa}' +
  '.notice{padding:.6em 1em;background:#fff8c5;border-bottom:1px solid #d4a72c}' +
  'iframe{display:block;border:0;width:100%;height:calc(100vh - 2.8em)}' +
  'main{max-width:36em;margin:15vh auto;padding:2em;background:#fff;border:1px solid #d0d7de;border-radius:8px}' +
  'h1{font-size:1.4em;margin-top:0}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The document in the viewer, with a visible notice that it cannot be edited yet. */
export function readOnlyPage(title: string, viewerUrl: string): string {
  return page(
    title,
    `<div class="notice" role="status"><strong>Read-only.</strong> Editing is not available yet in Quire: this document opens in the viewer. <a href="${esc(viewerUrl)}" target="_top">Open the viewer on its own</a></div>` +
      `<iframe src="${esc(viewerUrl)}" title="${esc(title)}"></iframe>`,
  );
}

export type EndedReason = 'deleted' | 'expired' | 'unknown';

const ENDED: Record<EndedReason, [string, string]> = {
  deleted: ['This session has ended', 'The application that opened this document ended your session. Ask it for a new link to see the document again.'],
  expired: ['This session has expired', 'Sessions last for a limited time. Ask the application that gave you this link for a new one.'],
  unknown: ['No such session', 'This link does not lead to a document session. It may be mistyped, or the session ended long ago.'],
};

export function endedPage(reason: EndedReason): string {
  const [title, text] = ENDED[reason];
  return page(title, `<main><h1>${esc(title)}</h1><p>${esc(text)}</p></main>`);
}
