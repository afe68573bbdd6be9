// Householder QR for the SVD: the matrix X (len × k, k ≤ len) is stored by columns, i.e. as k
// contiguous rows of `ld` elements, so every reflector touches contiguous memory.
// Reflector j lives in row j from element j on (v[0] = 1 stored explicitly), LAPACK's convention
// H_j = I − tau_j v vᵀ, Q = H_0 H_1 ⋯ H_{k−1}; R's diagonal goes to rdiag, R's strict upper part
// stays in row j, elements 0..j−1 (R[i][j] = row j, element i).
import { dot, axpy, scal, zero } from './vec';
import { gemmT, gemmWorkElems } from './gemm';

// Unblocked path (small problems, and the panels of the blocked one): reflectors are applied to
// trailing columns a panel at a time, one column at a time (the column stays in L1 while the
// panel's NB reflectors stream from L2): the unblocked arithmetic in a cache-friendly order.
const NB = 32;

@inline function applyReflector<T>(v: usize, y: usize, n: i32, tau: f64): void {
  if (tau == 0) return;
  const s = dot<T>(v, y, n);
  axpy<T>(v, y, n, -tau * s);
}

/** Householder vector of x (n elements, in place: v[0] = 1); tau and the new leading entry go to f64 slots. */
export function house<T>(x: usize, n: i32, tau: usize, rdiag: usize): void {
  // A column whose entries are tiny is scaled up by a power of two first (LAPACK's dlarfg rescales
  // the same way): with subnormal squares the norm is wrong, tau·‖v‖² ≠ 2, and the "reflector" is
  // not orthogonal — Q·[Ŵ 0; 0 I] then lost orthogonality on rank-deficient input. v and tau do
  // not depend on the scale; only R's diagonal entry is scaled back.
  let amax: f64 = 0;
  for (let i = 0; i < n; i++) amax = max(amax, Math.abs(<f64>load<T>(x + (<usize>i * sizeof<T>()))));
  const small: f64 = sizeof<T>() == 8 ? 3.054936363499605e-151 /* 2^-500 */ : 8.881784197001252e-16 /* 2^-50 */;
  const up: f64 = sizeof<T>() == 8 ? 4.149515568880993e180 /* 2^600 */ : 1.152921504606847e18 /* 2^60 */;
  let s: f64 = 1;
  while (amax > 0 && amax * s < small) s *= up;
  if (s != 1) scal<T>(x, n, s);
  const alpha = <f64>load<T>(x);
  const tail = n > 1 ? dot<T>(x + sizeof<T>(), x + sizeof<T>(), n - 1) : 0.0;
  if (tail == 0) {
    store<f64>(tau, 0);
    store<f64>(rdiag, alpha / s);
    store<T>(x, <T>1);
    return;
  }
  const norm = Math.sqrt(alpha * alpha + tail);
  const beta = alpha >= 0 ? -norm : norm;
  scal<T>(x + sizeof<T>(), n - 1, 1.0 / (alpha - beta));
  store<T>(x, <T>1);
  store<f64>(tau, (beta - alpha) / beta);
  store<f64>(rdiag, beta / s);
}

// Unblocked factorisation of columns p0..p1−1 (LAPACK dgeqr2) and application of their
// reflectors to columns p1..q1−1, one column at a time.
function qrPanel<T>(w: usize, p0: i32, p1: i32, q1: i32, len: i32, ld: i32, tau: usize, rdiag: usize): void {
  const es = <usize>sizeof<T>();
  const rb = <usize>ld * es;
  for (let j = p0; j < p1; j++) {
    const vj = w + <usize>j * rb + <usize>j * es;
    house<T>(vj, len - j, tau + (<usize>j << 3), rdiag + (<usize>j << 3));
    const tj = load<f64>(tau + (<usize>j << 3));
    for (let r = j + 1; r < p1; r++) applyReflector<T>(vj, w + <usize>r * rb + <usize>j * es, len - j, tj);
  }
  for (let r = p1; r < q1; r++) {
    const row = w + <usize>r * rb;
    for (let j = p0; j < p1; j++) {
      applyReflector<T>(w + <usize>j * rb + <usize>j * es, row + <usize>j * es, len - j, load<f64>(tau + (<usize>j << 3)));
    }
  }
}

@inline function align16(x: usize): usize { return (x + 15) & ~(<usize>15); }
@inline function ldyOf(len: i32): i32 { return (len + 3) & ~3; }

// Blocked workspace, in bytes: Y (nb × ldy), T (nb × nb f64) and its element-type copy, W1 and
// W2 (k × nb each), then the GEMM's packing buffers (bounded by the largest of the three products).
function qrWorkBytes(k: i32, len: i32, nb: i32, es: i32): usize {
  if (nb <= 0) return 0;
  const big = max(len, nb);
  let b = align16(<usize>nb * <usize>ldyOf(len) * es);
  b += align16(<usize>nb * <usize>nb * 8);
  b += align16(<usize>nb * <usize>nb * es);
  b += 2 * align16(<usize>k * <usize>nb * es);
  b += align16(<usize>gemmWorkElems(k, big, big, es) * es);
  return b;
}

