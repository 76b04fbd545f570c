// Pairing the blocks (or rows) deleted in one stretch with those inserted there: a monotone
// matching that maximises total similarity, so an edited paragraph is diffed against its old self.

/** Pairing is quadratic in the stretch; past this many candidate pairs it goes by position. */
const MAX_PAIRING_CELLS = 40_000;

export /** Monotone pairing of deleted with inserted items maximising the total score (0 = never pair). */
function pairBlocks<T>(dels: T[], ins: T[], score: (x: T, y: T) => number): [number, number][] {
  const n = dels.length;
  const m = ins.length;
  if (n === 0 || m === 0) return [];
  if (n * m > MAX_PAIRING_CELLS) {
    const pairs: [number, number][] = [];
    for (let k = 0; k < Math.min(n, m); k++) if (score(dels[k]!, ins[k]!) > 0) pairs.push([k, k]);
    return pairs;
  }
  // dp[i][j]: best total for dels[i..] and ins[j..].
  const dp = Array.from({ length: n + 1 }, () => new Float64Array(m + 1));
  const sc = Array.from({ length: n }, (_, i) => Float64Array.from(ins, (y) => score(dels[i]!, y)));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const s = sc[i]![j]!;
      dp[i]![j] = Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!, s > 0 ? s + dp[i + 1]![j + 1]! : 0);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const s = sc[i]![j]!;
    if (s > 0 && dp[i]![j] === s + dp[i + 1]![j + 1]!) pairs.push([i++, j++]);
    else if (dp[i]![j] === dp[i + 1]![j]) i++;
    else j++;
  }
  return pairs;
}
