// The singular value decomposition A = U·diag(s)·Vᵀ by one-sided Jacobi in the WASM core, with
// Householder QR first when A is not square. The null space comes from the full right basis vt.
// (For V of a wide A this calls the core's GEMM, assembly/gemm.ts.)
import { core, LinAlgError, assertInt } from '../core/index.js';
import { checkMatrix, oneOf, padded, precisionOf, stageRows, PRECISIONS, type Matrix, type Precision } from './svd-input.js';
import { svdKernels, readRows, type SvdKernels } from './svd-kernels.js';

export interface SvdOptions {
  /** which singular vectors to compute: none (default), V only, or U and V */
  compute?: 'none' | 'v' | 'uv';
  /** working precision of the Jacobi iteration (default f64) */
  precision?: 'f64' | 'f32';
  /**
   * with V: the full n × n basis (default; the null space needs it) or, when false, only the k =
   * min(m, n) rows that span A's row space — the same for m ≥ n, far less work for a wide A
   * (numpy's full_matrices)
   */
  full?: boolean;
  /** sweep limit before LinAlgError (default 60) */
  maxSweeps?: number;
}

export interface SvdResult {
  m: number;
  n: number;
  /** min(m, n) singular values, descending */
  s: Float64Array;
  /** (n, n) row-major (k × n with full: false): row i is the i-th right singular vector; rows ≥ rank span the null space */
  vt?: Float64Array;
  /** (m, min(m, n)) row-major: column i is the i-th left singular vector */
  u?: Float64Array;
  /** Jacobi sweeps used (the last one made no rotation) */
  sweeps: number;
}

const DEFAULT_MAX_SWEEPS = 60;

/**
 * SVD of a (m, n) row-major; the input is not modified.
 *
 * Returns s (min(m, n), descending), and on request vt (n, n), row i = right singular vector i,
 * completed to a full orthonormal basis (or its first min(m, n) rows with full: false), and u
 * (m, min(m, n)).
 *
 * @throws TypeError/RangeError for bad sizes, a length ≠ m·n, NaN/±Inf entries or bad options;
 *   LinAlgError "SVD did not converge after N sweeps".
 *
 * Notes: the matrix is scaled by 1/max|a_ij| and arranged so that Jacobi's vectors are
 * contiguous columns (A's columns for m ≥ n; its rows for m < n, i.e. the SVD of Aᵀ). Householder
 * QR reduces it to the k × k triangle R, and Jacobi runs on R's rows (for V of a wide A, on the rows
 * of a second triangle, Rᵀ = Q₂·R₂), so the right vectors come out as normalised columns without
 * accumulating rotations (Drmač & Veselić 2008). The iteration is one-sided Hestenes Jacobi —
 * f64x2/f32x4 SIMD dot products and rotations, columns sorted by norm each sweep (de Rijk),
 * block-cyclic pair order for cache, and the relative test |x_i·x_j| ≤ eps·√k·‖x_i‖‖x_j‖, so small
 * singular values keep high relative accuracy. It stops when no pair fails the test or when a
 * sweep's rotations were all too small to disturb any other pair (2k·max cosine² < tol).
 * Columns whose squared norm falls below k·minNormal/eps (f64: σ ≲ 1e-145·√k·max|a_ij|) are
 * flushed to zero: their dot products would be subnormal and decide nothing. For m < n the full V
 * is Q·diag(Ŵ, I), formed by compact-WY GEMMs; rows of a basis whose σ is exactly 0 are completed
 * by Gram–Schmidt against unit vectors.
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
  const full = opts.full ?? true;
  if (typeof full !== 'boolean') throw new TypeError(`${op} full must be a boolean, got ${String(full)}`);
  if (k === 0 || scale === 0) return trivial(m, n, wantV, wantU, full);
  return core.scoped(() => jacobiSvd(a, m, n, scale, prec, wantV, wantU, full, maxSweeps));
}

function trivial(m: number, n: number, wantV: boolean, wantU: boolean, full: boolean): SvdResult {
  const k = Math.min(m, n);
  const out: SvdResult = { m, n, s: new Float64Array(k), sweeps: 0 };
  const rows = full ? n : k;
  if (wantV) { out.vt = new Float64Array(rows * n); for (let i = 0; i < rows; i++) out.vt[i * n + i] = 1; }
  if (wantU) { out.u = new Float64Array(m * k); for (let i = 0; i < k; i++) out.u[i * k + i] = 1; }
  return out;
}

function jacobiSvd(a: Matrix, m: number, n: number, scale: number, prec: Precision, wantV: boolean, wantU: boolean, full: boolean, maxSweeps: number): SvdResult {
  const K = svdKernels(prec);
  const es = PRECISIONS[prec].bytes;
  const k = Math.min(m, n), L = Math.max(m, n);
  const tall = m >= n;
  const ldL = padded(L, es);
  // X (L × k): the column set — A's columns when tall, A's rows (Aᵀ's columns) when wide.
  let x: number;
  if (tall) {
    const src = stageRows(a, m, n, n, scale, prec);
    x = K.zeros(k * ldL);
    K.transpose(src, m, n, n, x, ldL);
  } else {
    x = stageRows(a, m, n, ldL, scale, prec);
  }
  // X = Q·R, and Jacobi runs on the rows of R (the columns of Rᵀ): Rᵀ·J = Ŵ·Σ gives X = (Q·J)·Σ·Ŵᵀ,
  // so X's right vectors are the normalised columns Ŵ — no rotation is accumulated for them — and
  // its left vectors are Q·J. Drmač & Veselić (2008) find Rᵀ converges in fewer sweeps than X or R;
  // on an exactly rank-deficient X (repeated rows) R's columns are nearly parallel and take about
  // five times as many sweeps as Rᵀ's, whose round-off sits in columns of its own. The QR costs
  // about a fifth of one sweep on a square X.
  const tau = core.alloc(k * 8);
  const ldw = padded(k, es);
  let w = triangularRows(K, x, k, L, ldL, tau, ldw);
  // For a wide A the wanted side, V, is X's left side; a second QR, Rᵀ = Q₂·R₂, and Jacobi on the
  // rows of R₂ put it back on the normalised side: X = Q·R₂ᵀ·Q₂ᵀ, R₂ᵀ·J = Ŵ·Σ, so A = Xᵀ =
  // (Q₂·J)·Σ·(Q·Ŵ)ᵀ — V = Q·Ŵ (rightBasis) and U = Q₂·J.
  const second = !tall && wantV;
  const tau2 = second ? core.alloc(k * 8) : 0;
  const x2 = w;
  if (second) w = triangularRows(K, x2, k, k, ldw, tau2, ldw);
  // J is accumulated only for U: U = Q·J (tall) or Q₂·J (wide with V).
  const ldv = padded(k, es);
  const jv = wantU ? core.alloc(k * ldv * es) : 0;
  const norms = core.alloc(k * 16); // σ, then the kernel's scratch
  const tol = PRECISIONS[prec].eps * Math.sqrt(k);
  const sweeps = K.jacobi(w, k, k, ldw, jv, ldv, tol, maxSweeps, norms);
  if (sweeps < 0) throw new LinAlgError(`SVD did not converge after ${maxSweeps} sweeps`);
  const s = core.f64(norms, k).map((v) => v * scale);
  const out: SvdResult = { m, n, s, sweeps };
  if (!wantV && !wantU) return out;

  // Rows of W are σ_i·ŵ_i: normalise them, and complete the basis where σ_i = 0.
  if (wantV) {
    if (K.rowsNormalize(w, k, k, ldw, norms) > 0 && K.rowsComplete(w, k, k, ldw) < 0) {
      throw new LinAlgError('SVD could not complete the singular vector basis');
    }
    const rows = full ? n : k;
    out.vt = tall ? readRows(prec, w, n, n, ldw) : readRows(prec, rightBasis(prec, x, k, n, ldL, tau, w, ldw, rows), rows, n, n);
  }
  if (wantU) {
    // U = (Q or Q₂)·J: J's columns (the rows of jv) through the reflectors, then transposed.
    const [q, len, ldq, tq] = tall ? [x, L, ldL, tau] : [x2, k, ldw, tau2];
    const y = K.zeros(k * ldq);
    K.copyRows(jv, k, k, ldv, y, ldq);
    K.qrApply(q, k, len, ldq, tq, y, k, ldq);
    const u = K.zeros(m * k);
    K.transpose(y, k, m, ldq, u, k);
    out.u = readRows(prec, u, m, k, k);
  }
  return out;
}

/**
 * Householder QR of the column set x (k vectors of length len, stride ld; overwritten by the
 * reflectors, tau out) and R's rows as a new column set (k × ldw): the columns of Rᵀ.
 */
