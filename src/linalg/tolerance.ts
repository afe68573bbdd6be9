// Rank tolerances, written once. Every rank decision in the tool goes through here so that the
// rule and the tolerance actually used can be reported.
import { positiveOrZero } from './svd-input.js';

/** Unit roundoff of float64 (2^−52). */
export const EPS64 = 2 ** -52;
/** Unit roundoff of float32 (2^−23). */
export const EPS32 = 2 ** -23;

/**
 * The default absolute rank tolerance σmax·max(m, n)·eps.
 *
 * Notes: numpy.linalg.matrix_rank's rule (after Press et al., Numerical Recipes §2.6). The default
 * eps is float32's because the weights this tool reads are stored in float32: their rounding
 * already perturbs every singular value by about σmax·eps32, so nothing smaller is meaningful.
 * Override it with an absolute tolerance when the data carry a known noise level (for example
 * atol = ½·(1/255)·√(m·n) for 8-bit quantised inputs), or with eps = EPS64 for data that really
 * are exact in float64.
 */
export function defaultTolerance(sigmaMax: number, m: number, n: number, eps: number = EPS32): number {
  return sigmaMax * Math.max(m, n) * eps;
}

/** A rank rule: an absolute tolerance, or one relative to σmax, or numpy's default with `eps`. */
export interface ToleranceRule {
  /** tolerance relative to σmax */
  rtol?: number;
  /** absolute tolerance (wins over rtol) */
  atol?: number;
  /** eps of the default rule σmax·max(m, n)·eps (default EPS32) */
  eps?: number;
}

/**
 * The rule in `opts`, checked (each field given must be a finite number ≥ 0), with eps defaulting to EPS32.
 *
 * @param op the calling operation, named in the error ("<op> rtol", "<op> atol", "<op> eps")
 * @throws TypeError/RangeError for a bad field, checked in the order rtol, atol, eps
 */
export function checkToleranceRule(op: string, opts: ToleranceRule): ToleranceRule & { eps: number } {
  const rtol = positiveOrZero(`${op} rtol`, opts.rtol);
  const atol = positiveOrZero(`${op} atol`, opts.atol);
  const eps = positiveOrZero(`${op} eps`, opts.eps) ?? EPS32;
  return { rtol, atol, eps };
}

/** The absolute tolerance of a rule for a (m, n) matrix: atol ?? (rtol ? rtol·σmax : defaultTolerance). */
export function resolveTolerance(sigmaMax: number, m: number, n: number, rule: ToleranceRule = {}): number {
  return rule.atol ?? (rule.rtol !== undefined ? rule.rtol * sigmaMax : defaultTolerance(sigmaMax, m, n, rule.eps ?? EPS32));
}

/** #{σ_i > tol} for singular values in descending order. */
export function countAbove(s: ArrayLike<number>, tol: number): number {
  let k = 0;
  while (k < s.length && s[k]! > tol) k++;
  return k;
}

/** A rank decided by a rule, reported with the tolerance it used. */
export interface RankDecision {
  rank: number;
  /** the absolute tolerance used: σ_i > tol counts toward the rank */
  tol: number;
}

/** The rank a rule gives to singular values in descending order of a (m, n) matrix. */
export function rankByRule(s: ArrayLike<number>, m: number, n: number, rule: ToleranceRule): RankDecision {
  const tol = resolveTolerance(s[0] ?? 0, m, n, rule);
  return { rank: countAbove(s, tol), tol };
}

/**
 * The smallest relative tolerance (of σmax) for which the values-only Gram path may decide rank.
 *
 * Notes: the eigenvalues of the float64 Gram matrix AᵀA (or AAᵀ) carry an absolute error of about
 * c·eps64·σmax² with c ≈ max(m, n) (the length of its inner products), so a singular value at the
 * tolerance σ = rtol·σmax comes out with relative error ≈ c·eps64 / (2·rtol²). Requiring that to be
 * ≤ 1e-3 gives rtol ≥ √(500·max(m, n)·eps64) ≈ 3.3e-7·√max(m, n) — at least 20·√eps64. The default
 * float32 rule (rtol = max(m, n)·eps32) clears it for every max(m, n) ≥ 8; the float64 rule never does.
 */
export function gramMinRtol(m: number, n: number): number {
  return Math.sqrt(500 * Math.max(m, n, 1) * EPS64);
}
