// A search: one server search task, its results streamed in pages (continueToken) while the server
// is still searching, indexed by page for drawing. A new search cancels the previous one.
import type { QuireClient } from './api.ts';
import type { SearchHit } from './api-types.ts';

export interface SearchUpdate {
  query: string;
  hits: readonly SearchHit[];
  done: boolean;
  failed: boolean;
}

export class Search {
  readonly query: string;
  readonly hits: SearchHit[] = [];
  done = false;
  failed = false;
  private readonly byPage = new Map<number, number[]>();
  private readonly abort = new AbortController();
  private processId: string | undefined;

  constructor(client: QuireClient, query: string, onUpdate: (u: SearchUpdate) => void) {
    this.query = query;
    void this.run(client, onUpdate);
  }

  /** Indexes (into hits) of the hits on a page. */
  onPage(pageIndex: number): readonly number[] {
    return this.byPage.get(pageIndex) ?? [];
  }

  private async run(client: QuireClient, onUpdate: (u: SearchUpdate) => void): Promise<void> {
    const signal = this.abort.signal;
    const update = () => onUpdate({ query: this.query, hits: this.hits, done: this.done, failed: this.failed });
    try {
      this.processId = await client.startSearch(this.query, signal);
      let token: string | undefined;
      let wait = 100;
      for (;;) {
        const r = await client.searchResults(this.processId, token, signal);
        for (const hit of r.results) {
          const list = this.byPage.get(hit.pageIndex) ?? [];
          list.push(this.hits.length);
          this.byPage.set(hit.pageIndex, list);
          this.hits.push(hit);
        }
        if (r.state === 'error') this.failed = true;
        if (r.continueToken === undefined || r.state === 'error') break;
        if (r.results.length > 0) update();
        token = r.continueToken;
        if (r.results.length === 0) {
          await new Promise((res) => setTimeout(res, wait));
          wait = Math.min(wait * 2, 800);
        }
      }
    } catch {
      if (signal.aborted) return;
      this.failed = true;
    }
    if (signal.aborted) return;
    this.done = true;
    update();
  }

  cancel(client: QuireClient): void {
    this.abort.abort();
    if (this.processId && !this.done) client.deleteSearch(this.processId);
  }
}