// Householder QR, blocked like LAPACK dgeqrf when nb > 0: each panel of nb columns is factored
// unblocked (qrPanel), its reflectors are put in compact WY form Q_p = I − Yᵀ·T·Y (qrWy on the
// panel) and the trailing columns C (rows p1.. of w, elements p0..) get Q_pᵀ as three GEMMs:
// C ← C − ((C·Yᵀ)·T)·Y (row vectors c: cᵀ·Q_p = cᵀ − cᵀ·Yᵀ·T·Y). nb = 0: unblocked, panels of NB
// for cache only.
function qrHouse<T>(w: usize, k: i32, len: i32, ld: i32, tau: usize, rdiag: usize, nb: i32, work: usize): void {
  const es = <usize>sizeof<T>();
  const rb = <usize>ld * es;
  const kr = min(k, len); // reflectors; columns kr..k−1 (a wide X) are only transformed
  if (nb <= 0) {
    for (let p0 = 0; p0 < kr; p0 += NB) qrPanel<T>(w, p0, min(p0 + NB, kr), k, len, ld, tau, rdiag);
    return;
  }
  const ldy = ldyOf(len);
  const yb = work;
  const t64 = yb + align16(<usize>nb * <usize>ldy * es);
  const tt = t64 + align16(<usize>nb * <usize>nb * 8);
  const w1 = tt + align16(<usize>nb * <usize>nb * es);
  const w2 = w1 + align16(<usize>k * <usize>nb * es);
  const gw = w2 + align16(<usize>k * <usize>nb * es);
  for (let p0 = 0; p0 < kr; p0 += nb) {
    const p1 = min(p0 + nb, kr);
    const b = p1 - p0;
    const m = k - p1;
    const n = len - p0;
    const pan = w + <usize>p0 * rb + <usize>p0 * es;
    qrPanel<T>(w, p0, p1, p1, len, ld, tau, rdiag);
    if (m == 0) break;
    qrWy<T>(pan, b, n, ld, tau + (<usize>p0 << 3), yb, ldy, t64);
    let t = t64;
    if (sizeof<T>() != 8) {
      for (let i = 0; i < b * b; i++) store<T>(tt + <usize>i * es, <T>load<f64>(t64 + (<usize>i << 3)));
      t = tt;
    }
    const c = w + <usize>p1 * rb + <usize>p0 * es;
    gemmT<T>(false, true, m, b, n, <T>1, c, ld, yb, ldy, <T>0, w1, b, gw);
    gemmT<T>(false, false, m, b, b, <T>1, w1, b, t, b, <T>0, w2, b, gw);
    gemmT<T>(false, false, m, n, b, <T>-1, w2, b, yb, ldy, <T>1, c, ld, gw);
  }
}

function qrR<T>(w: usize, k: i32, kr: i32, ld: i32, rdiag: usize, out: usize, ldo: i32): void {
  const es = <usize>sizeof<T>();
  for (let j = 0; j < k; j++) {
    const src = w + <usize>j * <usize>ld * es;
    const dst = out + <usize>j * <usize>ldo * es;
    const above = min(j, kr);
    memory.copy(dst, src, <usize>above * es);
    if (j < kr) store<T>(dst + <usize>j * es, <T>load<f64>(rdiag + (<usize>j << 3)));
    const filled = j < kr ? j + 1 : kr;
    zero<T>(dst + <usize>filled * es, ldo - filled);
  }
}

// Row blocks of Y share each reflector while it is in cache.
const RB = 8;

function qrApply<T>(w: usize, k: i32, len: i32, ld: i32, tau: usize, y: usize, rows: i32, ldy: i32): void {
  const es = <usize>sizeof<T>();
  for (let r0 = 0; r0 < rows; r0 += RB) {
    const r1 = min(r0 + RB, rows);
    for (let j = k - 1; j >= 0; j--) {
      const tj = load<f64>(tau + (<usize>j << 3));
      const vj = w + <usize>j * <usize>ld * es + <usize>j * es;
      for (let r = r0; r < r1; r++) applyReflector<T>(vj, y + <usize>r * <usize>ldy * es + <usize>j * es, len - j, tj);
    }
  }
}

