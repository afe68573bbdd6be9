// Householder QR with column pivoting (Businger & Golub; LAPACK dgeqp2's norm downdating) of a
// column set X (len × k, columns = the k rows of w, stride ld), and the Frobenius norm of the
// inverse of its triangle — the pieces of a rank-revealing null space that needs no SVD
// (src/linalg/nullspace-qr.ts). Reflectors and R are stored as qrHouse stores them (qr.ts), so
// qrWy/qrApply form Q from them; columns are swapped as whole rows of w (R's part included).
//
// The host drives qrcpStep once per column: V8 runs a WASM function first in its baseline tier
// and switches to optimised code only on a later call, so one long call would run the whole
// O(len·k²) factorisation unoptimised (qrApply, one call, runs 5× slower cold than warm: 147
// against 27 ms for 163 vectors of 768).
import { dot, axpy, swap } from './vec';
import { house } from './qr';

// LAPACK's tol3z = √eps: a downdated norm that lost more than half its digits is recomputed.
const TOL3Z: f64 = 1.4901161193847656e-8;

/** Column norms into vn (2k f64: current estimates, then the values they were last computed at) and perm = 0..k−1. */
export function qrcpInitF64(w: usize, k: i32, len: i32, ld: i32, perm: usize, vn: usize): void {
  const rb = <usize>ld << 3;
  for (let i = 0; i < k; i++) {
    const x = w + <usize>i * rb;
    const nrm = Math.sqrt(dot<f64>(x, x, len));
    store<f64>(vn + (<usize>i << 3), nrm);
    store<f64>(vn + (<usize>(k + i) << 3), nrm);
    store<i32>(perm + (<usize>i << 2), i);
  }
}

/**
 * Step j of the pivoted QR: the column of largest remaining norm is swapped to position j; if its
 * remaining norm (recomputed exactly) is ≤ stop, nothing else changes and 0 is returned (columns
 * j.. are left as the deficient part); else its reflector is formed (tau[j], rdiag[j]) and applied
 * to columns j+1.., whose norms are downdated, and 1 is returned.
 */
export function qrcpStepF64(w: usize, k: i32, len: i32, ld: i32, tau: usize, rdiag: usize, perm: usize, vn: usize, j: i32, stop: f64): i32 {
  const rb = <usize>ld << 3;
  const vn2 = vn + (<usize>k << 3);
  let p = j;
  let best = load<f64>(vn + (<usize>j << 3));
  for (let l = j + 1; l < k; l++) {
    const v = load<f64>(vn + (<usize>l << 3));
    if (v > best) { best = v; p = l; }
  }
  if (p != j) {
    swap<f64>(w + <usize>p * rb, w + <usize>j * rb, len);
    const pi = load<i32>(perm + (<usize>p << 2));
    store<i32>(perm + (<usize>p << 2), load<i32>(perm + (<usize>j << 2)));
    store<i32>(perm + (<usize>j << 2), pi);
    store<f64>(vn + (<usize>p << 3), load<f64>(vn + (<usize>j << 3)));
    store<f64>(vn2 + (<usize>p << 3), load<f64>(vn2 + (<usize>j << 3)));
  }
  const x = w + <usize>j * rb + (<usize>j << 3);
  const n = len - j;
  // the estimate chose the pivot; the stop decision uses the exact remaining norm
  if (n <= 0 || Math.sqrt(dot<f64>(x, x, n)) <= stop) return 0;
  house<f64>(x, n, tau + (<usize>j << 3), rdiag + (<usize>j << 3));
  const tj = load<f64>(tau + (<usize>j << 3));
  for (let l = j + 1; l < k; l++) {
    const y = w + <usize>l * rb + (<usize>j << 3);
    if (tj != 0) axpy<f64>(x, y, n, -tj * dot<f64>(x, y, n));
    const v1 = load<f64>(vn + (<usize>l << 3));
    if (v1 == 0) continue;
    const r = Math.abs(load<f64>(y)) / v1;
    const t = max(0.0, (1 + r) * (1 - r));
    const v2 = load<f64>(vn2 + (<usize>l << 3));
    const q = v1 / v2;
    if (t * q * q <= TOL3Z) {
      const e = n > 1 ? Math.sqrt(dot<f64>(y + 8, y + 8, n - 1)) : 0.0;
      store<f64>(vn + (<usize>l << 3), e);
      store<f64>(vn2 + (<usize>l << 3), e);
    } else {
      store<f64>(vn + (<usize>l << 3), v1 * Math.sqrt(t));
    }
  }
  return 1;
}

// Right-hand sides solved together: each column of R is read once per group, from L1.
const G = 8;

/**
 * ‖R⁻¹‖_F² for the r × r upper triangle R of qrHouse/qrcpStep's layout (column j = row j of w,
 * elements 0..j−1 above the diagonal, rdiag[j] on it); work holds G·r f64. Columns c0..c1−1 of
 * R⁻¹ only (the host calls it in slices, for the tiering reason above); Infinity if a diagonal
 * entry is 0.
 */
export function triInvFrobF64(w: usize, r: i32, ld: i32, rdiag: usize, work: usize, c0: i32, c1: i32): f64 {
  const rb = <usize>ld << 3;
  const wb = <usize>r << 3;
  let sum: f64 = 0;
  for (let g0 = c0; g0 < c1; g0 += G) {
    const g1 = min(g0 + G, c1);
    // column c of R⁻¹: R x = e_c by column-oriented back substitution (x_i = b_i / R_ii, then
    // b[0..i) −= x_i·R[0..i)[i]: an axpy along the contiguous column i)
    for (let c = g0; c < g1; c++) {
      const b = work + <usize>(c - g0) * wb;
      memory.fill(b, 0, <usize>(c + 1) << 3);
      store<f64>(b + (<usize>c << 3), 1);
    }
    for (let i = g1 - 1; i >= 0; i--) {
      const col = w + <usize>i * rb;
      const d = load<f64>(rdiag + (<usize>i << 3));
      if (d == 0) return Infinity;
      for (let c = max(g0, i); c < g1; c++) {
        const b = work + <usize>(c - g0) * wb;
        const xi = load<f64>(b + (<usize>i << 3)) / d;
        store<f64>(b + (<usize>i << 3), xi);
        sum += xi * xi;
        if (xi != 0 && i > 0) axpy<f64>(col, b, i, -xi);
      }
    }
  }
  return sum;
}

/** √(‖A‖₁·‖A‖_∞) for A (m × n, row stride ld), an upper bound of ‖A‖₂ (Hölder); work holds n f64. */
export function normOneInfF64(a: usize, m: i32, n: i32, ld: i32, work: usize): f64 {
  memory.fill(work, 0, <usize>n << 3);
  let inf: f64 = 0;
  for (let i = 0; i < m; i++) {
    const row = a + (<usize>i * <usize>ld << 3);
    let s: f64 = 0;
    for (let j = 0; j < n; j++) {
      const v = Math.abs(load<f64>(row + (<usize>j << 3)));
      s += v;
      store<f64>(work + (<usize>j << 3), load<f64>(work + (<usize>j << 3)) + v);
    }
    inf = max(inf, s);
  }
  let one: f64 = 0;
  for (let j = 0; j < n; j++) one = max(one, load<f64>(work + (<usize>j << 3)));
  return Math.sqrt(one * inf);
}
