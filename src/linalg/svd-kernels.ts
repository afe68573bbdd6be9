// The SVD family's kernels bound for one precision (the f32/f64 twins share one factory), plus
// the arena glue they need: zeroed buffers, row copies and reading padded rows back out.
// Internal module; only src/core sees the instance, this only uses its views.
import { core } from '../core/index.js';
import type { Precision } from './svd-input.js';

export interface SvdKernels {
  /** bytes per element */
  bytes: number;
  jacobi(w: number, k: number, len: number, ld: number, v: number, ldv: number, tol: number, maxSweeps: number, norms: number): number;
  rowsNormalize(w: number, k: number, len: number, ld: number, norms: number): number;
  rowsComplete(w: number, k: number, len: number, ld: number): number;
  transpose(src: number, m: number, n: number, lds: number, dst: number, ldd: number): void;
  /** Householder QR of the column set; nb: panel width of the blocked algorithm (default: the core's choice for the shape, 0 = unblocked; workspace allocated here) */
  qrHouse(w: number, k: number, len: number, ld: number, tau: number, rdiag: number, nb?: number): void;
  qrR(w: number, k: number, kr: number, ld: number, rdiag: number, out: number, ldo: number): void;
  qrApply(w: number, k: number, len: number, ld: number, tau: number, y: number, rows: number, ldy: number): void;
  qrWy(w: number, k: number, len: number, ld: number, tau: number, y: number, ldy: number, t: number): void;
  /** C = alpha·op(A)·op(B) + beta·C through the core's GEMM (workspace allocated here) */
  gemm(transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void;
  /** a zero-filled arena buffer of `elems` elements */
  zeros(elems: number): number;
  /** copies `rows` rows of `len` elements from (src, lds) to (dst, ldd) */
  copyRows(src: number, rows: number, len: number, lds: number, dst: number, ldd: number): void;
  /** sets y[i][i] = 1 for i in [from, to) (row stride ld) */
  setDiagonal(y: number, ld: number, from: number, to: number): void;
}

function view(prec: Precision, ptr: number, len: number): Float64Array | Float32Array {
  return prec === 'f64' ? core.f64(ptr, len) : core.f32(ptr, len);
}

export function svdKernels(prec: Precision): SvdKernels {
  const K = core.kernels;
  const f64 = prec === 'f64';
  const bytes = f64 ? 8 : 4;
  return {
    bytes,
    jacobi: f64 ? K.jacobiF64 : K.jacobiF32,
    rowsNormalize: f64 ? K.rowsNormalizeF64 : K.rowsNormalizeF32,
    rowsComplete: f64 ? K.rowsCompleteF64 : K.rowsCompleteF32,
    transpose: f64 ? K.transposeF64 : K.transposeF32,
    qrHouse(w, k, len, ld, tau, rdiag, nb = K.qrBlockSize(k, len)) {
      const elems = K.qrWorkElems(k, len, nb, bytes);
      const work = elems > 0 ? core.alloc(elems * bytes) : 0;
      (f64 ? K.qrHouseF64 : K.qrHouseF32)(w, k, len, ld, tau, rdiag, nb, work);
    },
    qrR: f64 ? K.qrRF64 : K.qrRF32,
    qrApply: f64 ? K.qrApplyF64 : K.qrApplyF32,
    qrWy: f64 ? K.qrWyF64 : K.qrWyF32,
    gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      const work = core.alloc(K.gemmWorkElems(m, n, k, bytes) * bytes);
      (f64 ? K.gemmF64 : K.gemmF32)(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
    },
    zeros(elems) {
      const p = core.alloc(elems * bytes);
      new Uint8Array(core.memory.buffer, p, elems * bytes).fill(0);
      return p;
    },
    copyRows(src, rows, len, lds, dst, ldd) {
      const s = view(prec, src, (rows - 1) * lds + len), d = view(prec, dst, (rows - 1) * ldd + len);
      for (let r = 0; r < rows; r++) d.set(s.subarray(r * lds, r * lds + len), r * ldd);
    },
    setDiagonal(y, ld, from, to) {
      const d = view(prec, y, to * ld);
      for (let i = from; i < to; i++) d[i * ld + i] = 1;
    },
  };
}

/** Copies rows × cols elements (row stride ld) out of the arena into a new Float64Array. */
export function readRows(prec: Precision, ptr: number, rows: number, cols: number, ld: number): Float64Array {
  const out = new Float64Array(rows * cols);
  if (rows === 0 || cols === 0) return out;
  const src = view(prec, ptr, (rows - 1) * ld + cols);
  if (ld === cols) { out.set(src); return out; }
  for (let r = 0; r < rows; r++) out.set(src.subarray(r * ld, r * ld + cols), r * cols);
  return out;
}
