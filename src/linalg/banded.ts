// Band Cholesky factorization and solve over plain typed arrays; the loops run in
// assembly/banded.ts. Internal: bandCholeskyPtr / bandSolvePtr (pointer-level calls for
// normal-factor.ts, which keeps its factor in a core of its own).
//
// Layout ("lower band, row-major"): an (n × n) symmetric band matrix of half-bandwidth b is
// stored as n rows of ld ≥ b + 1 entries; row i holds columns i−b … i at offsets 0 … b, so the
// diagonal is entry b of each row and column k of row i sits at i·ld + k − i + b. Slots left of
// column 0 (rows i < b) and slots b + 1 … ld − 1 are ignored and left as they are.
import { core, type Core } from '../core/wasm.js';
import { assertInt, assertLength, invalidParameter } from '../core/errors.js';

/** Pointer-level band Cholesky on core `c`: 0, or k + 1 at the first failed pivot (see bandCholesky). Internal. */
export function bandCholeskyPtr(c: Core, n: number, b: number, ld: number, aPtr: number, dropTol: number): number {
  return n === 0 ? 0 : c.kernels.bandCholeskyF64(n, b, ld, aPtr, dropTol);
}

/** Pointer-level solve out = Pᵀ(L·Lᵀ)⁻¹P·r on core `c` (permPtr 0 = no permutation; work n f64). Internal. */
export function bandSolvePtr(c: Core, n: number, b: number, ld: number, lPtr: number, permPtr: number,
  rPtr: number, workPtr: number, outPtr: number): void {
  if (n > 0) c.kernels.bandSolveF64(n, b, ld, lPtr, permPtr, rPtr, workPtr, outPtr);
}

/** bandSolvePtr with rows i ≥ r0 read from row r0 + (i − r0) mod period (the factor holds r0 + period rows). */
export function bandSolvePeriodicPtr(c: Core, n: number, b: number, ld: number, lPtr: number, permPtr: number,
  rPtr: number, workPtr: number, outPtr: number, r0: number, period: number): void {
  if (n > 0) c.kernels.bandSolvePeriodicF64(n, b, ld, lPtr, permPtr, rPtr, workPtr, outPtr, r0, period);
}

/** RangeError naming the first NaN/Inf among the slots the band holds (ignored slots may hold anything). */
function checkBandFinite(band: Float64Array, n: number, b: number, ld: number): void {
  for (let i = 0; i < n; i++) {
    for (let s = i * ld + Math.max(0, b - i), end = i * ld + b; s <= end; s++) {
      const v = band[s]!;
      if (v - v !== 0) throw new RangeError(`Expected finite values for band but received ${v} at index ${s}`);
    }
  }
}

function checkBand(name: string, a: unknown, n: number, b: number, ld: number): asserts a is Float64Array {
  assertInt('n', n, 0, 2 ** 31 - 1);
  assertInt('b', b, 0, 2 ** 31 - 1);
  assertInt('ld', ld, b + 1, 2 ** 31 - 1);
  if (!(a instanceof Float64Array)) throw invalidParameter(name, 'a Float64Array', a);
  assertLength(name, a, n * ld);
}

export interface BandCholeskyOptions {
  /** row stride, ≥ b + 1; default b + 1 */
  ld?: number;
  /**
   * positive semidefinite input: a pivot within ±dropTol·A[k,k] marks row k as dependent on the
   * rows before it and is dropped (L[k,k] = 0, column k of L zero); default: none, every pivot must be > 0
   */
  dropTol?: number;
}

