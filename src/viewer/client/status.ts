// The overlay that covers the pages while there is nothing to show: progress while the document is
// converted, or the reason it cannot be shown. Problems are announced as alerts.
import { el } from './dom.ts';
import type { ViewerProblem } from './problems.ts';

export class StatusOverlay {
  readonly el: HTMLDivElement;
  private readonly title: HTMLParagraphElement;
  private readonly detail: HTMLParagraphElement;
  private readonly bar: HTMLDivElement;

  constructor() {
    this.title = el('p', { class: 'qv-status-title' });
    this.detail = el('p', { class: 'qv-status-detail' });
    this.bar = el('div', { class: 'qv-status-bar', 'aria-hidden': 'true' }, el('div'));
    this.el = el('div', { class: 'qv-status', role: 'status', hidden: true }, el('div', { class: 'qv-status-box' }, this.bar, this.title, this.detail));
  }

  progress(title: string, detail = ''): void {
    this.el.hidden = false;
    this.el.setAttribute('role', 'status');
    this.el.dataset.state = 'progress';
    this.bar.hidden = false;
    this.title.textContent = title;
    this.detail.textContent = detail;
  }

  problem(p: ViewerProblem): void {
    this.el.hidden = false;
    this.el.setAttribute('role', 'alert');
    this.el.dataset.state = p.kind;
    this.bar.hidden = true;
    this.title.textContent = p.title;
    this.detail.textContent = p.message;
  }

  hide(): void {
    this.el.hidden = true;
    delete this.el.dataset.state;
  }
}
