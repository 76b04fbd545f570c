// Keyboard shortcuts, active while focus is inside the viewer. Keys typed into a text box are left
// to it, except the few that belong to the viewer (Ctrl+F, F3, Escape).
export interface KeyActions {
  focusSearch(): void;
  searchStep(direction: 1 | -1): void;
  zoomIn(): void;
  zoomOut(): void;
  zoomReset(): void;
  fitWidth(): void;
  fitPage(): void;
  previousPage(): void;
  nextPage(): void;
  firstPage(): void;
  lastPage(): void;
  toggleThumbnails(): void;
  previousChange(): void;
  nextChange(): void;
  /** True when the pages have no horizontal scrollbar, so left/right can turn pages. */
  arrowsTurnPages(): boolean;
}

export function bindKeys(root: HTMLElement, a: KeyActions): () => void {
  const onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    const typing = target.matches('input, textarea, select, [contenteditable="true"]');
    const mod = e.ctrlKey || e.metaKey;
    let handled = true;
    if (mod && !e.altKey && e.key.toLowerCase() === 'f') a.focusSearch();
    else if (e.key === 'F3' || (mod && e.key.toLowerCase() === 'g')) a.searchStep(e.shiftKey ? -1 : 1);
    else if (mod && (e.key === '+' || e.key === '=')) a.zoomIn();
    else if (mod && e.key === '-') a.zoomOut();
    else if (mod && e.key === '0') a.zoomReset();
    else if (e.altKey && e.key === 'ArrowDown') a.nextChange();
    else if (e.altKey && e.key === 'ArrowUp') a.previousChange();
    else if (typing || mod || e.altKey) handled = false;
    else if (e.key === '+' || e.key === '=') a.zoomIn();
    else if (e.key === '-') a.zoomOut();
    else if (e.key === 'n' || e.key === 'j') a.nextPage();
    else if (e.key === 'p' || e.key === 'k') a.previousPage();
    else if (e.key === 'w') a.fitWidth();
    else if (e.key === 'f') a.fitPage();
    else if (e.key === 't') a.toggleThumbnails();
    else if (e.key === '/') a.focusSearch();
    else if (e.key === 'Home' && !target.closest('.qv-thumbs')) a.firstPage();
    else if (e.key === 'End' && !target.closest('.qv-thumbs')) a.lastPage();
    else if (e.key === 'ArrowRight' && target.closest('.qv-scroll') && a.arrowsTurnPages()) a.nextPage();
    else if (e.key === 'ArrowLeft' && target.closest('.qv-scroll') && a.arrowsTurnPages()) a.previousPage();
    else handled = false;
    if (handled) e.preventDefault();
  };
  root.addEventListener('keydown', onKey);
  return () => root.removeEventListener('keydown', onKey);
}
