// What an embedding app passes to mount() and the events it can listen to.
import type { Change } from './api-types.ts';
import type { ViewerProblem } from './problems.ts';
import type { ZoomChoice } from './toolbar.ts';
import type { ZoomMode } from './zoom.ts';

export type RenderMode = 'auto' | 'svg' | 'raster';

export interface ViewerOptions {
  sessionId: string;
  /** Where Quire's routes are; '' (the default) for the page's own origin. */
  baseUrl?: string;
  /** Show a print button (prints the rendered pages). */
  print?: boolean;
  /** A download link the app provides, or true for a button that only emits `download`. */
  download?: boolean | string;
  /** First page shown, 1-based. */
  page?: number;
  /** 'auto' (default): fit the width, at most 125%. */
  zoom?: ZoomChoice;
  /** Open the thumbnails panel at start. */
  thumbnails?: boolean;
  /** Search for this at start. */
  search?: string;
  /** false skips asking for a change list (saves one request for single documents). */
  comparison?: boolean;
  /**
   * How pages are drawn. 'auto' (default): PNG at the screen's resolution for the current zoom
   * (fetched again when the zoom settles), SVG past a few device pixels per page pixel; 'svg'
   * always SVG; 'raster' always PNG. Sessions that ask for raster get PNG whatever this says.
   */
  render?: RenderMode;
}

export interface ViewerEvents {
  ready: { pageCount: number };
  /** 1-based page number. */
  pagechange: { page: number; pageCount: number };
  pagerender: { page: number };
  zoomchange: { zoom: number; mode: ZoomMode };
  searchdone: { query: string; count: number };
  changes: { count: number };
  changeselect: { index: number; change: Change };
  error: ViewerProblem;
  download: Record<string, never>;
  print: Record<string, never>;
}