// Compact WY form Q = I − Yᵀ·T·Y (Schreiber & Van Loan; LAPACK dlarft, forward, columnwise)
// with the reflectors as the rows of Y, so that Q can be applied to many vectors by GEMM.
function qrWy<T>(w: usize, k: i32, len: i32, ld: i32, tau: usize, y: usize, ldy: i32, t: usize): void {
  const es = <usize>sizeof<T>();
  const yb = <usize>ldy * es;
  for (let j = 0; j < k; j++) {
    const row = y + <usize>j * yb;
    zero<T>(row, j);
    memory.copy(row + <usize>j * es, w + <usize>j * <usize>ld * es + <usize>j * es, <usize>(len - j) * es);
    store<T>(row + <usize>j * es, <T>1);
    zero<T>(row + <usize>len * es, ldy - len);
  }
  const tb = <usize>k << 3;
  zero<f64>(t, k * k);
  for (let j = 0; j < k; j++) {
    const tj = load<f64>(tau + (<usize>j << 3));
    store<f64>(t + <usize>j * tb + (<usize>j << 3), tj);
    if (tj == 0) continue;
    // column j above the diagonal: −τ_j·T[0:j, 0:j]·(Y[0:j]·y_j); Y_i·y_j only over entries ≥ j
    const yj = y + <usize>j * yb + <usize>j * es;
    for (let i = 0; i < j; i++) store<f64>(t + <usize>i * tb + (<usize>j << 3), -tj * dot<T>(y + <usize>i * yb + <usize>j * es, yj, len - j));
    for (let i = 0; i < j; i++) {
      let s: f64 = 0;
      for (let l = i; l < j; l++) s += load<f64>(t + <usize>i * tb + (<usize>l << 3)) * load<f64>(t + <usize>l * tb + (<usize>j << 3));
      store<f64>(t + <usize>i * tb + (<usize>j << 3), s);
    }
  }
}

// Panel width of the blocked QR and the smallest min(k, len) it is used for. Measured (qrHouse
// alone, f64 and f32): blocked wins from two full panels on (576×64 +9%, 256×128 +25%, 3072×768
// 1.6×) and loses with one panel and a partial one (2000×48 −6%).
const QR_NB = 32;
const QR_MIN_K = 2 * QR_NB;

/** Panel width qrHouse should use for X (len × k): 0 (unblocked) for small problems. */
export function qrBlockSize(k: i32, len: i32): i32 {
  return min(k, len) >= QR_MIN_K ? QR_NB : 0;
}

/** Workspace elements (of elemBytes 8 or 4, 16-aligned start) qrHouse needs with panel width nb (0: none). */
export function qrWorkElems(k: i32, len: i32, nb: i32, elemBytes: i32): i32 {
  return <i32>((qrWorkBytes(k, len, nb, elemBytes) + <usize>elemBytes - 1) / <usize>elemBytes);
}

/** Householder QR of X (len×k, columns = the k rows of w, row stride ld elements), in place; tau and rdiag hold min(k, len) f64; nb = panel width of the blocked algorithm (0: unblocked), work holds qrWorkElems(k, len, nb, 8). */
export function qrHouseF64(w: usize, k: i32, len: i32, ld: i32, tau: usize, rdiag: usize, nb: i32, work: usize): void { qrHouse<f64>(w, k, len, ld, tau, rdiag, nb, work); }
/** float32 qrHouseF64 (tau, rdiag stay f64; work holds qrWorkElems(k, len, nb, 4)). */
export function qrHouseF32(w: usize, k: i32, len: i32, ld: i32, tau: usize, rdiag: usize, nb: i32, work: usize): void { qrHouse<f32>(w, k, len, ld, tau, rdiag, nb, work); }

/** Writes R's columns as rows: out (k × ldo) row j = R[0..kr−1][j] (kr = min(k, len)), zero below the diagonal and in the padding. */
export function qrRF64(w: usize, k: i32, kr: i32, ld: i32, rdiag: usize, out: usize, ldo: i32): void { qrR<f64>(w, k, kr, ld, rdiag, out, ldo); }
/** float32 qrRF64. */
export function qrRF32(w: usize, k: i32, kr: i32, ld: i32, rdiag: usize, out: usize, ldo: i32): void { qrR<f32>(w, k, kr, ld, rdiag, out, ldo); }

/** y_r ← Q·y_r for each of `rows` vectors (rows × ldy, length len) with Q from qrHouse. */
export function qrApplyF64(w: usize, k: i32, len: i32, ld: i32, tau: usize, y: usize, rows: i32, ldy: i32): void { qrApply<f64>(w, k, len, ld, tau, y, rows, ldy); }
/** float32 qrApplyF64. */
export function qrApplyF32(w: usize, k: i32, len: i32, ld: i32, tau: usize, y: usize, rows: i32, ldy: i32): void { qrApply<f32>(w, k, len, ld, tau, y, rows, ldy); }

/** Compact WY form of qrHouse's Q = I − Yᵀ·T·Y: y (k × ldy, reflector j as row j, zeros before j), t (k × k f64, upper triangular). */
export function qrWyF64(w: usize, k: i32, len: i32, ld: i32, tau: usize, y: usize, ldy: i32, t: usize): void { qrWy<f64>(w, k, len, ld, tau, y, ldy, t); }
/** float32 qrWyF64 (t stays f64). */
export function qrWyF32(w: usize, k: i32, len: i32, ld: i32, tau: usize, y: usize, ldy: i32, t: usize): void { qrWy<f32>(w, k, len, ld, tau, y, ldy, t); }
