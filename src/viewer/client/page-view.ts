// One page in the scroll: a placeholder of the page's size (known or assumed) that receives its image,
// then a layer in the page's own pixel space (scaled by the zoom) holding highlights and the text.
import { el } from './dom.ts';

export class PageView {
  readonly index: number;
  readonly el: HTMLDivElement;
  /** Page-space layer: 1 unit = 1 page pixel; the stylesheet scales it by --qv-zoom. */
  readonly layer: HTMLDivElement;
  readonly marks: HTMLDivElement;
  readonly textEl: HTMLDivElement;
  width: number;
  height: number;
  /** The size came from the server for this page (not assumed from page 1). */
  exact = false;
  img: HTMLImageElement | null = null;
  imgUrl = '';
  painted = false;
  textShown = false;

  constructor(index: number, width: number, height: number) {
    this.index = index;
    this.width = width;
    this.height = height;
    this.marks = el('div', { class: 'qv-marks', 'aria-hidden': 'true' });
    this.textEl = el('div', { class: 'qv-text' });
    this.textEl.dataset.page = String(index);
    this.layer = el('div', { class: 'qv-layer' }, this.marks, this.textEl);
    this.el = el('div', { class: 'qv-page', role: 'group', 'aria-roledescription': 'page' }, this.layer);
    this.el.dataset.page = String(index);
    this.applySize();
  }

  setLabel(pageCount: number, approximate: boolean): void {
    this.el.setAttribute('aria-label', `Page ${this.index + 1} of ${approximate ? 'about ' : ''}${pageCount}`);
  }

  /** True when the size changed (the caller keeps the scroll position steady). */
  setSize(width: number, height: number): boolean {
    this.exact = true;
    if (Math.abs(width - this.width) < 0.5 && Math.abs(height - this.height) < 0.5) return false;
    this.width = width;
    this.height = height;
    this.applySize();
    return true;
  }

  private applySize(): void {
    this.el.style.setProperty('--qv-w', String(this.width));
    this.el.style.setProperty('--qv-h', String(this.height));
  }

  showImage(url: string, onLoad: (img: HTMLImageElement) => void, onError: () => void, urgent = false): void {
    if (this.imgUrl === url) return;
    const img = el('img', { class: 'qv-page-img', alt: '', draggable: 'false' });
    img.decoding = 'async';
    if (urgent) img.fetchPriority = 'high';
    img.addEventListener('load', () => {
      if (this.img !== img) return;
      // The previous image (a raster at another scale) stays until this one is ready.
      for (const old of Array.from(this.el.querySelectorAll('img.qv-page-img'))) if (old !== img) old.remove();
      this.painted = true;
      this.el.classList.add('qv-painted');
      onLoad(img);
    });
    img.addEventListener('error', () => {
      if (this.img === img) onError();
    });
    img.src = url;
    this.img = img;
    this.imgUrl = url;
    this.el.insertBefore(img, this.layer);
  }

  /** Frees the image (cancelling its download if it is still loading) and the text spans; the page keeps its size. */
  unload(): void {
    for (const old of Array.from(this.el.querySelectorAll('img.qv-page-img'))) {
      old.removeAttribute('src');
      old.remove();
    }
    this.img = null;
    this.imgUrl = '';
    this.painted = false;
    this.el.classList.remove('qv-painted', 'qv-failed');
    this.textEl.replaceChildren();
    this.marks.replaceChildren();
    this.textShown = false;
  }
}
