// One-sided (Hestenes) Jacobi SVD. The matrix X (len × k, k ≤ len) is stored by columns: k
// contiguous rows of w, stride ld. Plane rotations orthogonalise the rows until every pair
// satisfies |x_i·x_j| ≤ tol·‖x_i‖‖x_j‖ — a test relative to the column norms, which is what keeps
// small singular values accurate to high relative precision (Demmel & Veselić 1992).
// On return row i of w is σ_i·u_i, norms[i] = σ_i (descending) and, if v ≠ 0, row i of v
// (k × ldv) is the right singular vector v_i.
import { dot, rot, swap, scal, axpy, zero } from './vec';

/** Rotations per sweep of the last jacobi call (diagnostics; sweeps beyond 64 are not recorded). */
// A static data segment (below __heap_base): heap objects would sit in the host's arena.
const rotationLog: usize = memory.data(64 * 4);

/** Rotations applied in sweep s (0-based) of the last jacobi call. */
export function jacobiRotations(s: i32): i32 { return s >= 0 && s < 64 ? load<i32>(rotationLog + (<usize>s << 2)) : 0; }

// Per sweep: the largest relative cosine among the pairs rotated and the largest |sin θ| used.
const sweepLog: usize = memory.data(64 * 16);

/** Largest |x_i·x_j|/(‖x_i‖‖x_j‖) over the pairs rotated in sweep s of the last jacobi call. */
export function jacobiMaxCosine(s: i32): f64 { return s >= 0 && s < 64 ? load<f64>(sweepLog + (<usize>s << 4)) : 0; }
/** Largest |sin θ| of the rotations in sweep s of the last jacobi call. */
export function jacobiMaxSine(s: i32): f64 { return s >= 0 && s < 64 ? load<f64>(sweepLog + (<usize>s << 4) + 8) : 0; }

/** Status returned when the sweep limit is reached; keep in step with src/linalg/svd.ts. */
export const NOT_CONVERGED: i32 = -1;

// Bytes of one column block (W rows plus V rows); two blocks should share L2 (2 MiB here).
const BLOCK_BYTES: usize = 768 * 1024;

// Selection sort of the rows of w (and v) by norms[i], descending: k row swaps at most.
function sortRows<T>(w: usize, k: i32, len: i32, rb: usize, v: usize, rv: usize, norms: usize): void {
  for (let i = 0; i < k - 1; i++) {
    let p = i;
    let best = load<f64>(norms + (<usize>i << 3));
    for (let j = i + 1; j < k; j++) {
      const nj = load<f64>(norms + (<usize>j << 3));
      if (nj > best) { best = nj; p = j; }
    }
    if (p != i) {
      swap<T>(w + <usize>i * rb, w + <usize>p * rb, len);
      if (v != 0) swap<T>(v + <usize>i * rv, v + <usize>p * rv, k);
      store<f64>(norms + (<usize>p << 3), load<f64>(norms + (<usize>i << 3)));
      store<f64>(norms + (<usize>i << 3), best);
    }
  }
}

// A column's squared norm after a rotation: the cheap update, or the dot product when the update
// may have lost accuracy; keeps peak (the largest value since the last exact one) up to date.
@inline function updatedNorm<T>(x: usize, len: i32, updated: f64, peak: usize): f64 {
  const p = load<f64>(peak);
  if (updated < 0.25 * p) {
    const exact = dot<T>(x, x, len);
    store<f64>(peak, exact);
    return exact;
  }
  if (updated > p) store<f64>(peak, updated);
  return updated;
}

// Squared norms of the columns into norms; columns whose squared norm is below flush become exact
// zeros (an exactly zero column is orthogonal to everything, and its σ is 0).
function flushTiny<T>(w: usize, k: i32, len: i32, rb: usize, norms: usize, flush: f64): void {
  for (let i = 0; i < k; i++) {
    const x = w + <usize>i * rb;
    let nrm = dot<T>(x, x, len);
    if (nrm < flush) { zero<T>(x, len); nrm = 0; }
    store<f64>(norms + (<usize>i << 3), nrm);
  }
}

