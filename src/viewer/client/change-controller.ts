// Comparison sessions: the change list (revisionData, every page of it), the changes drawn on the
// pages by kind, and moving between them. A single-document session answers revisionData with 480,
// which simply means there is nothing to show.
import { ApiError, type QuireClient } from './api.ts';
import type { Change, Rect } from './api-types.ts';
import { ChangeList, kindOf } from './changes.ts';
import type { Mark } from './marks.ts';
import type { Pages } from './pages.ts';
import type { Toolbar } from './toolbar.ts';

export interface ChangeHost {
  client: QuireClient;
  pages: Pages;
  toolbar: Toolbar;
  list: ChangeList;
  redraw(pageIndexes: Iterable<number>): void;
  loaded(changes: readonly Change[]): void;
  selected(index: number, change: Change): void;
}

export class ChangeController {
  private readonly h: ChangeHost;
  changes: Change[] = [];
  private current = -1;
  private readonly byPage = new Map<number, { rect: Rect; index: number; cls: string }[]>();

  constructor(host: ChangeHost) {
    this.h = host;
  }

  async load(signal: AbortSignal): Promise<boolean> {
    const all: Change[] = [];
    let token: string | undefined;
    try {
      do {
        const r = await this.h.client.revisionData(token, signal);
        all.push(...r.changes);
        token = r.continueToken;
      } while (token !== undefined);
    } catch (err) {
      if (err instanceof ApiError && err.status === 480) return false;
      if (!signal.aborted) console.warn('quire-viewer: the change list could not be read', err);
      return false;
    }
    this.changes = all;
    all.forEach((c, index) => {
      const cls = `qv-mark qv-change-mark qv-mark-${kindOf(c.type)}`;
      for (const r of c.rectangles ?? []) {
        const list = this.byPage.get(r.pageIndex) ?? [];
        list.push({ rect: r, index, cls });
        this.byPage.set(r.pageIndex, list);
      }
    });
    this.h.list.setChanges(all);
    this.h.toolbar.showChanges(all.length);
    this.h.redraw(this.byPage.keys());
    this.h.loaded(all);
    return true;
  }

  marksOn(pageIndex: number): Mark[] {
    return (this.byPage.get(pageIndex) ?? []).map((m) => ({ rect: m.rect, cls: m.index === this.current ? `${m.cls} qv-mark-current` : m.cls }));
  }

  select(index: number): void {
    const c = this.changes[index];
    if (!c) return;
    const pagesOf = (x: Change | undefined) => (x?.rectangles ?? []).map((r) => r.pageIndex);
    const before = pagesOf(this.changes[this.current]);
    this.current = index;
    this.h.list.setCurrent(index);
    this.h.toolbar.setChange(index, this.changes.length);
    this.h.redraw([...before, ...pagesOf(c)]);
    const first = c.rectangles?.[0];
    if (first) this.h.pages.reveal(first.pageIndex, first);
    else this.h.pages.goToPage(c.pageIndex);
    this.h.selected(index, c);
  }

  step(direction: 1 | -1): void {
    if (this.changes.length === 0) return;
    if (this.current < 0) {
      const from = this.h.pages.current;
      const next = direction > 0 ? this.changes.findIndex((c) => c.endPageIndex >= from) : this.changes.findLastIndex((c) => c.pageIndex <= from);
      this.select(next >= 0 ? next : direction > 0 ? 0 : this.changes.length - 1);
      return;
    }
    this.select(Math.max(0, Math.min(this.changes.length - 1, this.current + direction)));
  }
}
