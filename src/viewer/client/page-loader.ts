// Loads what the pages near the viewport need (image at the right resolution, size, text layer,
// highlights) in the order the reader needs them: at most two images at a time (the server renders
// with two workers), the one nearest the current page first, and a page that scrolls away before its
// image arrived is cancelled. The first page is loaded alone. Past a limit, the farthest loaded pages
// are unloaded.
import type { QuireClient } from './api.ts';
import type { PageView } from './page-view.ts';
import type { Pages } from './pages.ts';
import type { RenderMode } from './options.ts';
import { isSessionWide, problemOf, type ViewerProblem } from './problems.ts';
import type { TextStore } from './text-store.ts';
import { buildTextLayer } from './text-layer.ts';
import { rasterScale } from './zoom.ts';

/**
 * Above this many device pixels per page pixel, 'auto' switches to SVG: a PNG that large costs more
 * than parsing the SVG (which takes Chromium 0.4–0.8 s a page for Quire's text-heavy SVGs, against
 * about 30 ms for the PNG; see docs/viewer.md).
 */
const RASTER_MAX_SCALE = 3;
/** Pages whose image and text stay in the DOM at most (the nearest are kept). */
const MAX_LOADED = 24;
/** Images being fetched at once. */
const MAX_IN_FLIGHT = 2;
/** Reloads of a page whose image failed while its session is fine. */
const MAX_RETRIES = 2;
/**
 * Text layers are laid out only once scrolling has paused this long: a page's few hundred word
 * spans cost Chromium 30–80 ms of layout, which would make scrolling stutter.
 */
const TEXT_AFTER_SCROLL_MS = 150;

