// Singular values (no vectors) by Householder bidiagonalisation and dqds / implicit QR on the
// bidiagonal in the WASM core (assembly/bidiag.ts), the way LAPACK's gesdd/gesvd compute them. Internal:
// BIDIAG_QR_RATIO, the status table.
import { core, LinAlgError } from '../core/index.js';
import { checkMatrix, checkShape, padded, type Matrix } from './svd-input.js';

/**
 * Householder QR first when the long side exceeds the short one by more than this factor. By flop
 * count (QR + bidiagonalisation of R: 2k²L + 2k³ against 4k²L − 4k³/3) the two are equal at
 * L = 5k/3, LAPACK's crossover being 1.6; on this core the QR kernel runs at a higher flop rate
 * than the two-sided reduction of a long column set, and measured at k = 400 the QR path wins
 * from L ≈ 1.4k (400×560: 30 ms against 44 ms; 400×480: 27 against 22).
 */
export const BIDIAG_QR_RATIO = 1.4;

/** bidiagValuesF64 status codes; must match assembly/bidiag.ts. */
const STATUS: Readonly<Record<number, string>> = Object.freeze({
  [-1]: 'bidiagonal QR iteration did not converge',
});

export interface BidiagSingularValues {
  /** min(m, n) singular values, descending */
  s: Float64Array;
  path: 'bidiag';
}

/**
 * Singular values of a (m, n) row-major (float64 or float32 entries), descending; a is not modified.
 *
 * @throws TypeError/RangeError for bad sizes, a length ≠ m·n or NaN/±Inf entries;
 *   LinAlgError if the bidiagonal QR iteration does not converge.
 *
 * Notes: the matrix is scaled by 1/max|a_ij| and, in float64, reduced to upper bidiagonal form by
 * Householder reflections from both sides (LAPACK dgebd2's arithmetic; a wide matrix through its
 * transpose; one with L > BIDIAG_QR_RATIO·k first by Householder QR, as dgesdd does). The
 * singular values of the bidiagonal come from dqds (Fernando–Parlett; shifted qd transforms of
 * the squares, simple shifts, no square roots) and, when that declines (an exact zero in the
 * bidiagonal) or stalls, from LAPACK dbdsqr's implicit QR without vectors (Demmel–Kahan
 * zero-shift sweeps when the shift is negligible, else shifted Golub–Kahan steps, relative
 * convergence tests). Both are accurate to a few eps relative to each σ of the bidiagonal; the
 * reduction to it is backward stable, so each computed σ_i of A has an
 * ABSOLUTE error of about c·eps64·σmax with c a modest multiple of max(m, n) — exactly what a rank
 * decision at the tolerance max(m, n)·eps64·σmax needs, and far better than the Gram path's
 * √eps64·σmax. It is not the high RELATIVE accuracy of one-sided Jacobi for σ ≪ σmax: a σ near
 * eps64·σmax (for example the "zero" singular values of a rank-deficient matrix) comes out as
 * rounding noise of that size.
 */
export function bidiagSingularValues(a: Matrix, m: number, n: number): BidiagSingularValues {
  return bidiagFor('bidiagSingularValues', a, m, n);
}

/** bidiagSingularValues() with the calling operation's name in argument errors (internal). */
export function bidiagFor(op: string, a: Matrix, m: number, n: number): BidiagSingularValues {
  checkShape(op, a, m, n);
  const k = Math.min(m, n), L = Math.max(m, n);
  if (k === 0) return { s: new Float64Array(0), path: 'bidiag' };
  const K = core.kernels;
  const s = core.scoped(() => {
    // the entries go in as they are; the scan for max|a| (and non-finite values) and the scaled
    // staging run in the core
    const src = core.alloc(m * n * 8);
    core.f64(src, m * n).set(a);
    const scale = K.maxAbsF64(src, m * n);
    if (!Number.isFinite(scale)) checkMatrix(op, a, m, n); // throws, naming the first bad entry
    if (scale === 0) return new Float64Array(k);
    // X: the short side's vectors as rows (Aᵀ's rows when m ≥ n, A's own rows when m < n)
    const ldL = padded(L, 8);
    const x = core.alloc(k * ldL * 8);
    K.stageF64(src, m, n, m >= n ? 1 : 0, 1 / scale, x, ldL);
    let w = x, ld = ldL, len = L;
    if (L > BIDIAG_QR_RATIO * k) {
      const tau = core.alloc(k * 8), rdiag = core.alloc(k * 8);
      K.qrColumnsF64(x, k, L, ldL, tau, rdiag);
      ld = padded(k, 8);
      len = k;
      w = core.alloc(k * ld * 8);
      K.qrRF64(x, k, k, ldL, rdiag, w, ld); // row j = column j of R: R by columns
    }
    const d = core.alloc(k * 8), e = core.alloc(k * 8);
    const work = core.alloc(K.bidiagWorkElems(k, len) * 8);
    K.bidiagonalizeF64(w, k, len, ld, d, e, work);
    const status = K.bidiagValuesF64(d, e, k, core.alloc(5 * k * 8));
    if (status !== 0) throw new LinAlgError(STATUS[status] ?? `bidiagonal SVD failed (status ${status})`);
    return core.f64(d, k).map((v) => v * scale);
  });
  return { s, path: 'bidiag' };
}
