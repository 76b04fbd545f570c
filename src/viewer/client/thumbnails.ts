// The thumbnails panel: one button per page, images loaded only when scrolled into the panel, the
// current page marked; arrow keys move between thumbnails (one tab stop for the whole list).
import type { QuireClient } from './api.ts';
import { el } from './dom.ts';

/** Thumbnails are drawn this wide (CSS px) and asked for at twice that, for sharp screens. */
const THUMB_WIDTH = 120;

export class Thumbnails {
  readonly el: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly items: HTMLButtonElement[] = [];
  private readonly observer: IntersectionObserver;
  private readonly client: QuireClient;
  private readonly go: (index: number) => void;
  private current = -1;
  private aspect = 1.294;

  constructor(id: string, client: QuireClient, go: (index: number) => void) {
    this.client = client;
    this.go = go;
    this.list = el('ol', { class: 'qv-thumb-list' });
    this.el = el('nav', { class: 'qv-thumbs', id, 'aria-label': 'Page thumbnails', hidden: true }, this.list);
    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), { root: this.el, rootMargin: '50% 0px' });
    this.list.addEventListener('keydown', (e) => this.onKey(e));
  }

  get open(): boolean {
    return !this.el.hidden;
  }

  setOpen(open: boolean): void {
    this.el.hidden = !open;
    if (open) this.items[this.current]?.scrollIntoView({ block: 'nearest' });
  }

  setPages(count: number, pageWidth: number, pageHeight: number): void {
    this.aspect = pageHeight / pageWidth;
    for (let i = this.items.length; i < count; i++) {
      const b = el('button', { type: 'button', class: 'qv-thumb', tabindex: '-1', 'aria-label': `Page ${i + 1}` }, el('span', { class: 'qv-thumb-img' }), el('span', { class: 'qv-thumb-label', text: String(i + 1), 'aria-hidden': 'true' }));
      b.dataset.page = String(i);
      const frame = b.firstElementChild as HTMLElement;
      frame.style.width = `${THUMB_WIDTH}px`;
      frame.style.height = `${Math.round(THUMB_WIDTH * this.aspect)}px`;
      b.addEventListener('click', () => this.go(i));
      this.items.push(b);
      this.list.append(el('li', {}, b));
      this.observer.observe(b);
    }
    if (this.current < 0) this.setCurrent(0);
  }

  setCurrent(index: number): void {
    const old = this.items[this.current];
    if (old) {
      old.removeAttribute('aria-current');
      old.tabIndex = -1;
    }
    this.current = index;
    const b = this.items[index];
    if (!b) return;
    b.setAttribute('aria-current', 'page');
    b.tabIndex = 0;
    if (this.open && !this.el.contains(document.activeElement)) b.scrollIntoView({ block: 'nearest' });
  }

  private onIntersect(entries: IntersectionObserverEntry[]): void {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      const b = e.target as HTMLButtonElement;
      this.observer.unobserve(b);
      const i = Number(b.dataset.page);
      const w = THUMB_WIDTH * 2;
      const img = el('img', { alt: '', draggable: 'false', src: this.client.thumbnailUrl(i, w, Math.round(w * this.aspect)) });
      img.decoding = 'async';
      b.firstElementChild!.append(img);
    }
  }

  private onKey(e: KeyboardEvent): void {
    const i = this.items.indexOf(e.target as HTMLButtonElement);
    if (i < 0) return;
    const to = e.key === 'ArrowDown' || e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowUp' || e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? this.items.length - 1 : -2;
    if (to === -2) return;
    e.preventDefault();
    const b = this.items[Math.max(0, Math.min(to, this.items.length - 1))];
    if (!b) return;
    b.focus();
    b.click();
  }

  destroy(): void {
    this.observer.disconnect();
  }
}
