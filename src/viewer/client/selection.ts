// Copy: the selected text is read from the page texts themselves (by the character offsets the
// spans carry), so copied text keeps the document's line breaks and nothing the layout adds.
export interface TextSource {
  textOf(pageIndex: number): string | undefined;
}

interface Position {
  page: number;
  index: number;
}

export function selectedText(sel: Selection, src: TextSource): string | null {
  if (sel.rangeCount === 0 || sel.isCollapsed) return null;
  let out = '';
  for (let r = 0; r < sel.rangeCount; r++) {
    const range = sel.getRangeAt(r);
    const a = positionOf(range.startContainer, range.startOffset);
    const b = positionOf(range.endContainer, range.endOffset);
    if (!a || !b) return null;
    for (let p = a.page; p <= b.page; p++) {
      const text = src.textOf(p);
      if (text === undefined) return null;
      out += text.slice(p === a.page ? a.index : 0, p === b.page ? b.index : text.length);
    }
  }
  return out;
}

/** A DOM boundary point inside a text layer → page and character index; null elsewhere. */
function positionOf(node: Node, offset: number): Position | null {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : (node as Element);
  if (!element) return null;
  const layer = element.closest<HTMLElement>('.qv-text');
  if (!layer) return null;
  const page = Number(layer.dataset.page);
  const span = element.closest<HTMLElement>('span[data-s]');
  if (span) {
    const start = Number(span.dataset.s);
    if (node.nodeType === Node.TEXT_NODE) return { page, index: start + offset };
    return { page, index: offset > 0 ? start + (span.textContent?.length ?? 0) : start };
  }
  // A boundary between the layer's children: the next span's start, else the page's end.
  for (let k = offset; k < layer.childNodes.length; k++) {
    const child = layer.childNodes[k] as HTMLElement;
    if (child.dataset?.s !== undefined) return { page, index: Number(child.dataset.s) };
  }
  return { page, index: Number.MAX_SAFE_INTEGER };
}
