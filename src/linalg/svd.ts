// The singular value decomposition A = U·diag(s)·Vᵀ by one-sided Jacobi in the WASM core, with
// Householder QR first when A is not square. The null space comes from the full right basis vt.
// (For V of a wide A this calls the core's GEMM, assembly/gemm.ts.)
import { core, LinAlgError, assertInt } from '../core/index.js';
import { checkMatrix, oneOf, padded, precisionOf, stageRows, PRECISIONS, type Matrix, type Precision } from './svd-input.js';
import { svdKernels, readRows } from './svd-kernels.js';

export interface SvdOptions {
  /** which singular vectors to compute: none (default), V only, or U and V */
  compute?: 'none' | 'v' | 'uv';
  /** working precision of the Jacobi iteration (default f64) */
  precision?: 'f64' | 'f32';
  /** sweep limit before LinAlgError (default 60) */
  maxSweeps?: number;
}

export interface SvdResult {
  m: number;
  n: number;
  /** min(m, n) singular values, descending */
  s: Float64Array;
  /** (n, n) row-major: row i is the i-th right singular vector; rows ≥ rank span the null space */
  vt?: Float64Array;
  /** (m, min(m, n)) row-major: column i is the i-th left singular vector */
  u?: Float64Array;
  /** Jacobi sweeps used (the last one made no rotation) */
  sweeps: number;
}

/**
 * QR first when the long side exceeds the short one by more than 5%: QR costs 2k²(L − k/3) flops,
 * while each Jacobi sweep costs ≈ 5k²·len and QR shrinks len from L to k; with ≥ 5 sweeps that
 * pays off from L ≈ 1.05k (and QR preconditioning also cuts the number of sweeps).
 */
export const QR_RATIO = 1.05;
const DEFAULT_MAX_SWEEPS = 60;

/**
 * SVD of a (m, n) row-major; the input is not modified.
 *
 * Returns s (min(m, n), descending), and on request vt (n, n), row i = right singular vector i,
 * completed to a full orthonormal basis, and u (m, min(m, n)).
 *
 * @throws TypeError/RangeError for bad sizes, a length ≠ m·n, NaN/±Inf entries or bad options;
 *   LinAlgError "SVD did not converge after N sweeps".
 *
 * Notes: the matrix is scaled by 1/max|a_ij| and arranged so that Jacobi's vectors are
 * contiguous columns (Aᵀ row-major for m ≥ n; A's own rows for m < n, i.e. the SVD of Aᵀ). It is
 * reduced by Householder QR when one side is longer than QR_RATIO × the other (and always for V
 * without U of a tall/square A, where Jacobi then runs on the rows of R and V comes out as its
 * left vectors), then orthogonalised by one-sided Hestenes Jacobi — f64x2/f32x4 SIMD dot products
 * and rotations, columns sorted by norm each sweep (de Rijk), block-cyclic pair order for cache,
 * and the relative test |x_i·x_j| ≤ eps·√len·‖x_i‖‖x_j‖, so small singular values keep high
 * relative accuracy. For m < n the full V is Q·diag(Ŵ, I), formed by compact-WY GEMMs; rows of a
 * basis whose σ is exactly 0 are completed by Gram–Schmidt against unit vectors.
 */
export function svd(a: Matrix, m: number, n: number, opts: SvdOptions = {}): SvdResult {
  return svdFor('svd', a, m, n, opts);
}

/** svd() with the calling operation's name in argument errors (internal). */
export function svdFor(op: string, a: Matrix, m: number, n: number, opts: SvdOptions = {}): SvdResult {
  const compute = oneOf(`${op} compute`, opts.compute, ['none', 'v', 'uv'] as const, 'none');
  const prec = precisionOf(`${op} precision`, opts.precision);
  const maxSweeps = opts.maxSweeps ?? DEFAULT_MAX_SWEEPS;
  assertInt(`${op} maxSweeps`, maxSweeps, 1, 10000);
  const scale = checkMatrix(op, a, m, n);
  const wantV = compute !== 'none', wantU = compute === 'uv';
  const k = Math.min(m, n);
  if (k === 0 || scale === 0) return trivial(m, n, wantV, wantU);
  return core.scoped(() => jacobiSvd(a, m, n, scale, prec, wantV, wantU, maxSweeps));
}

function trivial(m: number, n: number, wantV: boolean, wantU: boolean): SvdResult {
  const k = Math.min(m, n);
  const out: SvdResult = { m, n, s: new Float64Array(k), sweeps: 0 };
  if (wantV) { out.vt = new Float64Array(n * n); for (let i = 0; i < n; i++) out.vt[i * n + i] = 1; }
  if (wantU) { out.u = new Float64Array(m * k); for (let i = 0; i < k; i++) out.u[i * k + i] = 1; }
  return out;
}

