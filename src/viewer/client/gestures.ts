// Zoom gestures: two-finger pinch on touch screens (previewed with a transform, applied at the end)
// and Ctrl+wheel, which is also what trackpads send for a pinch. One-finger scrolling stays native.
export interface GestureTarget {
  scroller: HTMLElement;
  column: HTMLElement;
  zoom(): number;
  /** point: in the scroller's client box. */
  setZoom(z: number, point: { x: number; y: number }): void;
}

export function bindGestures(t: GestureTarget): () => void {
  let start: { dist: number; zoom: number; x: number; y: number } | null = null;
  let scale = 1;
  const dist = (e: TouchEvent) => Math.hypot(e.touches[0]!.clientX - e.touches[1]!.clientX, e.touches[0]!.clientY - e.touches[1]!.clientY);
  const mid = (e: TouchEvent) => {
    const r = t.scroller.getBoundingClientRect();
    return { x: (e.touches[0]!.clientX + e.touches[1]!.clientX) / 2 - r.left, y: (e.touches[0]!.clientY + e.touches[1]!.clientY) / 2 - r.top };
  };
  const onStart = (e: TouchEvent) => {
    if (e.touches.length !== 2) return;
    const m = mid(e);
    start = { dist: dist(e), zoom: t.zoom(), ...m };
    scale = 1;
  };
  const onMove = (e: TouchEvent) => {
    if (!start || e.touches.length !== 2) return;
    e.preventDefault();
    scale = dist(e) / start.dist;
    const ox = t.scroller.scrollLeft + start.x;
    const oy = t.scroller.scrollTop + start.y;
    t.column.style.transformOrigin = `${ox}px ${oy}px`;
    t.column.style.transform = `scale(${scale})`;
  };
  const onEnd = () => {
    if (!start) return;
    t.column.style.transform = '';
    const s = start;
    start = null;
    if (Math.abs(scale - 1) > 0.02) t.setZoom(s.zoom * scale, { x: s.x, y: s.y });
  };
  const onWheel = (e: WheelEvent) => {
    if (!e.ctrlKey) return;
    e.preventDefault();
    const r = t.scroller.getBoundingClientRect();
    t.setZoom(t.zoom() * Math.exp(-e.deltaY / 300), { x: e.clientX - r.left, y: e.clientY - r.top });
  };
  const s = t.scroller;
  s.addEventListener('touchstart', onStart, { passive: true });
  s.addEventListener('touchmove', onMove, { passive: false });
  s.addEventListener('touchend', onEnd);
  s.addEventListener('touchcancel', onEnd);
  s.addEventListener('wheel', onWheel, { passive: false });
  return () => {
    s.removeEventListener('touchstart', onStart);
    s.removeEventListener('touchmove', onMove);
    s.removeEventListener('touchend', onEnd);
    s.removeEventListener('touchcancel', onEnd);
    s.removeEventListener('wheel', onWheel);
  };
}
