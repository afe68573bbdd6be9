// An orthonormal basis of ker(A) from the right singular vectors of the Jacobi SVD.
import type { Matrix } from './svd-input.js';
import { svdFor } from './svd.js';
import { checkToleranceRule, rankByRule, type RankDecision, type ToleranceRule } from './tolerance.js';

export interface NullSpaceOptions extends ToleranceRule {
  precision?: 'f64' | 'f32';
}

export interface NullSpaceResult extends RankDecision {
  /** (k, n) row-major, orthonormal rows spanning the numerical null space */
  basis: Float64Array;
  /** nullity: n − rank */
  k: number;
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
  const rule = checkToleranceRule('nullSpace', opts);
  const r = svdFor('nullSpace', a, m, n, { compute: 'v', precision: opts.precision });
  const { rank, tol } = rankByRule(r.s, m, n, rule);
  const basis = r.vt!.slice(rank * n);
  return { basis, k: n - rank, rank, tol, s: r.s };
}