export interface LoaderHost {
  client: QuireClient;
  pages: Pages;
  texts: TextStore;
  render: RenderMode;
  redraw(pages: Iterable<number>): void;
  painted(pageIndex: number): void;
  fail(p: ViewerProblem): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PageLoader {
  /** The session asked for raster pages (its Attributes say isRaster). */
  rasterSession = false;
  readonly firstPainted: Promise<void>;
  private readonly h: LoaderHost;
  private stopped = false;
  private firstDone = false;
  private resolveFirst: () => void = () => undefined;
  /** Near the viewport, image not started (or no longer right for the zoom). */
  private readonly queued = new Set<number>();
  private readonly inFlight = new Set<number>();
  /** Painted pages, least recently loaded first. */
  private loaded: number[] = [];
  private readonly retries = new Map<number, number>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Painted pages whose text layer is still to be built. */
  private readonly textQueue = new Set<number>();
  private textTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly abort = new AbortController();

  constructor(host: LoaderHost) {
    this.h = host;
    this.firstPainted = new Promise((resolve) => (this.resolveFirst = resolve));
  }

  isLoaded(index: number): boolean {
    return this.loaded.includes(index);
  }

  /** The page came near the viewport. */
  want(v: PageView): void {
    if (this.stopped || this.inFlight.has(v.index) || (v.painted && v.imgUrl === this.urlOf(v.index))) return;
    this.queued.add(v.index);
    this.pump();
  }

  /** The page went away from the viewport: an image still on its way is not wanted any more. */
  drop(v: PageView): void {
    this.queued.delete(v.index);
    if (this.inFlight.delete(v.index) && !v.painted) {
      v.unload();
      this.pump();
    }
  }

  /** After a zoom, pages whose image no longer suits it are fetched again once the zoom settles (the old image stays, stretched, until then). */
  zoomChanged(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      for (const i of this.loaded) {
        const v = this.h.pages.views[i];
        if (v && this.h.pages.nearSet.has(i) && v.imgUrl !== this.urlOf(i)) this.queued.add(i);
      }
      this.pump();
    }, 250);
  }

  urlOf(index: number): string {
    const scale = rasterScale(this.h.pages.zoom, devicePixelRatio || 1);
    const mode = this.h.render;
    const raster = this.rasterSession || mode === 'raster' || (mode === 'auto' && scale <= RASTER_MAX_SCALE);
    return raster ? this.h.client.pageUrl(index, { scale }) : this.h.client.pageUrl(index);
  }

  destroy(): void {
    this.stopped = true;
    this.abort.abort();
    clearTimeout(this.refreshTimer);
    clearTimeout(this.textTimer);
  }

  /** Starts the queued pages nearest the current one, as far as the limit allows. */
  private pump(): void {
    const current = this.h.pages.current;
    while (!this.stopped && this.inFlight.size < (this.firstDone ? MAX_IN_FLIGHT : 1) && this.queued.size > 0) {
      let next = -1;
      for (const i of this.queued) if (next < 0 || Math.abs(i - current) < Math.abs(next - current)) next = i;
      // Until the first page is on screen, nothing else is started.
      if (!this.firstDone && next !== current) return;
      this.queued.delete(next);
      const v = this.h.pages.views[next];
      if (v) this.start(v);
    }
  }

  private start(v: PageView): void {
    this.inFlight.add(v.index);
    v.showImage(
      this.urlOf(v.index),
      () => this.painted(v),
      () => void this.failed(v),
      !this.firstDone,
    );
  }

  private painted(v: PageView): void {
    this.inFlight.delete(v.index);
    this.loaded = this.loaded.filter((i) => i !== v.index);
    this.loaded.push(v.index);
    this.h.redraw([v.index]);
    if (!v.textShown) {
      void this.h.texts.request(v.index).then((t) => {
        if (!v.exact) this.h.pages.resizePage(v.index, t.width, t.height);
        this.textQueue.add(v.index);
        this.scheduleText(0);
      });
    }
    this.trim();
    // The image is decoded; the next frame has it on screen.
    requestAnimationFrame(() => {
      if (!this.firstDone) {
        this.firstDone = true;
        performance.mark('quire-viewer:first-page');
        this.resolveFirst();
      }
      this.h.painted(v.index);
      this.pump();
    });
  }

  /** Builds one text layer (the nearest page's) per pause in scrolling, and comes back for the next. */
  private scheduleText(delay: number): void {
    if (this.textTimer !== undefined || this.textQueue.size === 0 || this.stopped) return;
    this.textTimer = setTimeout(() => {
      this.textTimer = undefined;
      const quiet = performance.now() - this.h.pages.lastScroll;
      if (quiet < TEXT_AFTER_SCROLL_MS || !this.firstDone) return this.scheduleText(TEXT_AFTER_SCROLL_MS - Math.max(0, quiet) + 10);
      const current = this.h.pages.current;
      let next = -1;
      for (const i of this.textQueue) if (next < 0 || Math.abs(i - current) < Math.abs(next - current)) next = i;
      this.textQueue.delete(next);
      const v = this.h.pages.views[next];
      const t = this.h.texts.get(next);
      if (v && t && v.painted && !v.textShown && this.h.pages.nearSet.has(next)) {
        buildTextLayer(v.textEl, t);
        v.textShown = true;
      }
      this.scheduleText(0);
    }, delay);
  }

  /** Unloads the pages farthest from the current one once too many are loaded. */
  private trim(): void {
    if (this.loaded.length <= MAX_LOADED) return;
    const { current, nearSet, views } = this.h.pages;
    const far = this.loaded.filter((i) => !nearSet.has(i)).sort((a, b) => Math.abs(b - current) - Math.abs(a - current));
    for (const i of far) {
      if (this.loaded.length <= MAX_LOADED) break;
      views[i]?.unload();
      this.loaded = this.loaded.filter((x) => x !== i);
    }
  }

  /** An image did not load: the page's attributes say why; a session-wide answer ends the viewer. */
  private async failed(v: PageView): Promise<void> {
    this.inFlight.delete(v.index);
    this.pump();
    try {
      await this.h.client.pageAttributes(v.index, this.abort.signal);
    } catch (err) {
      if (this.abort.signal.aborted) return;
      const p = problemOf(err);
      if (isSessionWide(p)) return this.h.fail(p);
    }
    const n = (this.retries.get(v.index) ?? 0) + 1;
    this.retries.set(v.index, n);
    if (n > MAX_RETRIES) {
      v.el.classList.add('qv-failed');
      return;
    }
    await sleep(1000 * n);
    v.unload();
    this.loaded = this.loaded.filter((x) => x !== v.index);
    if (this.h.pages.nearSet.has(v.index)) this.want(v);
  }
}
