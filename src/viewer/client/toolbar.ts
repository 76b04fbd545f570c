// The toolbar: thumbnails, page navigation, zoom, search, comparison changes, print and download.
// It only shows state and forwards the reader's intent to the viewer.
import { button, el, icon, ICONS } from './dom.ts';
import type { ZoomMode } from './zoom.ts';

export type ZoomChoice = number | 'fit-width' | 'fit-page' | 'auto';

export interface ToolbarActions {
  toggleThumbnails(): void;
  previousPage(): void;
  nextPage(): void;
  goToPage(pageNumber: number): void;
  zoomIn(): void;
  zoomOut(): void;
  zoomTo(z: ZoomChoice): void;
  search(query: string, direction: 1 | -1): void;
  clearSearch(): void;
  previousChange(): void;
  nextChange(): void;
  toggleChanges(): void;
  print(): void;
  download(): void;
}

export interface ToolbarOptions {
  print: boolean;
  /** A link the download button opens, or true for a button that only emits the event. */
  download: string | boolean;
  thumbnailsId: string;
  changesId: string;
}

const PRESETS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4];

export class Toolbar {
  readonly el: HTMLDivElement;
  readonly pageInput: HTMLInputElement;
  readonly searchInput: HTMLInputElement;
  readonly thumbsButton: HTMLButtonElement;
  private readonly pageTotal: HTMLSpanElement;
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly zoomSelect: HTMLSelectElement;
  private readonly searchCount: HTMLSpanElement;
  private readonly searchPrev: HTMLButtonElement;
  private readonly searchNext: HTMLButtonElement;
  private readonly changeGroup: HTMLDivElement;
  private readonly changeCount: HTMLSpanElement;
  readonly changesButton: HTMLButtonElement;
  private pageCount = 0;
  /** The reader is typing a page number: updates from scrolling must not overwrite it. */
  private editingPage = false;
  private lastSearch: [string, number, number, boolean] = ['', 0, -1, true];

