// Search as the reader sees it: a query runs a Search, the first hit at or after the current page is
// selected as soon as it is known, hits are drawn on the pages, and next/previous wrap around.
import type { QuireClient } from './api.ts';
import type { Mark } from './marks.ts';
import type { Pages } from './pages.ts';
import { Search, type SearchUpdate } from './search.ts';
import type { Toolbar } from './toolbar.ts';

export interface SearchHost {
  client: QuireClient;
  pages: Pages;
  toolbar: Toolbar;
  redraw(pageIndexes: Iterable<number>): void;
  announce(text: string): void;
  done(query: string, count: number): void;
}

export class SearchController {
  private readonly h: SearchHost;
  private run: Search | null = null;
  private hit = -1;
  private waiters: ((count: number) => void)[] = [];

  constructor(host: SearchHost) {
    this.h = host;
  }

  /** Starts a search, or steps through the hits of the one already shown for the same words. */
  search(query: string, direction: 1 | -1 = 1): Promise<number> {
    const q = query.trim();
    if (q === '') {
      this.clear();
      return Promise.resolve(0);
    }
    const promise = new Promise<number>((resolve) => this.waiters.push(resolve));
    if (this.run && this.run.query === q) {
      this.step(direction);
      if (this.run.done) this.settle(this.run.hits.length);
      return promise;
    }
    this.clear();
    const run = new Search(this.h.client, q, (u) => this.onUpdate(run, u));
    this.run = run;
    this.h.toolbar.setSearchState(q, 0, -1, false);
    return promise;
  }

  clear(): void {
    if (!this.run) return;
    const pages = new Set(this.run.hits.map((x) => x.pageIndex));
    this.run.cancel(this.h.client);
    this.run = null;
    this.hit = -1;
    this.h.toolbar.setSearchState('', 0, -1, true);
    this.h.redraw(pages);
    this.settle(0);
  }

  step(direction: 1 | -1): void {
    const n = this.run?.hits.length ?? 0;
    if (n === 0) return;
    this.select(this.hit < 0 ? (direction > 0 ? 0 : n - 1) : (this.hit + direction + n) % n);
  }

  marksOn(pageIndex: number): Mark[] {
    const run = this.run;
    if (!run) return [];
    const out: Mark[] = [];
    for (const k of run.onPage(pageIndex)) {
      for (const rect of run.hits[k]!.lineRectangles) out.push({ rect, cls: k === this.hit ? 'qv-mark qv-hit qv-hit-current' : 'qv-mark qv-hit' });
    }
    return out;
  }

  private onUpdate(run: Search, u: SearchUpdate): void {
    if (run !== this.run) return;
    if (this.hit < 0 && u.hits.length > 0) {
      const from = this.h.pages.current;
      const next = u.hits.findIndex((x) => x.pageIndex >= from);
      if (next >= 0 || u.done) this.select(Math.max(next, 0));
    }
    this.h.toolbar.setSearchState(u.query, u.hits.length, this.hit, u.done);
    this.h.redraw(new Set(u.hits.map((x) => x.pageIndex)));
    if (u.done) {
      const n = u.hits.length;
      this.h.announce(u.failed ? `The search for ${u.query} failed` : `${n === 0 ? 'No' : n} ${n === 1 ? 'result' : 'results'} for ${u.query}`);
      this.h.done(u.query, n);
      this.settle(n);
    }
  }

  private select(index: number): void {
    const run = this.run;
    const hit = run?.hits[index];
    if (!run || !hit) return;
    const before = run.hits[this.hit]?.pageIndex;
    this.hit = index;
    this.h.redraw(before === undefined ? [hit.pageIndex] : [before, hit.pageIndex]);
    this.h.pages.reveal(hit.pageIndex, hit.boundingRectangle);
    this.h.toolbar.setSearchState(run.query, run.hits.length, index, run.done);
  }

  private settle(count: number): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve(count);
  }
}
