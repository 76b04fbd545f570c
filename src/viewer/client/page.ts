// The page Quire serves at /viewer/{viewingSessionId}, for an <iframe>: the session id comes from the
// path, options from the query (print=1, download=1 or download=<url>, page=, zoom=, thumbnails=1,
// search=, render=svg|raster, comparison=0), and every viewer event is also posted to the parent window.
import { mount, safeDownload } from './index.ts';
import type { ViewerEvents } from './viewer.ts';
import type { ZoomChoice } from './toolbar.ts';

const EVENTS: (keyof ViewerEvents)[] = ['ready', 'pagechange', 'pagerender', 'zoomchange', 'searchdone', 'changes', 'changeselect', 'error', 'download', 'print'];

const path = location.pathname;
const at = path.lastIndexOf('/viewer/');
const sessionId = decodeURIComponent(path.slice(at + '/viewer/'.length).split('/')[0] ?? '');
// Quire's routes sit beside /viewer/ (also behind a proxy that adds a prefix).
const baseUrl = location.origin + path.slice(0, at);
const q = new URLSearchParams(location.search);
const flag = (name: string) => ['1', 'true', 'yes'].includes((q.get(name) ?? '').toLowerCase());
const zoomParam = q.get('zoom');
const zoom: ZoomChoice | undefined =
  zoomParam === 'fit-width' || zoomParam === 'fit-page' || zoomParam === 'auto' ? zoomParam : zoomParam && Number(zoomParam) > 0 ? Number(zoomParam) / 100 : undefined;
const download = q.get('download');

const host = document.getElementById('quire-viewer')!;
const viewer = mount(host, {
  sessionId,
  baseUrl,
  print: flag('print'),
  download: download === null ? false : flag('download') ? true : safeDownload(download),
  ...(q.get('page') ? { page: Number(q.get('page')) } : {}),
  ...(zoom !== undefined ? { zoom } : {}),
  thumbnails: flag('thumbnails'),
  ...(q.get('search') ? { search: q.get('search')! } : {}),
  ...(q.get('comparison') === '0' ? { comparison: false } : {}),
  ...(q.get('render') === 'svg' || q.get('render') === 'raster' ? { render: q.get('render') as 'svg' | 'raster' } : {}),
});

if (window.parent !== window) {
  for (const name of EVENTS) {
    viewer.on(name, (detail) => window.parent.postMessage({ source: 'quire-viewer', type: name, detail: JSON.parse(JSON.stringify(detail)) }, '*'));
  }
}