function jacobi<T>(w: usize, k: i32, len: i32, ld: i32, v: usize, ldv: i32, tol: f64, maxSweeps: i32, norms: usize): i32 {
  const es = <usize>sizeof<T>();
  const peak = norms + (<usize>k << 3);
  // Below this squared norm the products of two columns fall into T's subnormal range, where the
  // dot product no longer resolves a cosine of tol (len·minNormal/eps: the terms must stay normal
  // down to eps·‖x_i‖‖x_j‖/len). Such a pair was "rotated" each sweep for ever by rounding noise;
  // its columns are flushed to zero instead — for f64 a change of at most ≈ 1.5e-146·√(len·k) in
  // an input scaled to max |a_ij| = 1 (for f32, ≈ 3e-16·√(len·k)).
  const flush: f64 = sizeof<T>() == 8
    ? <f64>len * 2.2250738585072014e-308 / 2.220446049250313e-16
    : <f64>len * 1.1754943508222875e-38 / 1.1920928955078125e-7;
  const rb = <usize>ld * es;
  const rv = <usize>ldv * es;
  if (v != 0) {
    zero<T>(v, k * ldv);
    for (let i = 0; i < k; i++) store<T>(v + <usize>i * rv + <usize>i * es, <T>1);
  }
  const bs = max(4, <i32>(BLOCK_BYTES / ((<usize>len + (v != 0 ? <usize>k : 0)) * es)));
  let sweeps = 0;
  let converged = false;
  while (sweeps < maxSweeps && !converged) {
    sweeps++;
    // Fresh squared norms each sweep; within the sweep they are updated per rotation (updatedNorm).
    flushTiny<T>(w, k, len, rb, norms, flush);
    // de Rijk's idea at sweep granularity: columns sorted by norm, descending. Sweeps converge
    // faster and the output comes out nearly sorted.
    sortRows<T>(w, k, len, rb, v, rv, norms);
    memory.copy(peak, norms, <usize>k << 3);
    let rotations = 0;
    // Largest relative off-diagonal |g|/√(ab) and largest |sin θ| among this sweep's rotations.
    let maxRel: f64 = 0, maxSin: f64 = 0;
    // Block-cyclic order: all pairs (i ∈ I, j ∈ J) of two column blocks that fit in L2 together,
    // so each block is fetched from memory once per block pair instead of once per column.
    for (let i0 = 0; i0 < k; i0 += bs) {
      const i1 = min(i0 + bs, k);
      for (let j0 = i0; j0 < k; j0 += bs) {
        const j1 = min(j0 + bs, k);
        for (let i = i0; i < i1; i++) {
          const xi = w + <usize>i * rb;
          for (let j = j0 == i0 ? i + 1 : j0; j < j1; j++) {
            const a = load<f64>(norms + (<usize>i << 3));
            const b = load<f64>(norms + (<usize>j << 3));
            if (a < flush || b < flush) continue; // zero by the end (flushTiny)
            const xj = w + <usize>j * rb;
            const g = dot<T>(xi, xj, len);
            const scaleAB = Math.sqrt(a) * Math.sqrt(b);
            if (Math.abs(g) <= tol * scaleAB) continue;
            rotations++;
            maxRel = max(maxRel, Math.abs(g) / scaleAB);
            // The rotation that diagonalises [[a, g], [g, b]] (Golub & Van Loan, sym.schur2).
            const zeta = (b - a) / (2 * g);
            const az = Math.abs(zeta);
            const t = (zeta >= 0 ? 1.0 : -1.0) / (az > 1e150 ? 2 * az : az + Math.sqrt(1 + zeta * zeta));
            const c = 1 / Math.sqrt(1 + t * t);
            const sn = c * t;
            maxSin = max(maxSin, Math.abs(sn));
            rot<T>(xi, xj, len, c, sn);
            // The rotation moves t·g of squared norm from x_i to x_j (exact in exact arithmetic).
            // The update's rounding errors are relative to the largest norm the column has had since
            // its norm was last computed (peak), so the shrinking one is recomputed once it falls
            // below peak/4: the stored norm then stays within a few k·eps of the true one, also when
            // a column decays to round-off through many small steps (with the test against the
            // previous value only, the norm of such a column was wrong by orders of magnitude and a
            // pair could be "rotated" each sweep for ever).
            const na = updatedNorm<T>(xi, len, a - t * g, peak + (<usize>i << 3));
            const nb = updatedNorm<T>(xj, len, b + t * g, peak + (<usize>j << 3));
            store<f64>(norms + (<usize>i << 3), na);
            store<f64>(norms + (<usize>j << 3), nb);
            if (v != 0) rot<T>(v + <usize>i * rv, v + <usize>j * rv, k, c, sn);
          }
        }
      }
    }
    if (sweeps <= 64) {
      store<i32>(rotationLog + (<usize>(sweeps - 1) << 2), rotations);
      store<f64>(sweepLog + (<usize>(sweeps - 1) << 4), maxRel);
      store<f64>(sweepLog + (<usize>(sweeps - 1) << 4) + 8, maxSin);
    }
    // Converged when no pair needed a rotation, or when every rotation was so small that it left
    // all pairs within tol: rotating (p, q) with relative cosine γ moves the relative cosine of
    // (p, r) or (q, r) by at most about γ·cos(·, r) ≤ γ·maxRel — independent of the norms, unlike
    // |sin θ|, which is small whenever the norms differ — and at most 2k rotations touch a pair,
    // so with 2k·maxRel² < tol every pair meets the test after the sweep (the rotated ones having
    // just been orthogonalised). This saves the confirming sweep once convergence is quadratic.
    converged = rotations == 0 || 2 * <f64>k * maxRel * maxRel < tol;
  }
  // σ_i = ‖x_i‖, sorted descending (selection sort: k swaps of whole rows).
  flushTiny<T>(w, k, len, rb, norms, flush);
  for (let i = 0; i < k; i++) store<f64>(norms + (<usize>i << 3), Math.sqrt(load<f64>(norms + (<usize>i << 3))));
  sortRows<T>(w, k, len, rb, v, rv, norms);
  return converged ? sweeps : NOT_CONVERGED;
}

