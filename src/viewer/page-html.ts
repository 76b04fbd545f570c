// The HTML of /viewer/{id} and the headers it is served with. The script reads the session id from
// the URL; the markup carries it only in a preload of page 1's attributes (so that request starts
// with the page, not after the script), and only once the route has checked it is [A-Za-z0-9_-].
// URLs are relative, so the page also works behind a proxy that mounts Quire under a prefix.
import { escapeHtml } from '../http/escape-html.ts';

/** No inline script or style, nothing from elsewhere; pages and data come from this origin only. */
export const VIEWER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/**
 * `sessionId` must already be checked against the id pattern: it is written into an attribute.
 * `title` (what the link's maker calls the document, e.g. an Office Integrator compare's `title`)
 * becomes the page's title, escaped; it is only text the reader sees, never markup.
 */
export function viewerHtml(version: string, sessionId: string, title?: string): string {
  const shown = title?.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, 255);
  return `<!doctype html>
<html lang="en" class="qv-document">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${shown ? escapeHtml(shown) : 'Document viewer'}</title>
<link rel="icon" href="assets/favicon.svg?v=${version}" type="image/svg+xml">
<link rel="stylesheet" href="assets/quire-viewer.css?v=${version}" data-quire-viewer>
<link rel="preload" as="fetch" crossorigin="anonymous" href="../PCCIS/V1/Page/q/0/Attributes?DocumentID=u${sessionId}">
<script type="module" src="assets/viewer-page.js?v=${version}"></script>
</head>
<body>
<div id="quire-viewer"></div>
<noscript>The document viewer needs JavaScript.</noscript>
</body>
</html>
`;
}
