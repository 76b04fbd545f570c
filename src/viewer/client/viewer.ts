// The viewer: builds the UI inside the given element, opens the session (waiting while the document
// converts, or showing why it cannot), keeps the pages near the viewport loaded (image, size, text,
// highlights) and the rest unloaded, and tells the embedding app what happens through events.
import { QuireClient } from './api.ts';
import { ChangeController } from './change-controller.ts';
import { ChangeList } from './changes.ts';
import { el } from './dom.ts';
import { Emitter } from './emitter.ts';
import { bindInput } from './input.ts';
import { drawMarks } from './marks.ts';
import type { ViewerEvents, ViewerOptions } from './options.ts';
import { PageLoader } from './page-loader.ts';
import { Pages } from './pages.ts';
import { printPages } from './print.ts';
import { isNotYetProvided, isSessionWide, problemOf, type ViewerProblem } from './problems.ts';
import { SearchController } from './search-controller.ts';
import { StatusOverlay } from './status.ts';
import { TextStore } from './text-store.ts';
import { Thumbnails } from './thumbnails.ts';
import { Toolbar, type ZoomChoice } from './toolbar.ts';
import { stepZoom, type ZoomMode } from './zoom.ts';

export type { ViewerEvents, ViewerOptions };

let instances = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Viewer {
  readonly events = new Emitter<ViewerEvents>();
  readonly client: QuireClient;
  private readonly host: HTMLElement;
  private readonly root: HTMLElement;
  private readonly opts: ViewerOptions;
  private readonly pages: Pages;
  private readonly toolbar: Toolbar;
  private readonly thumbs: Thumbnails;
  private readonly status = new StatusOverlay();
  private readonly live: HTMLElement;
  private readonly texts: TextStore;
  private readonly finder: SearchController;
  private readonly changes: ChangeController;
  private readonly changeList: ChangeList;
  private readonly abort = new AbortController();
  private readonly unbind: (() => void)[] = [];
  private readonly loader: PageLoader;
  private problem: ViewerProblem | null = null;
  /** The server's estimate while the document converts (only page 1 is listed then); null once exact. */
  private estimatedCount: number | null = null;

  constructor(host: HTMLElement, opts: ViewerOptions) {
    this.host = host;
    this.opts = opts;
    this.client = new QuireClient(opts.baseUrl ?? '', opts.sessionId);
    const id = `qv${++instances}`;
    this.pages = new Pages({
      near: (v) => this.loader.want(v),
      far: (v) => this.loader.drop(v),
      current: (i) => this.onCurrent(i),
      zoomed: (zoom, mode) => this.onZoom(zoom, mode),
    });
    this.thumbs = new Thumbnails(`${id}-thumbs`, this.client, (i) => this.goToIndex(i));
    this.changeList = new ChangeList(`${id}-changes`, (i) => this.changes.select(i));
    this.toolbar = new Toolbar(
      {
        toggleThumbnails: () => this.toggleThumbnails(),
        previousPage: () => this.goToIndex(this.pages.current - 1),
        nextPage: () => this.goToIndex(this.pages.current + 1),
        goToPage: (n) => this.goToPage(n),
        zoomIn: () => this.zoomBy(1),
        zoomOut: () => this.zoomBy(-1),
        zoomTo: (z) => this.setZoom(z),
        search: (q, d) => void this.finder.search(q, d),
        clearSearch: () => this.finder.clear(),
        previousChange: () => this.changes.step(-1),
        nextChange: () => this.changes.step(1),
        toggleChanges: () => this.toggleChanges(),
        print: () => void this.print(),
        download: () => this.emit('download', {}),
      },
      { print: opts.print === true, download: opts.download ?? false, thumbnailsId: this.thumbs.el.id, changesId: this.changeList.el.id },
    );
    this.live = el('div', { class: 'qv-sr-only', 'aria-live': 'polite' });
    const main = el('div', { class: 'qv-main' }, this.pages.scroller, this.status.el);
    this.root = el('div', { class: 'qv-root', role: 'region', 'aria-label': 'Document viewer' }, this.toolbar.el, el('div', { class: 'qv-body' }, this.thumbs.el, main, this.changeList.el), this.live);
    host.classList.add('qv-host');
    host.replaceChildren(this.root);

    this.texts = new TextStore(this.client, () => this.pages.pageCount);
    const redraw = (pages: Iterable<number>) => this.redrawMarks(pages);
    this.loader = new PageLoader({
      client: this.client,
      pages: this.pages,
      texts: this.texts,
      render: opts.render ?? 'auto',
      redraw,
      painted: (i) => this.emit('pagerender', { page: i + 1 }),
      fail: (p) => this.fail(p),
    });
    this.finder = new SearchController({ client: this.client, pages: this.pages, toolbar: this.toolbar, redraw, announce: (t) => this.announce(t), done: (query, count) => this.emit('searchdone', { query, count }) });
    this.changes = new ChangeController({
      client: this.client,
      pages: this.pages,
      toolbar: this.toolbar,
      list: this.changeList,
      redraw,
      loaded: (c) => {
        this.root.classList.add('qv-comparison');
        this.emit('changes', { count: c.length });
      },
      selected: (index, change) => this.emit('changeselect', { index, change }),
    });
    this.unbind.push(
      bindInput(this.root, {
        pages: this.pages,
        toolbar: this.toolbar,
        textOf: (i) => this.texts.get(i)?.text,
        keys: {
          focusSearch: () => this.toolbar.searchInput.focus(),
          searchStep: (d) => this.finder.step(d),
          zoomIn: () => this.zoomBy(1),
          zoomOut: () => this.zoomBy(-1),
          zoomReset: () => this.pages.setZoom(1, 'custom'),
          fitWidth: () => this.pages.fit('fit-width'),
          fitPage: () => this.pages.fit('fit-page'),
          previousPage: () => this.goToIndex(this.pages.current - 1),
          nextPage: () => this.goToIndex(this.pages.current + 1),
          firstPage: () => this.goToIndex(0),
          lastPage: () => this.goToIndex(this.pageCount - 1),
          toggleThumbnails: () => this.toggleThumbnails(),
          previousChange: () => this.changes.step(-1),
          nextChange: () => this.changes.step(1),
          arrowsTurnPages: () => this.pages.scroller.scrollWidth <= this.pages.scroller.clientWidth,
        },
      }),
    );
    void this.start();
  }

  get pageCount(): number {
    return this.pages.pageCount;
  }

  /** 1-based. */
  get currentPage(): number {
    return this.pages.current + 1;
  }

  get zoom(): number {
    return this.pages.zoom;
  }

  on<K extends keyof ViewerEvents>(name: K, fn: (detail: ViewerEvents[K]) => void): () => void {
    return this.events.on(name, fn);
  }

  goToPage(pageNumber: number): void {
    const n = Math.max(1, Math.min(Math.round(pageNumber), this.pageCount));
    this.goToIndex(n - 1);
    this.toolbar.resetPageInput(n - 1);
  }

  setZoom(z: ZoomChoice): void {
    if (typeof z === 'number') this.pages.setZoom(z, 'custom');
    else this.pages.fit(z);
  }

  search(query: string): Promise<number> {
    this.toolbar.searchInput.value = query;
    return this.finder.search(query, 1);
  }

  clearSearch(): void {
    this.toolbar.searchInput.value = '';
    this.finder.clear();
  }

  nextChange(): void {
    this.changes.step(1);
  }

  previousChange(): void {
    this.changes.step(-1);
  }

  destroy(): void {
    this.abort.abort();
    this.finder.clear();
    this.texts.destroy();
    this.pages.destroy();
    this.thumbs.destroy();
    this.loader.destroy();
    for (const u of this.unbind) u();
    this.events.clear();
    this.root.remove();
    this.host.classList.remove('qv-host');
  }

  private emit<K extends keyof ViewerEvents>(name: K, detail: ViewerEvents[K]): void {
    this.events.emit(name, detail);
    this.host.dispatchEvent(new CustomEvent(`quire:${name}`, { detail, bubbles: true }));
  }

  private async start(): Promise<void> {
    const signal = this.abort.signal;
    let ready = false;
    void this.showConversion(() => ready);
    let opened;
    for (;;) {
      try {
        opened = await this.client.pageAttributesWithCount(0, signal);
        break;
      } catch (err) {
        if (signal.aborted) return;
        if (!isNotYetProvided(err)) return this.fail(problemOf(err));
        this.status.progress('Waiting for the document…');
        await sleep(1000);
      }
    }
    ready = true;
    const { attrs, final } = opened;
    // An answer straight from the server (the count is an estimate while the document converts) needs no confirming.
    if (final) void this.confirmSession(signal);
    this.loader.rasterSession = attrs.isRaster !== 'false';
    this.status.hide();
    // While the document converts only page 1 is listed ("1 of about N"): the server answers it from
    // its first pages' export, and any other page would wait for the whole document anyway.
    this.estimatedCount = final ? null : attrs.pageCount;
    const listed = final ? attrs.pageCount : 1;
    this.pages.setPageCount(listed, attrs.imageWidth, attrs.imageHeight);
    this.pages.views[0]!.setSize(attrs.imageWidth, attrs.imageHeight);
    this.pages.labelPages(attrs.pageCount, !final);
    this.thumbs.setPages(listed, attrs.imageWidth, attrs.imageHeight);
    this.toolbar.setEnabled(true);
    this.setZoom(this.opts.zoom ?? 'auto');
    if (final && this.opts.page && this.opts.page > 1) this.goToPage(this.opts.page);
    this.onCurrent(this.pages.current);
    // The pages on screen now, without waiting for the intersection observer's first report.
    for (const i of [this.pages.current, this.pages.current + 1]) {
      const v = this.pages.views[i];
      if (v) this.loader.want(v);
    }
    if (this.opts.thumbnails) this.toggleThumbnails();
    if (final) this.opened(attrs.pageCount, signal);
    else void this.awaitExactCount(attrs.imageWidth, attrs.imageHeight, signal);
  }

  /** The document is there with its exact page count: tell the app, then what waited for it. */
  private opened(pageCount: number, signal: AbortSignal): void {
    this.emit('ready', { pageCount });
    if (this.opts.search) void this.search(this.opts.search);
    // The change list waits for the first page (or 2 s): it must not delay it.
    if (this.opts.comparison !== false) void Promise.race([this.loader.firstPainted, sleep(2000)]).then(() => this.changes.load(signal));
  }

  /**
   * Page 1 is shown while the document converts: polls the page count (confidence 0, answered at
   * once) until it is exact, then lists every page (placeholders of page 1's size) and opens as usual.
   */
  private async awaitExactCount(width: number, height: number, signal: AbortSignal): Promise<void> {
    let count = 0;
    for (;;) {
      await sleep(500);
      if (signal.aborted || this.problem) return;
      try {
        const d = await this.client.documentAttributes(0, signal);
        if (d.pageCountConfidence >= 100) {
          count = d.pageCount;
          break;
        }
        if (d.pageCount > 1 && d.pageCount !== this.estimatedCount) {
          this.estimatedCount = d.pageCount;
          this.pages.labelPages(d.pageCount, true);
          this.onCurrent(this.pages.current);
        }
      } catch (err) {
        if (signal.aborted) return;
        const p = problemOf(err);
        // A failed conversion (or an ended session) is the reader's to know; a lost connection may come back.
        if (p.kind !== 'network') return this.fail(p);
      }
    }
    if (this.problem) return;
    this.estimatedCount = null;
    this.pages.setPageCount(count, width, height);
    this.pages.labelPages(count, false);
    this.thumbs.setPages(count, width, height);
    if (this.opts.page && this.opts.page > 1) this.goToPage(this.opts.page);
    this.onCurrent(this.pages.current);
    this.opened(count, signal);
  }

  /**
   * The opening answer may be the browser's copy (cacheable for a day, and what the page's preload
   * gets on a reload): the server itself must say the session is still usable, or a reload of an
   * expired or stopped session would show its cached pages. With the ETag this is a 304.
   */
  private async confirmSession(signal: AbortSignal): Promise<void> {
    try {
      await this.client.pageAttributes(0, signal, true);
    } catch (err) {
      if (signal.aborted) return;
      const p = problemOf(err);
      if (isSessionWide(p)) this.fail(p);
    }
  }

  /** Progress while the first page is not ready: nothing for a moment, then what the server knows. */
  private async showConversion(ready: () => boolean): Promise<void> {
    await sleep(300);
    const t0 = Date.now();
    while (!ready() && !this.problem && !this.abort.signal.aborted) {
      let detail = '';
      let waiting = false;
      try {
        // Confidence 0: answered at once with whatever is known. With more, a document the server
        // cannot estimate (txt, rtf, doc…) answers only once converted, and no progress is shown.
        const d = await this.client.documentAttributes(0, this.abort.signal);
        if (d.pageCountConfidence < 100 && d.pageCount > 1) detail = `Page 1 of about ${d.pageCount}`;
        else if (d.pageCountConfidence >= 100) detail = `${d.pageCount} ${d.pageCount === 1 ? 'page' : 'pages'}`;
      } catch (err) {
        // Other errors are reported by the page request; no document yet is start()'s to say.
        waiting = isNotYetProvided(err);
      }
      if (ready() || this.problem || this.abort.signal.aborted) return;
      if (waiting) {
        await sleep(500);
        continue;
      }
      const secs = Math.round((Date.now() - t0) / 1000);
      this.status.progress('Preparing the document…', [detail, secs >= 2 ? `${secs} s` : ''].filter(Boolean).join(' · '));
      await sleep(500);
    }
  }

  private fail(p: ViewerProblem): void {
    if (this.problem) return;
    this.problem = p;
    this.status.problem(p);
    this.root.classList.add('qv-failed');
    this.toolbar.setEnabled(false);
    this.loader.destroy();
    this.texts.destroy();
    this.emit('error', p);
  }

  private redrawMarks(pages: Iterable<number>): void {
    for (const i of new Set(pages)) {
      const v = this.pages.views[i];
      if (!v?.img || !this.loader.isLoaded(i)) continue;
      drawMarks(v.marks, [...this.changes.marksOn(i), ...this.finder.marksOn(i)]);
    }
  }

  private onCurrent(i: number): void {
    this.toolbar.setPage(i, this.estimatedCount ?? this.pageCount, this.estimatedCount !== null);
    this.thumbs.setCurrent(i);
    this.emit('pagechange', { page: i + 1, pageCount: this.pageCount });
  }

  private onZoom(zoom: number, mode: ZoomMode): void {
    this.toolbar.setZoom(zoom, mode);
    this.emit('zoomchange', { zoom, mode });
    this.loader.zoomChanged();
  }

  private goToIndex(index: number): void {
    if (index < 0 || index >= this.pageCount) return;
    this.pages.goToPage(index);
  }

  private zoomBy(direction: 1 | -1): void {
    this.pages.setZoom(stepZoom(this.pages.zoom, direction), 'custom');
  }

  private toggleThumbnails(): void {
    const open = !this.thumbs.open;
    this.thumbs.setOpen(open);
    this.toolbar.thumbsButton.setAttribute('aria-expanded', String(open));
  }

  private toggleChanges(): void {
    const open = this.changeList.el.hidden;
    this.changeList.el.hidden = !open;
    this.toolbar.changesButton.setAttribute('aria-expanded', String(open));
  }

  private announce(text: string): void {
    this.live.textContent = text;
  }

  private async print(): Promise<void> {
    this.emit('print', {});
    // 192 dpi PNGs: sharp on paper, and far quicker for the browser to lay out than SVGs.
    const urls = this.pages.views.map((v) => this.client.pageUrl(v.index, { scale: 2 }));
    await printPages(urls, (done, total) => this.status.progress('Preparing pages for printing…', `${done} of ${total}`));
    this.status.hide();
  }
}
