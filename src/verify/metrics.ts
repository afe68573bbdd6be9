// Difference measures between two tensors of the same length: relative L2, max abs, top-k and
// argmax agreement. Plain loops over typed arrays (bookkeeping, not numeric kernels).

/** Any tensor's values: Float32Array, Float64Array or a plain array. */
export type Values = ArrayLike<number>;

/**
 * Relative L2 difference ‖a − b‖ / max(‖a‖, ‖b‖), accumulated in float64.
 * Notes: symmetric, in [0, 2]; 0 when both are zero. Scaled sums avoid overflow of squares.
 */
export function relativeL2(a: Values, b: Values): number {
  if (a.length !== b.length) throw new RangeError(`relativeL2: lengths differ (${a.length} and ${b.length})`);
  const d = norm2((i) => a[i]! - b[i]!, a.length);
  if (d === 0) return 0;
  const na = norm2((i) => a[i]!, a.length);
  const nb = norm2((i) => b[i]!, b.length);
  return d / Math.max(na, nb);
}

/** max_i |a_i − b_i| (0 for empty inputs). */
export function maxAbs(a: Values, b: Values): number {
  if (a.length !== b.length) throw new RangeError(`maxAbs: lengths differ (${a.length} and ${b.length})`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > m || Number.isNaN(d)) m = d;
  }
  return m;
}

/** Euclidean norm of n values given by f, with scaling (LAPACK dnrm2's idea) against overflow. */
export function norm2(f: (i: number) => number, n: number): number {
  let scale = 0, ssq = 1;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(f(i));
    if (v === 0) continue;
    if (Number.isNaN(v)) return NaN;
    if (scale < v) { ssq = 1 + ssq * (scale / v) ** 2; scale = v; } else ssq += (v / scale) ** 2;
  }
  return scale * Math.sqrt(ssq);
}

/** Indices of the k largest values among v[offset + j·stride], j < len, largest first (ties: lower index first). */
export function topK(v: Values, k: number, offset = 0, len = v.length, stride = 1): number[] {
  const idx = Array.from({ length: len }, (_, j) => j);
  idx.sort((p, q) => (v[offset + q * stride]! - v[offset + p * stride]!) || p - q);
  return idx.slice(0, Math.min(k, len));
}

/** Index of the largest value among v[offset + j·stride], j < len (first on ties). */
export function argmax(v: Values, offset = 0, len = v.length, stride = 1): number {
  let best = 0, bv = -Infinity;
  for (let j = 0; j < len; j++) {
    const x = v[offset + j * stride]!;
    if (x > bv) { bv = x; best = j; }
  }
  return best;
}
