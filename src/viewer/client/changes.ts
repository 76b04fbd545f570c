// A comparison session's change list beside the pages: every change with its kind, its text and its
// page; choosing one scrolls the pages to it. Kinds map to the colours the highlights use.
import type { Change } from './api-types.ts';
import { el } from './dom.ts';

export type ChangeKind = 'inserted' | 'deleted' | 'replaced' | 'moved' | 'format';

export function kindOf(type: string): ChangeKind {
  if (type === 'ContentInserted' || type === 'TableCellInserted') return 'inserted';
  if (type === 'ContentDeleted' || type === 'TableCellDeleted') return 'deleted';
  if (type === 'ContentReplaced') return 'replaced';
  if (type === 'ContentMovedFrom' || type === 'ContentMovedTo') return 'moved';
  return 'format';
}

const LABELS: Record<string, string> = {
  ContentInserted: 'Inserted',
  ContentDeleted: 'Deleted',
  ContentReplaced: 'Replaced',
  ContentMovedFrom: 'Moved from',
  ContentMovedTo: 'Moved to',
  TableCellInserted: 'Cell inserted',
  TableCellDeleted: 'Cell deleted',
  TableCellsMerged: 'Cells merged',
  PropertyChanged: 'Formatting',
  StyleChanged: 'Style',
  ParagraphPropertyChanged: 'Paragraph',
  ParagraphNumberChanged: 'Numbering',
  TablePropertyChanged: 'Table',
};

const clip = (s: string, n = 140) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export class ChangeList {
  readonly el: HTMLElement;
  private readonly list: HTMLOListElement;
  private items: HTMLButtonElement[] = [];
  current = -1;

  constructor(id: string, select: (index: number) => void) {
    this.list = el('ol', { class: 'qv-change-list' });
    this.el = el('aside', { class: 'qv-changes', id, 'aria-label': 'Changes', hidden: true }, el('h2', { class: 'qv-changes-title', text: 'Changes' }), this.list);
    this.list.addEventListener('click', (e) => {
      const b = (e.target as Element).closest<HTMLButtonElement>('button.qv-change');
      if (b) select(Number(b.dataset.index));
    });
  }

  setChanges(changes: readonly Change[]): void {
    this.items = changes.map((c, i) => {
      const kind = kindOf(c.type);
      const b = el(
        'button',
        { type: 'button', class: `qv-change qv-change-${kind}` },
        el('span', { class: 'qv-change-type', text: LABELS[c.type] ?? c.type }),
        el('span', { class: 'qv-change-page', text: `page ${c.pageIndex + 1}` }),
        c.originalText !== undefined && el('del', { class: 'qv-change-old', text: clip(c.originalText) }),
        c.text !== undefined && el(kind === 'deleted' || c.type === 'ContentMovedFrom' ? 'del' : kind === 'format' ? 'span' : 'ins', { class: 'qv-change-text', text: clip(c.text) }),
      );
      b.dataset.index = String(i);
      return b;
    });
    this.list.replaceChildren(...this.items.map((b) => el('li', {}, b)));
    this.el.hidden = false;
    if (changes.length === 0) this.list.append(el('li', { class: 'qv-change-none', text: 'The documents are the same.' }));
  }

  setCurrent(index: number): void {
    this.items[this.current]?.removeAttribute('aria-current');
    this.current = index;
    const b = this.items[index];
    if (!b) return;
    b.setAttribute('aria-current', 'true');
    b.scrollIntoView({ block: 'nearest' });
  }
}
