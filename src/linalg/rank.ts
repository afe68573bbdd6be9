// Numerical rank: the number of singular values above a tolerance, with the tolerance reported.
import { oneOf, type Matrix } from './svd-input.js';
import { singularValues, type SingularValuesMethod } from './singular-values.js';
import { checkToleranceRule, gramMinRtol, rankByRule, type RankDecision, type ToleranceRule } from './tolerance.js';

export interface MatrixRankOptions extends ToleranceRule {
  /** singular value algorithm (default 'auto': Gram path when the tolerance allows it, else 'bidiag') */
  method?: SingularValuesMethod;
  /** working precision of the Jacobi path */
  precision?: 'f64' | 'f32';
}

export interface MatrixRankResult extends RankDecision {
  /** all min(m, n) singular values, descending */
  s: Float64Array;
  sigmaMax: number;
  sigmaMin: number;
  /** 'jacobi', 'gram-eig' or 'bidiag' */
  path: string;
}

/**
 * Rank of a (m, n) row-major: #{σ_i > tol}, tol = atol ?? (rtol ? rtol·σmax : σmax·max(m, n)·eps).
 *
 * @throws TypeError/RangeError for bad arguments; LinAlgError if an iteration does not converge.
 *
 * Notes: numpy.linalg.matrix_rank's rule with eps defaulting to float32's (tolerance.ts). In
 * 'auto' the values-only Gram path is used when the relative tolerance is ≥ gramMinRtol(m, n);
 * with an absolute tolerance the Gram values are computed first and replaced by the bidiagonal
 * path's (accurate to ≈ max(m, n)·eps64·σmax) when atol/σmax turns out too small for them. Jacobi
 * runs only with method 'jacobi'.
 */
export function matrixRank(a: Matrix, m: number, n: number, opts: MatrixRankOptions = {}): MatrixRankResult {
  const rule = checkToleranceRule('matrixRank', opts);
  const { rtol, atol, eps } = rule;
  const method = oneOf('matrixRank method', opts.method, ['auto', 'jacobi', 'gram', 'bidiag'] as const, 'auto');
  const precision = opts.precision;
  const relative = rtol ?? (atol === undefined ? Math.max(m, n) * eps : undefined);
  let r = singularValues(a, m, n, { method: method === 'auto' && atol !== undefined ? 'gram' : method, rtol: relative, precision });
  if (method === 'auto' && atol !== undefined && r.path === 'gram-eig') {
    const smax = r.s[0] ?? 0;
    if (smax > 0 && atol / smax < gramMinRtol(m, n)) r = singularValues(a, m, n, { method: 'bidiag' });
  }
  const s = r.s;
  const { rank, tol } = rankByRule(s, m, n, rule);
  return { rank, tol, s, sigmaMax: s[0] ?? 0, sigmaMin: s.length ? s[s.length - 1]! : 0, path: r.path };
}
