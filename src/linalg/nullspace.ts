// An orthonormal basis of ker(A) from the right singular vectors of the Jacobi SVD.
import { positiveOrZero, type Matrix } from './svd-input.js';
import { svdFor } from './svd.js';
import { countAbove, EPS32, resolveTolerance } from './tolerance.js';

export interface NullSpaceOptions {
  rtol?: number;
  atol?: number;
  /** eps of the default rule σmax·max(m, n)·eps (default EPS32) */
  eps?: number;
  precision?: 'f64' | 'f32';
}

export interface NullSpaceResult {
  /** (k, n) row-major, orthonormal rows spanning the numerical null space */
  basis: Float64Array;
  /** nullity: n − rank */
  k: number;
  rank: number;
  /** the absolute tolerance used: σ_i > tol counts toward the rank */
  tol: number;
  /** min(m, n) singular values, descending */
  s: Float64Array;
}

/**
 * Orthonormal basis of the numerical null space of a (m, n) row-major: the right singular
 * vectors whose singular value is ≤ tol, plus the n − min(m, n) that have none.
 * tol = atol ?? (rtol ? rtol·σmax : σmax·max(m, n)·eps).
 *
 * @throws TypeError/RangeError for bad arguments; LinAlgError if the SVD does not converge.
 *
 * Notes: scipy.linalg.null_space's construction on the one-sided Jacobi SVD (svd with
 * compute 'v'), whose V is a full n × n basis; ‖A v‖ ≤ tol for every basis row v.
 */
export function nullSpace(a: Matrix, m: number, n: number, opts: NullSpaceOptions = {}): NullSpaceResult {
  const rtol = positiveOrZero('nullSpace rtol', opts.rtol);
  const atol = positiveOrZero('nullSpace atol', opts.atol);
  const eps = positiveOrZero('nullSpace eps', opts.eps) ?? EPS32;
  const r = svdFor('nullSpace', a, m, n, { compute: 'v', precision: opts.precision });
  const sigmaMax = r.s[0] ?? 0;
  const tol = resolveTolerance(sigmaMax, m, n, { rtol, atol, eps });
  const rank = countAbove(r.s, tol);
  const basis = r.vt!.slice(rank * n);
  return { basis, k: n - rank, rank, tol, s: r.s };
}