function jacobiSvd(a: Matrix, m: number, n: number, scale: number, prec: Precision, wantV: boolean, wantU: boolean, maxSweeps: number): SvdResult {
  const K = svdKernels(prec);
  const es = PRECISIONS[prec].bytes;
  const k = Math.min(m, n), L = Math.max(m, n);
  const tall = m >= n;
  // V without U of a tall or square A: Jacobi on the rows of R (the columns of Rᵀ), whose left
  // vectors are A's right vectors — no rotation of V is needed, ≈ 40% of the work (the QR costs
  // ≈ 1/5 of one sweep). Drmač & Veselić (2008) also find Rᵀ converges in fewer sweeps.
  const onRt = tall && wantV && !wantU;
  const useQR = onRt || (tall ? m > QR_RATIO * n : wantV || n > QR_RATIO * m);
  const ldL = padded(L, es);
  // X: the column set (k vectors of length L) — Aᵀ's rows when tall, A's own rows when wide.
  let x: number;
  if (tall) {
    const src = stageRows(a, m, n, n, scale, prec);
    x = K.zeros(k * ldL);
    K.transpose(src, m, n, n, x, ldL);
  } else {
    x = stageRows(a, m, n, ldL, scale, prec);
  }
  const tau = core.alloc(k * 8);
  let w = x, ldw = ldL, len = L;
  if (useQR) {
    const rdiag = core.alloc(k * 8);
    K.qrHouse(x, k, L, ldL, tau, rdiag);
    ldw = padded(k, es);
    len = k;
    w = core.alloc(k * ldw * es);
    K.qrR(x, k, k, ldL, rdiag, w, ldw);
    if (onRt) {
      const rows = K.zeros(k * ldw);
      K.transpose(w, k, k, ldw, rows, ldw);
      w = rows;
    }
  }
  const needJv = tall ? wantV && !onRt : wantU;
  const ldv = padded(k, es);
  const jv = needJv ? core.alloc(k * ldv * es) : 0;
  const norms = core.alloc(k * 8);
  const tol = PRECISIONS[prec].eps * Math.sqrt(len);
  const sweeps = K.jacobi(w, k, len, ldw, jv, ldv, tol, maxSweeps, norms);
  if (sweeps < 0) throw new LinAlgError(`SVD did not converge after ${maxSweeps} sweeps`);
  const s = core.f64(norms, k).map((v) => v * scale);
  const out: SvdResult = { m, n, s, sweeps };
  if (!wantV && !wantU) return out;

  // Rows of W are σ_i·(left vectors of the Jacobi problem): normalise and complete them.
  const needW = tall ? wantU || onRt : wantV;
  if (needW) {
    if (K.rowsNormalize(w, k, len, ldw, norms) > 0 && K.rowsComplete(w, k, len, ldw) < 0) {
      throw new LinAlgError('SVD could not complete the singular vector basis');
    }
  }
  if (tall) {
    if (wantV) out.vt = onRt ? readRows(prec, w, n, n, ldw) : readRows(prec, jv, n, n, ldv);
    if (wantU) {
      let y = w, ldy = ldw;
      if (useQR) {
        ldy = ldL;
        y = K.zeros(k * ldy);
        K.copyRows(w, k, len, ldw, y, ldy);
        K.qrApply(x, k, L, ldL, tau, y, k, ldy);
      }
      const u = K.zeros(m * k);
      K.transpose(y, k, m, ldy, u, k);
      out.u = readRows(prec, u, m, k, k);
    }
  } else {
    if (wantU) {
      const u = K.zeros(k * k);
      K.transpose(jv, k, k, ldv, u, k);
      out.u = readRows(prec, u, k, k, k);
    }
    if (wantV) out.vt = readRows(prec, fullV(prec, x, k, n, ldL, tau, w, ldw), n, n, n);
  }
  return out;
}

/**
 * The full right basis of a wide A from the QR of Aᵀ = Q·R (reflectors in x) and the normalised
 * Jacobi vectors Ŵ (k × k): vt = Z·Qᵀ with Z = [Ŵ 0; 0 I], i.e. rows i < k are Q·[Ŵ_i; 0] and rows
 * i ≥ k are Q·e_i. Q in compact WY form (Q = I − Yᵀ·T·Y) turns this into three GEMMs:
 * vt = Z − ((Z·Yᵀ)·Tᵀ)·Y — about 2n²k flops at GEMM speed instead of 4n²k in reflector sweeps.
 */
function fullV(prec: Precision, x: number, k: number, n: number, ldL: number, tau: number, w: number, ldw: number): number {
  const K = svdKernels(prec);
  const es = PRECISIONS[prec].bytes;
  const y = core.alloc(k * ldL * es);
  const t64 = core.alloc(k * k * 8);
  K.qrWy(x, k, n, ldL, tau, y, ldL, t64);
  let t = t64;
  if (prec === 'f32') { t = core.alloc(k * k * 4); core.f32(t, k * k).set(core.f64(t64, k * k)); }
  const p = core.alloc(n * k * es); // P = Z·Yᵀ: rows < k are Ŵ·Y[:, :k]ᵀ, rows ≥ k are Y[:, k:]ᵀ
  K.gemm(0, 1, k, k, k, 1, w, ldw, y, ldL, 0, p, k);
  K.transpose(y + k * es, k, n - k, ldL, p + k * k * es, k);
  const mt = core.alloc(n * k * es);
  K.gemm(0, 1, n, k, k, 1, p, k, t, k, 0, mt, k);
  const z = K.zeros(n * n);
  K.copyRows(w, k, k, ldw, z, n);
  K.setDiagonal(z, n, k, n);
  K.gemm(0, 0, n, n, k, -1, mt, k, y, ldL, 1, z, n);
  return z;
}
