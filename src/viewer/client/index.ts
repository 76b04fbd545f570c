// Quire's viewer as an ES module: mount(element, { sessionId, baseUrl, … }) shows a viewing session's
// pages inside any element, without a framework. The stylesheet is added next to the module's URL.
import { Viewer, type ViewerEvents, type ViewerOptions } from './viewer.ts';

export type { ViewerEvents, ViewerOptions };
export type { ViewerProblem, ProblemKind } from './problems.ts';
export type { Change } from './api-types.ts';
export type { Viewer };

/** Set by the build: the version both assets carry, so the stylesheet matches the code. */
declare const QUIRE_VIEWER_VERSION: string;

export function mount(element: HTMLElement, options: ViewerOptions): Viewer {
  if (!(element instanceof HTMLElement)) throw new TypeError('mount: element must be an HTMLElement');
  if (typeof options?.sessionId !== 'string' || options.sessionId === '') throw new TypeError('mount: options.sessionId is required');
  addStylesheet();
  return new Viewer(element, { ...options, download: safeDownload(options.download) });
}

function addStylesheet(): void {
  const href = new URL(`quire-viewer.css?v=${QUIRE_VIEWER_VERSION}`, import.meta.url).href;
  if (document.querySelector(`link[data-quire-viewer]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  link.dataset.quireViewer = '';
  document.head.append(link);
}

/** A download link must be http(s) (or relative): never javascript: or data:. */
export function safeDownload(d: ViewerOptions['download']): boolean | string {
  if (typeof d !== 'string') return d === true;
  try {
    const u = new URL(d, location.href);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : false;
  } catch {
    return false;
  }
}
