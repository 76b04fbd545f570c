// Search tasks: asynchronous searches over a session's page text. A task runs page by page in the
// background, so results for the first pages are readable while later pages are still searched.
import { randomBytes } from 'node:crypto';
import { QuireError } from '../domain/errors.ts';
import type { Renderer, RenderTarget } from '../rendering/renderer.ts';
import { findMatches, type SearchTerm, type SearchResult } from './matching.ts';

export interface SearchTask {
  processId: string;
  sessionId: string;
  terms: SearchTerm[];
  state: 'processing' | 'complete' | 'error';
  percentComplete: number;
  errorCode?: string;
  results: SearchResult[];
  pagesWithoutText: number[];
  expiresAt: number;
  cancelled: boolean;
}

const TASK_LIFETIME_MS = 20 * 60_000;
const MAX_TASKS = 1000;
const MAX_RESULTS = 10_000;

export class SearchTasks {
  private readonly tasks = new Map<string, SearchTask>();
  private readonly renderer: Renderer;

  constructor(renderer: Renderer) {
    this.renderer = renderer;
  }

  start(sessionId: string, target: RenderTarget, terms: SearchTerm[]): SearchTask {
    this.evict();
    const task: SearchTask = {
      processId: randomBytes(16).toString('base64url'),
      sessionId,
      terms,
      state: 'processing',
      percentComplete: 0,
      results: [],
      pagesWithoutText: [],
      expiresAt: Date.now() + TASK_LIFETIME_MS,
      cancelled: false,
    };
    this.tasks.set(task.processId, task);
    void this.run(task, target);
    return task;
  }

  get(processId: string): SearchTask {
    const t = this.tasks.get(processId);
    if (!t || t.expiresAt < Date.now()) throw new QuireError('notFound', 'NotFound', 'No search task with this processId');
    return t;
  }

  delete(processId: string): void {
    const t = this.get(processId);
    t.cancelled = true;
    this.tasks.delete(processId);
  }

  private async run(task: SearchTask, target: RenderTarget): Promise<void> {
    try {
      const p = await this.renderer.prepare(target);
      for (let n = 0; n < p.pageCount && !task.cancelled; n++) {
        const page = await this.renderer.text(target, n);
        if (page.text.trim() === '') task.pagesWithoutText.push(n);
        for (const r of findMatches(page, n, task.terms, task.results.length)) {
          if (task.results.length >= MAX_RESULTS) break;
          task.results.push(r);
        }
        task.percentComplete = Math.floor(((n + 1) * 100) / p.pageCount);
      }
      task.state = 'complete';
      task.percentComplete = 100;
    } catch (e) {
      task.state = 'error';
      task.errorCode = e instanceof QuireError ? e.code : 'InternalError';
    }
  }

  private evict(): void {
    const now = Date.now();
    for (const [id, t] of this.tasks) if (t.expiresAt < now) this.tasks.delete(id);
    while (this.tasks.size >= MAX_TASKS) this.tasks.delete(this.tasks.keys().next().value!);
  }
}
