// Highlights drawn over a page (under its text, so selection still works): search hits and
// comparison changes, in the page's own pixel space.
import type { Rect } from './api-types.ts';
import { el, place } from './dom.ts';

export interface Mark {
  rect: Rect;
  cls: string;
}

export function drawMarks(host: HTMLElement, marks: readonly Mark[]): void {
  host.replaceChildren(
    ...marks.map((m) => {
      const d = el('div', { class: m.cls });
      place(d, m.rect.x, m.rect.y, m.rect.width, m.rect.height);
      return d;
    }),
  );
}
