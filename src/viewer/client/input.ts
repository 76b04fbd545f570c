// Wires the reader's input to the viewer: keyboard shortcuts, zoom gestures, copy from the text
// layer, and the page box's reset when it loses focus. Returns the function that undoes it all.
import { bindGestures } from './gestures.ts';
import { bindKeys, type KeyActions } from './keyboard.ts';
import type { Pages } from './pages.ts';
import { selectedText } from './selection.ts';
import type { Toolbar } from './toolbar.ts';

export interface InputTargets {
  pages: Pages;
  toolbar: Toolbar;
  textOf(pageIndex: number): string | undefined;
  keys: KeyActions;
}

export function bindInput(root: HTMLElement, t: InputTargets): () => void {
  const { pages, toolbar } = t;
  const unbindKeys = bindKeys(root, t.keys);
  const unbindGestures = bindGestures({ scroller: pages.scroller, column: pages.column, zoom: () => pages.zoom, setZoom: (z, p) => pages.setZoom(z, 'custom', p) });
  const onCopy = (e: ClipboardEvent) => {
    const sel = document.getSelection();
    const text = sel && root.contains(sel.anchorNode) ? selectedText(sel, { textOf: t.textOf }) : null;
    if (text === null || !e.clipboardData) return;
    e.clipboardData.setData('text/plain', text);
    e.preventDefault();
  };
  const onBlur = () => toolbar.resetPageInput(pages.current);
  root.addEventListener('copy', onCopy);
  toolbar.pageInput.addEventListener('blur', onBlur);
  return () => {
    unbindKeys();
    unbindGestures();
    root.removeEventListener('copy', onCopy);
    toolbar.pageInput.removeEventListener('blur', onBlur);
  };
}
