// Numerical rank: the number of singular values above a tolerance, with the tolerance reported.
import { oneOf, positiveOrZero, type Matrix } from './svd-input.js';
import { singularValues, type SingularValuesMethod } from './singular-values.js';
import { countAbove, EPS32, gramMinRtol, resolveTolerance } from './tolerance.js';

export interface MatrixRankOptions {
  /** tolerance relative to σmax */
  rtol?: number;
  /** absolute tolerance (wins over rtol) */
  atol?: number;
  /** eps of the default rule σmax·max(m, n)·eps (default EPS32) */
  eps?: number;
  /** singular value algorithm (default 'auto': Gram path when the tolerance allows it, else 'bidiag') */
  method?: SingularValuesMethod;
  /** working precision of the Jacobi path */
  precision?: 'f64' | 'f32';
}

export interface MatrixRankResult {
  rank: number;
  /** the absolute tolerance used: σ_i > tol counts */
  tol: number;
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
  const rtol = positiveOrZero('matrixRank rtol', opts.rtol);
  const atol = positiveOrZero('matrixRank atol', opts.atol);
  const eps = positiveOrZero('matrixRank eps', opts.eps) ?? EPS32;
  const method = oneOf('matrixRank method', opts.method, ['auto', 'jacobi', 'gram', 'bidiag'] as const, 'auto');
  const precision = opts.precision;
  const relative = rtol ?? (atol === undefined ? Math.max(m, n) * eps : undefined);
  let r = singularValues(a, m, n, { method: method === 'auto' && atol !== undefined ? 'gram' : method, rtol: relative, precision });
  if (method === 'auto' && atol !== undefined && r.path === 'gram-eig') {
    const smax = r.s[0] ?? 0;
    if (smax > 0 && atol / smax < gramMinRtol(m, n)) r = singularValues(a, m, n, { method: 'bidiag' });
  }
  const s = r.s;
  const sigmaMax = s[0] ?? 0;
  const sigmaMin = s.length ? s[s.length - 1]! : 0;
  const tol = resolveTolerance(sigmaMax, m, n, { rtol, atol, eps });
  return { rank: countAbove(s, tol), tol, s, sigmaMax, sigmaMin, path: r.path };
}
