// Sequence diff for blocks, words and page text: patience anchoring (elements unique on both sides
// split the problem) with Myers' O(ND) algorithm inside each piece. Myers is capped in edit distance
// so a pathological pair costs bounded time and memory; past the cap a piece is "all deleted, all
// inserted", which is still a correct (if coarse) answer.

export type Edit = { op: 'eq'; a: number; b: number } | { op: 'del'; a: number } | { op: 'ins'; b: number };

export interface DiffOptions {
  /** Largest edit distance Myers explores in one piece. Default 2000. */
  maxD?: number;
}

export function diff(a: readonly string[], b: readonly string[], opts: DiffOptions = {}): Edit[] {
  const out: Edit[] = [];
  piece(a, b, 0, a.length, 0, b.length, opts.maxD ?? 2000, out, 0);
  return out;
}

function piece(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number, maxD: number, out: Edit[], depth: number): void {
  // Common prefix and suffix cost nothing to find and are most of a typical document.
  while (a0 < a1 && b0 < b1 && a[a0] === b[b0]) out.push({ op: 'eq', a: a0++, b: b0++ });
  let s = 0;
  while (a1 - s > a0 && b1 - s > b0 && a[a1 - 1 - s] === b[b1 - 1 - s]) s++;
  const tail: Edit[] = [];
  for (let k = s; k > 0; k--) tail.push({ op: 'eq', a: a1 - k, b: b1 - k });
  a1 -= s;
  b1 -= s;
  if (a0 === a1 || b0 === b1) {
    for (let i = a0; i < a1; i++) out.push({ op: 'del', a: i });
    for (let j = b0; j < b1; j++) out.push({ op: 'ins', b: j });
  } else {
    const anchors = depth < 64 && (a1 - a0) + (b1 - b0) > 64 ? uniqueAnchors(a, b, a0, a1, b0, b1) : [];
    if (anchors.length > 0) {
      let pa = a0;
      let pb = b0;
      for (const [i, j] of anchors) {
        piece(a, b, pa, i, pb, j, maxD, out, depth + 1);
        out.push({ op: 'eq', a: i, b: j });
        pa = i + 1;
        pb = j + 1;
      }
      piece(a, b, pa, a1, pb, b1, maxD, out, depth + 1);
    } else {
      myers(a, b, a0, a1, b0, b1, maxD, out);
    }
  }
  for (const t of tail) out.push(t);
}

/** Pairs (i, j) of elements that occur once in a[a0..a1) and once in b[b0..b1), longest increasing run. */
function uniqueAnchors(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number): [number, number][] {
  const seen = new Map<string, { ca: number; cb: number; ia: number; ib: number }>();
  for (let i = a0; i < a1; i++) {
    const e = seen.get(a[i]!);
    if (e) e.ca++;
    else seen.set(a[i]!, { ca: 1, cb: 0, ia: i, ib: -1 });
  }
  for (let j = b0; j < b1; j++) {
    const e = seen.get(b[j]!);
    if (e) {
      e.cb++;
      e.ib = j;
    }
  }
  const pairs: [number, number][] = [];
  for (const e of seen.values()) if (e.ca === 1 && e.cb === 1) pairs.push([e.ia, e.ib]);
  if (pairs.length === 0) return [];
  pairs.sort((x, y) => x[0] - y[0]);
  // Longest increasing subsequence on j (patience sorting).
  const tails: number[] = [];
  const prev = new Int32Array(pairs.length).fill(-1);
  for (let k = 0; k < pairs.length; k++) {
    const j = pairs[k]![1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < j) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[k] = tails[lo - 1]!;
    tails[lo] = k;
  }
  const lis: [number, number][] = [];
  for (let k = tails[tails.length - 1]!; k >= 0; k = prev[k]!) lis.push(pairs[k]!);
  return lis.reverse();
}

function myers(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number, maxD: number, out: Edit[]): void {
  const n = a1 - a0;
  const m = b1 - b0;
  const max = Math.min(n + m, maxD);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) {
    for (let i = a0; i < a1; i++) out.push({ op: 'del', a: i });
    for (let j = b0; j < b1; j++) out.push({ op: 'ins', b: j });
    return;
  }
  // Walk back through the saved frontiers (trace[d] holds v before step d, for k in -d-1..d+1).
  const rev: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const t = trace[d]!;
    const at = (k: number) => t[k + d + 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const pk = down ? k + 1 : k - 1;
    const px = at(pk);
    const py = px - pk;
    while (x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0)) {
      rev.push({ op: 'eq', a: a0 + --x, b: b0 + --y });
    }
    if (down) rev.push({ op: 'ins', b: b0 + --y });
    else rev.push({ op: 'del', a: a0 + --x });
  }
  while (x > 0 && y > 0) rev.push({ op: 'eq', a: a0 + --x, b: b0 + --y });
  // Within each changed stretch, deletions first: "old then new" reads naturally in a redline.
  const fwd = rev.reverse();
  let i = 0;
  while (i < fwd.length) {
    if (fwd[i]!.op === 'eq') {
      out.push(fwd[i++]!);
      continue;
    }
    const dels: Edit[] = [];
    const ins: Edit[] = [];
    while (i < fwd.length && fwd[i]!.op !== 'eq') (fwd[i]!.op === 'del' ? dels : ins).push(fwd[i++]!);
    out.push(...dels, ...ins);
  }
}