  constructor(a: ToolbarActions, o: ToolbarOptions) {
    this.thumbsButton = button({ label: 'Thumbnails', icon: ICONS.sidebar, shortcut: 'T', cls: 'qv-thumbs-toggle' });
    this.thumbsButton.setAttribute('aria-expanded', 'false');
    this.thumbsButton.setAttribute('aria-controls', o.thumbnailsId);
    this.thumbsButton.addEventListener('click', () => a.toggleThumbnails());

    this.prev = button({ label: 'Previous page', icon: ICONS.up, shortcut: 'P', cls: 'qv-prev-page' });
    this.prev.addEventListener('click', () => a.previousPage());
    this.next = button({ label: 'Next page', icon: ICONS.down, shortcut: 'N', cls: 'qv-next-page' });
    this.next.addEventListener('click', () => a.nextPage());
    this.pageInput = el('input', { class: 'qv-page-input', type: 'text', inputmode: 'numeric', autocomplete: 'off', 'aria-label': 'Page number', value: '1', size: 4 });
    this.pageInput.addEventListener('input', () => (this.editingPage = true));
    this.pageInput.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      this.editingPage = false;
      const n = Number.parseInt(this.pageInput.value, 10);
      if (Number.isFinite(n)) a.goToPage(n);
    });
    this.pageInput.addEventListener('focus', () => this.pageInput.select());
    this.pageTotal = el('span', { class: 'qv-page-total', text: 'of …' });

    const zoomOut = button({ label: 'Zoom out', icon: ICONS.minus, shortcut: '-', cls: 'qv-zoom-out' });
    zoomOut.addEventListener('click', () => a.zoomOut());
    const zoomIn = button({ label: 'Zoom in', icon: ICONS.plus, shortcut: '+', cls: 'qv-zoom-in' });
    zoomIn.addEventListener('click', () => a.zoomIn());
    this.zoomSelect = el('select', { class: 'qv-zoom-select', 'aria-label': 'Zoom' });
    this.zoomSelect.addEventListener('change', () => {
      const v = this.zoomSelect.value;
      a.zoomTo(v === 'fit-width' || v === 'fit-page' || v === 'auto' ? v : Number(v));
    });
    const fitW = button({ label: 'Fit width', icon: ICONS.fitWidth, shortcut: 'W', cls: 'qv-fit-width' });
    fitW.addEventListener('click', () => a.zoomTo('fit-width'));
    const fitP = button({ label: 'Fit page', icon: ICONS.fitPage, shortcut: 'F', cls: 'qv-fit-page' });
    fitP.addEventListener('click', () => a.zoomTo('fit-page'));

    this.searchInput = el('input', { class: 'qv-search-input', type: 'search', placeholder: 'Search', autocomplete: 'off', 'aria-label': 'Search in document', 'aria-keyshortcuts': 'Control+F' });
    this.searchInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        a.search(this.searchInput.value, e.shiftKey ? -1 : 1);
      } else if (e.key === 'Escape' && this.searchInput.value !== '') {
        e.preventDefault();
        e.stopPropagation();
        this.searchInput.value = '';
        a.clearSearch();
      }
    });
    this.searchInput.addEventListener('search', () => {
      if (this.searchInput.value === '') a.clearSearch();
    });
    this.searchPrev = button({ label: 'Previous result', icon: ICONS.prev, shortcut: 'Shift+F3', cls: 'qv-search-prev' });
    this.searchPrev.addEventListener('click', () => a.search(this.searchInput.value, -1));
    this.searchNext = button({ label: 'Next result', icon: ICONS.next, shortcut: 'F3', cls: 'qv-search-next' });
    this.searchNext.addEventListener('click', () => a.search(this.searchInput.value, 1));
    this.searchCount = el('span', { class: 'qv-search-count', 'aria-live': 'polite' });

    const prevChange = button({ label: 'Previous change', icon: ICONS.prev, shortcut: 'Alt+ArrowUp', cls: 'qv-change-prev' });
    prevChange.addEventListener('click', () => a.previousChange());
    const nextChange = button({ label: 'Next change', icon: ICONS.next, shortcut: 'Alt+ArrowDown', cls: 'qv-change-next' });
    nextChange.addEventListener('click', () => a.nextChange());
    this.changeCount = el('span', { class: 'qv-change-count' });
    this.changesButton = button({ label: 'Change list', icon: ICONS.changes, cls: 'qv-changes-toggle' });
    this.changesButton.setAttribute('aria-expanded', 'true');
    this.changesButton.setAttribute('aria-controls', o.changesId);
    this.changesButton.addEventListener('click', () => a.toggleChanges());
    this.changeGroup = el('div', { class: 'qv-group qv-change-group', role: 'group', 'aria-label': 'Changes', hidden: true }, prevChange, this.changeCount, nextChange, this.changesButton);

    const extras = el('div', { class: 'qv-group qv-extras' });
    if (o.print) {
      const p = button({ label: 'Print', icon: ICONS.print, cls: 'qv-print' });
      p.addEventListener('click', () => a.print());
      extras.append(p);
    }
    if (typeof o.download === 'string') {
      const d = el('a', { class: 'qv-btn qv-download', href: o.download, download: '', 'aria-label': 'Download', title: 'Download', rel: 'noopener' });
      d.append(icon(ICONS.download));
      d.addEventListener('click', () => a.download());
      extras.append(d);
    } else if (o.download) {
      const d = button({ label: 'Download', icon: ICONS.download, cls: 'qv-download' });
      d.addEventListener('click', () => a.download());
      extras.append(d);
    }

    const searchForm = el('div', { class: 'qv-group qv-search', role: 'search' }, this.searchInput, this.searchPrev, this.searchNext, this.searchCount);
    this.el = el(
      'div',
      { class: 'qv-toolbar', role: 'toolbar', 'aria-label': 'Document viewer' },
      el('div', { class: 'qv-group' }, this.thumbsButton),
      el('div', { class: 'qv-group qv-nav', role: 'group', 'aria-label': 'Pages' }, this.prev, this.pageInput, this.pageTotal, this.next),
      el('div', { class: 'qv-group qv-zoom', role: 'group', 'aria-label': 'Zoom' }, zoomOut, this.zoomSelect, zoomIn, fitW, fitP),
      searchForm,
      this.changeGroup,
      extras.childElementCount > 0 && extras,
    );
    // Toolbar buttons are clicked, not focused, by mouse users: keep focus where the reader was.
    this.el.addEventListener('mousedown', (e) => {
      if ((e.target as Element).closest('button')) e.preventDefault();
    });
    this.setSearchState('', 0, -1, true);
    this.setZoom(1, 'auto');
    this.setEnabled(false);
  }

  /** Off until the document is there: controls that cannot act are not offered. */
  setEnabled(on: boolean): void {
    for (const c of Array.from(this.el.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>('button, input, select'))) {
      if (!c.classList.contains('qv-download')) c.disabled = !on;
    }
    this.el.classList.toggle('qv-disabled', !on);
    if (on) this.setSearchState(...this.lastSearch);
  }

  setPage(current: number, count: number, approximate: boolean): void {
    this.pageCount = count;
    if (!this.editingPage) this.pageInput.value = String(current + 1);
    this.pageTotal.textContent = `of ${approximate ? 'about ' : ''}${count}`;
    this.prev.disabled = current <= 0;
    // An approximate count: only the pages the server could answer are listed yet.
    this.next.disabled = approximate || current >= count - 1;
  }

  /** Puts the current page back in the box (after an invalid entry or on blur). */
  resetPageInput(current: number): void {
    this.editingPage = false;
    this.pageInput.value = String(Math.min(current + 1, Math.max(1, this.pageCount)));
  }

  setZoom(zoom: number, mode: ZoomMode | 'auto'): void {
    const pct = (z: number) => `${Math.round(z * 100)}%`;
    const opts: [string, string][] = [
      ['auto', 'Automatic'],
      ['fit-width', 'Fit width'],
      ['fit-page', 'Fit page'],
    ];
    const values = new Set(PRESETS);
    if (mode === 'custom') values.add(zoom);
    for (const z of [...values].sort((x, y) => x - y)) opts.push([String(z), pct(z)]);
    this.zoomSelect.replaceChildren(...opts.map(([v, t]) => el('option', { value: v, text: t })));
    this.zoomSelect.value = mode === 'custom' ? String(zoom) : mode;
    this.zoomSelect.title = pct(zoom);
    this.zoomSelect.dataset.zoom = String(zoom);
  }

  /** current: index of the selected hit, -1 for none. */
  setSearchState(query: string, count: number, current: number, done: boolean): void {
    this.lastSearch = [query, count, current, done];
    const none = query === '';
    this.searchPrev.disabled = count === 0;
    this.searchNext.disabled = count === 0;
    this.searchCount.textContent = none
      ? ''
      : count === 0
        ? done
          ? 'No results'
          : 'Searching…'
        : `${current >= 0 ? `${current + 1} of ` : ''}${count}${done ? '' : '+'} ${count === 1 && done ? 'result' : 'results'}`;
  }

  showChanges(count: number): void {
    this.changeGroup.hidden = count === 0;
    this.setChange(-1, count);
  }

  setChange(current: number, count: number): void {
    this.changeCount.textContent = current >= 0 ? `${current + 1} / ${count}` : `${count} changes`;
  }
}