function triangularRows(K: SvdKernels, x: number, k: number, len: number, ld: number, tau: number, ldw: number): number {
  const rdiag = core.alloc(k * 8);
  K.qrHouse(x, k, len, ld, tau, rdiag);
  const r = core.alloc(k * ldw * K.bytes);
  K.qrR(x, k, k, ld, rdiag, r, ldw);
  const rows = K.zeros(k * ldw);
  K.transpose(r, k, k, ldw, rows, ldw);
  return rows;
}

/**
 * The right basis of a wide A from the QR of Aᵀ = Q·R (reflectors in x) and the normalised Jacobi
 * vectors Ŵ (k × k): vt = Z·Qᵀ with Z = [Ŵ 0; 0 I], i.e. rows i < k are Q·[Ŵ_i; 0] and rows i ≥ k
 * are Q·e_i — the first `rows` of them (k: thin, n: full). Q in compact WY form (Q = I − Yᵀ·T·Y)
 * turns this into three GEMMs, vt = Z − ((Z·Yᵀ)·Tᵀ)·Y: about 2·rows·n·k flops at GEMM speed
 * instead of 4·rows·n·k in reflector sweeps.
 */
function rightBasis(prec: Precision, x: number, k: number, n: number, ldL: number, tau: number, w: number, ldw: number, rows: number): number {
  const K = svdKernels(prec);
  const es = PRECISIONS[prec].bytes;
  const y = core.alloc(k * ldL * es);
  const t64 = core.alloc(k * k * 8);
  K.qrWy(x, k, n, ldL, tau, y, ldL, t64);
  let t = t64;
  if (prec === 'f32') { t = core.alloc(k * k * 4); core.f32(t, k * k).set(core.f64(t64, k * k)); }
  const p = core.alloc(rows * k * es); // P = Z·Yᵀ: rows < k are Ŵ·Y[:, :k]ᵀ, rows ≥ k are Y[:, k:]ᵀ
  K.gemm(0, 1, k, k, k, 1, w, ldw, y, ldL, 0, p, k);
  if (rows > k) K.transpose(y + k * es, k, rows - k, ldL, p + k * k * es, k);
  const mt = core.alloc(rows * k * es);
  K.gemm(0, 1, rows, k, k, 1, p, k, t, k, 0, mt, k);
  const z = K.zeros(rows * n);
  K.copyRows(w, k, k, ldw, z, n);
  K.setDiagonal(z, n, k, rows);
  K.gemm(0, 0, rows, n, k, -1, mt, k, y, ldL, 1, z, n);
  return z;
}
