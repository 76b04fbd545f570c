// The scrolling column of pages: page placeholders in normal flow sized by CSS variables (one write
// changes the zoom of every page), which page is current, which pages are near the viewport, and a
// steady reading position across zooms and late size corrections.
import { el } from './dom.ts';
import { PageView } from './page-view.ts';
import type { Rect } from './api-types.ts';
import { clampZoom, fitZoom, type FitMode, type ZoomMode } from './zoom.ts';

export interface PagesHooks {
  /** The page came within a viewport's height of the visible area. */
  near(page: PageView): void;
  /** The page left that zone. */
  far(page: PageView): void;
  current(index: number): void;
  zoomed(zoom: number, mode: ZoomMode): void;
}

interface Anchor {
  page: number;
  /** Fractions of the page at the reference point. */
  fx: number;
  fy: number;
  /** Reference point in the scroller's client box. */
  px: number;
  py: number;
}

export class Pages {
  readonly scroller: HTMLDivElement;
  readonly column: HTMLDivElement;
  views: PageView[] = [];
  zoom = 1;
  mode: ZoomMode = 'auto';
  current = 0;
  readonly nearSet = new Set<number>();
  private readonly hooks: PagesHooks;
  private readonly observer: IntersectionObserver;
  private readonly resizer: ResizeObserver;
  private scrollQueued = false;
  /** performance.now() of the last scroll event. */
  lastScroll = 0;
  private lastWidth = 0;
  private lastHeight = 0;

  constructor(hooks: PagesHooks) {
    this.hooks = hooks;
    this.column = el('div', { class: 'qv-pages' });
    this.scroller = el('div', { class: 'qv-scroll', tabindex: '0', role: 'document', 'aria-label': 'Document pages' }, this.column);
    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), { root: this.scroller, rootMargin: '100% 0px 100% 0px' });
    this.scroller.addEventListener(
      'scroll',
      () => {
        this.lastScroll = performance.now();
        this.queueScroll();
      },
      { passive: true },
    );
    this.resizer = new ResizeObserver(() => this.onResize());
    this.resizer.observe(this.scroller);
  }

  setPageCount(count: number, width: number, height: number): void {
    for (let i = this.views.length; i < count; i++) {
      const v = new PageView(i, width, height);
      this.views.push(v);
      this.column.append(v.el);
      this.observer.observe(v.el);
    }
  }

  labelPages(count: number, approximate: boolean): void {
    for (const v of this.views) v.setLabel(count, approximate);
  }

  get pageCount(): number {
    return this.views.length;
  }

  setZoom(zoom: number, mode: ZoomMode = 'custom', point?: { x: number; y: number }): void {
    const z = clampZoom(zoom);
    const anchor = this.anchorAt(point);
    this.zoom = z;
    this.mode = mode;
    this.column.style.setProperty('--qv-zoom', String(z));
    if (anchor) this.restore(anchor);
    this.hooks.zoomed(z, mode);
    this.queueScroll();
  }

  fit(mode: FitMode): void {
    const ref = this.views[this.current] ?? this.views[0];
    if (!ref) return;
    this.setZoom(fitZoom(mode, this.scroller.clientWidth, this.scroller.clientHeight, ref.width, ref.height), mode);
    if (mode === 'fit-page') this.goToPage(this.current);
  }

  /** Applies a page's real size without moving what the reader looks at. */
  resizePage(index: number, width: number, height: number): void {
    const v = this.views[index];
    if (!v) return;
    const anchor = this.anchorAt();
    if (v.setSize(width, height) && anchor) this.restore(anchor);
  }

  goToPage(index: number): void {
    const v = this.views[Math.max(0, Math.min(index, this.views.length - 1))];
    if (!v) return;
    this.scroller.scrollTop = v.el.offsetTop - 8;
    this.setCurrent(v.index);
  }

  /** Scrolls so a page-space rectangle is in view (a third down the viewport), if it is not already. */
  reveal(index: number, r: Rect): void {
    const v = this.views[index];
    if (!v) return;
    const top = v.el.offsetTop + r.y * this.zoom;
    const left = v.el.offsetLeft + r.x * this.zoom;
    const s = this.scroller;
    const bottom = top + r.height * this.zoom;
    if (top < s.scrollTop || bottom > s.scrollTop + s.clientHeight) s.scrollTop = top - s.clientHeight / 3;
    if (left < s.scrollLeft || left + r.width * this.zoom > s.scrollLeft + s.clientWidth) s.scrollLeft = left - s.clientWidth / 4;
    this.queueScroll();
  }

  private anchorAt(point?: { x: number; y: number }): Anchor | null {
    const v = this.views[this.current];
    if (!v || v.el.offsetHeight === 0) return null;
    const s = this.scroller;
    const px = point?.x ?? s.clientWidth / 2;
    const py = point?.y ?? 0;
    const fx = (s.scrollLeft + px - v.el.offsetLeft) / v.el.offsetWidth;
    const fy = (s.scrollTop + py - v.el.offsetTop) / v.el.offsetHeight;
    return { page: v.index, fx, fy, px, py };
  }

  private restore(a: Anchor): void {
    const v = this.views[a.page];
    if (!v) return;
    this.scroller.scrollTop = v.el.offsetTop + a.fy * v.el.offsetHeight - a.py;
    this.scroller.scrollLeft = v.el.offsetLeft + a.fx * v.el.offsetWidth - a.px;
  }

  private onIntersect(entries: IntersectionObserverEntry[]): void {
    for (const e of entries) {
      const index = Number((e.target as HTMLElement).dataset.page);
      if (e.isIntersecting) {
        this.nearSet.add(index);
        const v = this.views[index];
        if (v) this.hooks.near(v);
      } else if (this.nearSet.delete(index)) {
        const v = this.views[index];
        if (v) this.hooks.far(v);
      }
    }
  }

  private onResize(): void {
    const w = this.scroller.clientWidth;
    const h = this.scroller.clientHeight;
    if (w === this.lastWidth && h === this.lastHeight) return;
    this.lastWidth = w;
    this.lastHeight = h;
    if (this.mode !== 'custom' && this.views.length > 0 && w > 0) this.fit(this.mode);
  }

  private queueScroll(): void {
    if (this.scrollQueued) return;
    this.scrollQueued = true;
    requestAnimationFrame(() => {
      this.scrollQueued = false;
      this.setCurrent(this.visiblePage());
    });
  }

  private setCurrent(index: number): void {
    if (index === this.current) return;
    this.current = index;
    this.hooks.current(index);
  }

  /** The page showing the most, or the last one once the reader is at the end. */
  private visiblePage(): number {
    const views = this.views;
    if (views.length === 0) return 0;
    const s = this.scroller;
    const top = s.scrollTop;
    const bottom = top + s.clientHeight;
    let lo = 0;
    let hi = views.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = views[mid]!.el;
      if (e.offsetTop + e.offsetHeight <= top) lo = mid + 1;
      else hi = mid;
    }
    const atEnd = top + s.clientHeight >= s.scrollHeight - 2;
    let best = lo;
    let bestShown = -1;
    for (let i = lo; i < views.length; i++) {
      const e = views[i]!.el;
      if (e.offsetTop >= bottom) break;
      const shown = Math.min(bottom, e.offsetTop + e.offsetHeight) - Math.max(top, e.offsetTop);
      if (atEnd || shown > bestShown + 1) {
        best = i;
        bestShown = shown;
      }
    }
    return best;
  }

  destroy(): void {
    this.observer.disconnect();
    this.resizer.disconnect();
  }
}
