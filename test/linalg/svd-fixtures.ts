// Test fixtures for the SVD family: random orthogonal factors (QR of a Gaussian matrix, signs
// fixed), matrices U·diag(s)·Vᵀ with prescribed singular values, and naive reference loops.
import { qr } from '../../src/linalg/qr.js';
import { randn } from '../../src/linalg/random.js';

/** (n, n) row-major orthogonal matrix, Haar-distributed (QR of a Gaussian, R's diagonal made positive). */
export function orthogonal(n: number, seed: number): Float64Array {
  const { q, r } = qr(randn(n * n, seed), n, n);
  for (let j = 0; j < n; j++) if (r[j * n + j]! < 0) for (let i = 0; i < n; i++) q[i * n + j] = -q[i * n + j]!;
  return q;
}

/** (m, n) row-major U·diag(s)·Vᵀ with random orthogonal U (m×m), V (n×n); s has min(m, n) entries. */
export function withSingularValues(m: number, n: number, s: ArrayLike<number>, seed: number): Float64Array {
  const u = orthogonal(m, seed), v = orthogonal(n, seed + 1000);
  const k = Math.min(m, n);
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let t = 0;
      for (let l = 0; l < k; l++) t += u[i * m + l]! * s[l]! * v[j * n + l]!;
      a[i * n + j] = t;
    }
  }
  return a;
}

export function frob(a: ArrayLike<number>): number {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i]! ** 2;
  return Math.sqrt(t);
}

/** ‖A − U·diag(s)·Vᵀ[:k]‖_F / ‖A‖_F with u (m, k), vt (n, n). */
export function residual(a: ArrayLike<number>, m: number, n: number, u: ArrayLike<number>, s: ArrayLike<number>, vt: ArrayLike<number>): number {
  const k = Math.min(m, n);
  // Entries are divided by max |a_ij| before squaring: with an entry near 1e300 an absolute
  // error of eps·1e300 would overflow when squared.
  let big = 0;
  for (let i = 0; i < m * n; i++) big = Math.max(big, Math.abs(a[i]!));
  const sc = big === 0 ? 1 : big;
  let err = 0, na = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let t = 0;
      for (let l = 0; l < k; l++) t += u[i * k + l]! * s[l]! * vt[l * n + j]!;
      err += ((t - a[i * n + j]!) / sc) ** 2;
      na += (a[i * n + j]! / sc) ** 2;
    }
  }
  return na === 0 ? Math.sqrt(err) : Math.sqrt(err / na);
}

/** max |XXᵀ − I| for x (r, c) row-major (orthonormal rows). */
export function rowOrthogonality(x: ArrayLike<number>, r: number, c: number): number {
  let worst = 0;
  for (let i = 0; i < r; i++) {
    for (let j = i; j < r; j++) {
      let t = 0;
      for (let l = 0; l < c; l++) t += x[i * c + l]! * x[j * c + l]!;
      worst = Math.max(worst, Math.abs(t - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

/** max |XᵀX − I| for x (r, c) row-major (orthonormal columns). */
export function colOrthogonality(x: ArrayLike<number>, r: number, c: number): number {
  let worst = 0;
  for (let i = 0; i < c; i++) {
    for (let j = i; j < c; j++) {
      let t = 0;
      for (let l = 0; l < r; l++) t += x[l * c + i]! * x[l * c + j]!;
      worst = Math.max(worst, Math.abs(t - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

/** ‖A·v‖₂ for v (n). */
export function applyNorm(a: ArrayLike<number>, m: number, n: number, v: ArrayLike<number>, offset = 0): number {
  let t = 0;
  for (let i = 0; i < m; i++) {
    let y = 0;
    for (let j = 0; j < n; j++) y += a[i * n + j]! * v[offset + j]!;
    t += y * y;
  }
  return Math.sqrt(t);
}

/** Largest relative difference max_i |x_i − y_i| / |y_i|. */
export function maxRel(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let w = 0;
  for (let i = 0; i < y.length; i++) w = Math.max(w, Math.abs(x[i]! - y[i]!) / Math.abs(y[i]!));
  return w;
}

/** s_i = 10^(−e·i/(k−1)), i < k: graded from 1 down to 10^−e. */
export function graded(k: number, e: number): Float64Array {
  return Float64Array.from({ length: k }, (_, i) => (k === 1 ? 1 : 10 ** ((-e * i) / (k - 1))));
}
