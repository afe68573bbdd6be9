// An exact rank argument for overlapping convolutions (used by operator-nullity.ts).
// Order the outputs (i, j) in raster order and call a pixel (y, x) *new* at output (i, j) when
// i is the first output row that reads row y and j the first output column that reads column x.
// Every pixel output (i, j) reads is new at some (i', j') with i' ≤ i and j' ≤ j, and its own new
// pixels are read by no earlier output. So, with M(i, j) = the rows of output (i, j) restricted to
// its new pixels (W at the taps that land on them, per group):
// - forward substitution in raster order recovers every read pixel from A x when every M(i, j)
//   has full column rank: A_img is injective on the read pixels;
// - back substitution in reverse order shows yᵀA = 0 ⇒ y = 0 when every M(i, j) has full row
//   rank: A_img has full row rank.
// The same holds with "last" for "first" on either axis (the axis read backwards). Both are
// proofs (sufficient conditions); when neither orientation works the caller falls back.

/** Per output index along one axis: the kernel taps that land on pixels new at that output. */
export function newTaps(size: number, pad: number, k: number, stride: number, dil: number, out: number, orientation: 'first' | 'last'): number[][] {
  const seen = new Uint8Array(size);
  const taps: number[][] = Array.from({ length: out }, () => []);
  const order = Array.from({ length: out }, (_, i) => (orientation === 'first' ? i : out - 1 - i));
  for (const i of order) {
    for (let t = 0; t < k; t++) {
      const x = i * stride - pad + t * dil;
      if (x >= 0 && x < size && !seen[x]) { seen[x] = 1; taps[i]!.push(t); }
    }
  }
  return taps;
}

/** Distinct new-tap patterns of an axis with how many outputs have each. */
export function tapPatterns(taps: number[][]): { taps: number[]; count: number }[] {
  const m = new Map<string, { taps: number[]; count: number }>();
  for (const t of taps) {
    const key = t.join(',');
    const p = m.get(key);
    if (p) p.count++; else m.set(key, { taps: t, count: 1 });
  }
  return [...m.values()];
}
