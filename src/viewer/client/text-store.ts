// Page texts, fetched in batches of neighbouring pages and kept. Pages the server has not converted
// yet are missing from its answer; they are asked for again a moment later.
import type { QuireClient } from './api.ts';
import type { PageText } from './api-types.ts';

const BATCH = 8;
const RETRY_MS = 1000;
/** A page whose text still fails after this many tries stays an image without text. */
const MAX_TRIES = 10;

export class TextStore {
  private readonly client: QuireClient;
  private readonly pages = new Map<number, PageText>();
  private readonly waiting = new Map<number, ((t: PageText) => void)[]>();
  private readonly inFlight = new Set<number>();
  private readonly tries = new Map<number, number>();
  private queued = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly abort = new AbortController();
  private readonly pageCount: () => number;

  constructor(client: QuireClient, pageCount: () => number) {
    this.client = client;
    this.pageCount = pageCount;
  }

  get(index: number): PageText | undefined {
    return this.pages.get(index);
  }

  /** Resolves when the page's text is known; requests from the same moment share batches. */
  request(index: number): Promise<PageText> {
    const known = this.pages.get(index);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const list = this.waiting.get(index) ?? [];
      list.push(resolve);
      this.waiting.set(index, list);
      if (!this.inFlight.has(index)) this.queue(index, 0);
    });
  }

  private queue(index: number, delay: number): void {
    this.queued.add(index);
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    this.timer = undefined;
    const wanted = [...this.queued].filter((i) => !this.pages.has(i) && !this.inFlight.has(i)).sort((a, b) => a - b);
    this.queued = new Set();
    // Consecutive runs, each at most BATCH pages.
    let k = 0;
    while (k < wanted.length) {
      const first = wanted[k]!;
      let last = first;
      while (k + 1 < wanted.length && wanted[k + 1] === last + 1 && last - first + 1 < BATCH) last = wanted[++k]!;
      k++;
      void this.fetchRange(first, Math.min(last, this.pageCount() - 1));
    }
  }

  private async fetchRange(first: number, last: number): Promise<void> {
    for (let i = first; i <= last; i++) this.inFlight.add(i);
    let got: PageText[] = [];
    try {
      got = await this.client.text(first, last, this.abort.signal);
    } catch {
      if (this.abort.signal.aborted) return;
      // Text is an extra: a failure leaves the page readable as an image, and it is tried again later.
    }
    for (let i = first; i <= last; i++) this.inFlight.delete(i);
    for (const p of got) {
      this.pages.set(p.number, p);
      for (const resolve of this.waiting.get(p.number) ?? []) resolve(p);
      this.waiting.delete(p.number);
    }
    if (this.abort.signal.aborted) return;
    for (let i = first; i <= last; i++) {
      if (this.pages.has(i) || !this.waiting.has(i)) continue;
      const n = (this.tries.get(i) ?? 0) + 1;
      this.tries.set(i, n);
      if (n < MAX_TRIES) this.queue(i, RETRY_MS * Math.min(n, 5));
    }
  }

  destroy(): void {
    this.abort.abort();
    clearTimeout(this.timer);
    this.waiting.clear();
  }
}