// Rows whose norm is 0 or whose reciprocal overflows carry no direction and are zeroed.
function rowsNormalize<T>(w: usize, k: i32, len: i32, ld: i32, norms: usize): i32 {
  const es = <usize>sizeof<T>();
  let zeros = 0;
  for (let i = 0; i < k; i++) {
    const x = w + <usize>i * <usize>ld * es;
    const nrm = load<f64>(norms + (<usize>i << 3));
    const inv = 1 / nrm;
    if (nrm > 0 && isFinite(inv)) scal<T>(x, len, inv);
    else { zero<T>(x, len); zeros++; }
  }
  return zeros;
}

// Replaces zero rows of an otherwise orthonormal set by unit vectors orthogonal to all others:
// the projection of a coordinate vector e_c onto the complement, twice (Gram–Schmidt "twice is
// enough"), accepted when the first projection keeps at least 0.5/√len of its length (some c
// always keeps ≥ 1/√len because the complement is non-trivial).
function rowsComplete<T>(w: usize, k: i32, len: i32, ld: i32): i32 {
  const es = <usize>sizeof<T>();
  const rb = <usize>ld * es;
  const accept = 0.5 / Math.sqrt(<f64>len);
  let cand = 0;
  let filled = 0;
  for (let r = 0; r < k; r++) {
    const x = w + <usize>r * rb;
    if (dot<T>(x, x, len) != 0) continue;
    let tries = 0;
    while (tries < 2 * len) {
      zero<T>(x, len);
      store<T>(x + <usize>(cand % len) * es, <T>1);
      cand++;
      tries++;
      let nrm: f64 = 0;
      for (let pass = 0; pass < 2; pass++) {
        for (let s = 0; s < k; s++) {
          if (s == r) continue;
          const y = w + <usize>s * rb;
          const p = dot<T>(y, x, len);
          if (p != 0) axpy<T>(y, x, len, -p);
        }
        nrm = Math.sqrt(dot<T>(x, x, len));
        if (pass == 0 && nrm < accept) break;
      }
      if (nrm >= accept) { scal<T>(x, len, 1 / nrm); filled++; break; }
    }
    if (tries >= 2 * len) { zero<T>(x, len); return -1; }
  }
  return filled;
}

function transpose<T>(src: usize, m: i32, n: i32, lds: i32, dst: usize, ldd: i32): void {
  const es = <usize>sizeof<T>();
  const B = 16;
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = min(i0 + B, m);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = min(j0 + B, n);
      for (let i = i0; i < i1; i++) {
        const s = src + <usize>i * <usize>lds * es;
        for (let j = j0; j < j1; j++) store<T>(dst + (<usize>j * <usize>ldd + <usize>i) * es, load<T>(s + <usize>j * es));
      }
    }
  }
}

/** Jacobi SVD of X (len × k, columns = rows of w, stride ld); v: 0 or k × ldv; norms: 2k f64, the first k out (σ, descending), the rest scratch. Returns sweeps or NOT_CONVERGED. */
export function jacobiF64(w: usize, k: i32, len: i32, ld: i32, v: usize, ldv: i32, tol: f64, maxSweeps: i32, norms: usize): i32 {
  return jacobi<f64>(w, k, len, ld, v, ldv, tol, maxSweeps, norms);
}
/** float32 jacobiF64 (norms stay f64). */
export function jacobiF32(w: usize, k: i32, len: i32, ld: i32, v: usize, ldv: i32, tol: f64, maxSweeps: i32, norms: usize): i32 {
  return jacobi<f32>(w, k, len, ld, v, ldv, tol, maxSweeps, norms);
}

/** Divides row i of w (k × ld, len used) by norms[i] (f64); zero/denormal rows become 0. Returns how many were zeroed. */
export function rowsNormalizeF64(w: usize, k: i32, len: i32, ld: i32, norms: usize): i32 { return rowsNormalize<f64>(w, k, len, ld, norms); }
/** float32 rowsNormalizeF64. */
export function rowsNormalizeF32(w: usize, k: i32, len: i32, ld: i32, norms: usize): i32 { return rowsNormalize<f32>(w, k, len, ld, norms); }

/** Fills the zero rows of w (k × ld, k ≤ len, other rows orthonormal) with an orthonormal completion. Returns rows filled, −1 on failure. */
export function rowsCompleteF64(w: usize, k: i32, len: i32, ld: i32): i32 { return rowsComplete<f64>(w, k, len, ld); }
/** float32 rowsCompleteF64. */
export function rowsCompleteF32(w: usize, k: i32, len: i32, ld: i32): i32 { return rowsComplete<f32>(w, k, len, ld); }

/** dst (n × ldd) = srcᵀ for src (m × lds); the caller zeroes any padding. */
export function transposeF64(src: usize, m: i32, n: i32, lds: i32, dst: usize, ldd: i32): void { transpose<f64>(src, m, n, lds, dst, ldd); }
/** float32 transposeF64. */
export function transposeF32(src: usize, m: i32, n: i32, lds: i32, dst: usize, ldd: i32): void { transpose<f32>(src, m, n, lds, dst, ldd); }
