// Householder QR A = Q·R in the WASM core (the same kernel that reduces tall matrices before Jacobi).
import { core } from '../core/index.js';
import { checkMatrix, padded, precisionOf, PRECISIONS, stageRows, type Matrix } from './svd-input.js';
import { readRows, svdKernels } from './svd-kernels.js';

export interface QrResult {
  /** (m, k) row-major with orthonormal columns, k = min(m, n) */
  q: Float64Array;
  /** (k, n) row-major, upper triangular (trapezoidal when n > m) */
  r: Float64Array;
}

/**
 * Reduced QR of a (m, n) row-major: q (m, k) with orthonormal columns, r (k, n) upper
 * triangular, k = min(m, n). The diagonal of r is not sign-normalised (LAPACK's convention).
 *
 * @throws TypeError/RangeError for bad sizes, a length ≠ m·n or NaN/±Inf entries.
 *
 * Notes: blocked Householder QR (LAPACK dgeqrf): panels of 32 columns are factored column by
 * column and the trailing columns updated with the panel's compact WY form by three GEMMs; small
 * problems (min(m, n) < 64) stay unblocked. Q is formed by applying the reflectors to the first
 * k unit vectors (dorg2r).
 */
export function qr(a: Matrix, m: number, n: number, opts: { precision?: 'f64' | 'f32' } = {}): QrResult {
  const prec = precisionOf('qr precision', opts.precision);
  checkMatrix('qr', a, m, n);
  const k = Math.min(m, n);
  if (k === 0) return { q: new Float64Array(m * k), r: new Float64Array(k * n) };
  const K = svdKernels(prec);
  const es = PRECISIONS[prec].bytes;
  return core.scoped(() => {
    const ldm = padded(m, es);
    const src = stageRows(a, m, n, n, 1, prec);
    const x = K.zeros(n * ldm);
    K.transpose(src, m, n, n, x, ldm); // columns of A as rows
    const tau = core.alloc(k * 8), rdiag = core.alloc(k * 8);
    K.qrHouse(x, n, m, ldm, tau, rdiag);
    const rt = K.zeros(n * k); // row j = column j of R
    K.qrR(x, n, k, ldm, rdiag, rt, k);
    const r = K.zeros(k * n);
    K.transpose(rt, n, k, k, r, n);
    const y = K.zeros(k * ldm); // row i = Q e_i = column i of Q
    K.setDiagonal(y, ldm, 0, k);
    K.qrApply(x, k, m, ldm, tau, y, k, ldm);
    const q = K.zeros(m * k);
    K.transpose(y, k, m, ldm, q, k);
    return { q: readRows(prec, q, m, k, k), r: readRows(prec, r, k, n, n) };
  });
}