/**
 * Cholesky factorization A = L·Lᵀ of a symmetric positive definite band matrix, in place.
 *
 * @param band (n rows × ld) lower band of A, layout in the file header; overwritten with L
 * @param n order of A
 * @param b half-bandwidth (A[i, j] = 0 for |i − j| > b); b ≥ n − 1 is a dense matrix
 * @returns 0 on success, or k + 1 when pivot k (A's Schur complement at k) is ≤ 0 or NaN (with
 *   dropTol: below −dropTol·A[k,k]): rows 0 … k − 1 then hold L, the rest is partly overwritten
 *   (dropped pivots show as L[k,k] = 0)
 * @throws TypeError/RangeError on bad sizes, a wrong length, non-finite entries or a bad dropTol
 *
 * Notes: the row-oriented (Cholesky–Crout) form, every entry a SIMD dot product of two contiguous
 * runs, four rows per pass; n·b²/2 multiply–adds, no pivoting, nothing allocated beyond the copy.
 * With dropped pivots L·Lᵀ equals A on the kept rows and columns: a semidefinite A whose dropped
 * rows depend exactly on earlier ones is reproduced whole, and bandSolve then returns the
 * solution of A x = r (r in range(A)) that is zero on the dropped rows.
 */
export function bandCholesky(band: Float64Array, n: number, b: number, opts: BandCholeskyOptions = {}): number {
  const { ld = b + 1, dropTol } = opts;
  checkBand('band', band, n, b, ld);
  if (dropTol !== undefined && !(typeof dropTol === 'number' && dropTol >= 0 && dropTol < 1)) throw invalidParameter('dropTol', 'a number in [0, 1)', dropTol, RangeError);
  checkBandFinite(band, n, b, ld);
  if (n === 0) return 0;
  return core.scoped(() => {
    const p = core.put(band);
    const status = bandCholeskyPtr(core, n, b, ld, p, dropTol ?? -1);
    band.set(core.f64(p, band.length));
    return status;
  });
}

export interface BandSolveOptions {
  /** row stride of the factor, default b + 1 */
  ld?: number;
  /** solve with P·A·Pᵀ = L·Lᵀ: (P r)[i] = r[perm[i]], perm a permutation of 0 … n−1 */
  perm?: Int32Array;
  /** output (n); may be r itself */
  out?: Float64Array;
}

/**
 * x = A⁻¹ r from the factor of bandCholesky (forward then backward band substitution).
 *
 * @param factor (n rows × ld) L from bandCholesky (status 0)
 * @param r (n) right-hand side, unchanged unless it is `out`
 * @returns x (n): out when given; with perm, x = Pᵀ(L·Lᵀ)⁻¹P·r; x = 0 on rows whose pivot was dropped
 * @throws TypeError/RangeError on bad sizes, wrong lengths or a perm that is not a permutation
 *
 * Notes: 2·n·b multiply–adds. The factor is not checked for finiteness (a solver calls this often).
 */
export function bandSolve(factor: Float64Array, n: number, b: number, r: Float64Array, opts: BandSolveOptions = {}): Float64Array {
  const { ld = b + 1, perm, out } = opts;
  checkBand('factor', factor, n, b, ld);
  if (!(r instanceof Float64Array)) throw invalidParameter('r', 'a Float64Array', r);
  assertLength('r', r, n);
  if (out !== undefined) {
    if (!(out instanceof Float64Array)) throw invalidParameter('out', 'a Float64Array', out);
    assertLength('out', out, n);
  }
  if (perm !== undefined) {
    if (!(perm instanceof Int32Array)) throw invalidParameter('perm', 'an Int32Array', perm);
    assertLength('perm', perm, n);
    const seen = new Uint8Array(n);
    for (const p of perm) {
      if (!(p >= 0 && p < n) || seen[p]) throw invalidParameter('perm', `a permutation of 0 … ${n - 1}`, perm, RangeError);
      seen[p] = 1;
    }
  }
  const x = out ?? new Float64Array(n);
  if (n === 0) return x;
  core.scoped(() => {
    const lPtr = core.put(factor);
    const permPtr = perm ? core.put(perm) : 0;
    const rPtr = core.put(r);
    const workPtr = core.alloc(n * 8);
    bandSolvePtr(core, n, b, ld, lPtr, permPtr, rPtr, workPtr, rPtr);
    x.set(core.f64(rPtr, n));
  });
  return x;
}
