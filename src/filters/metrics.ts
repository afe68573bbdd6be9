// Filter-quality metrics of one convolution weight, with the definitions, thresholds and
// normalisations of the Python package torchconvquality 0.4 (Gavrikov & Keuper): sparsity,
// variance entropy (raw, normalised by the package's fitted logistic threshold, and on the
// non-sparse filters only), orthogonality and the four weight norms. Everything is float64.
// Where torch would produce NaN from an exact 0/0 (a single 2-D filter) or 0·log 0 (an exactly
// zero singular value) we take the limits (entropy 0); see the README. Internal: centeredRows.
import { invalidParameter } from '../core/errors.js';
import { gemm } from '../linalg/gemm.js';
import { singularValues } from '../linalg/singular-values.js';

/** torchconvquality's default sparsity_eps: a 2-D filter is sparse when every |w| < eps·max|W|. */
export const DEFAULT_SPARSITY_EPS = 0.01;

/** One layer's figures, torchconvquality's per-layer dictionary in camelCase. */
export interface FilterQuality {
  /** number of 2-D filters, O·C (C = input channels per group) */
  n: number;
  /** share of 2-D filters whose every |w| is below eps·max|W| */
  sparsity: number;
  /** base-10 entropy of the variance ratios of the (n × kh·kw) filters' principal components */
  varianceEntropy: number;
  /** varianceEntropy / entropyMaxThreshold(n) */
  varianceEntropyNorm: number;
  /** the same on the non-sparse filters only */
  varianceEntropyClean: number;
  varianceEntropyCleanNorm: number;
  /** 1 − mean |cos| between distinct output filters (O × C·kh·kw rows); NaN for O = 1 */
  orthogonality: number;
  /** ‖(w − mean)/std‖₂ over the whole tensor (std with n − 1) */
  normL2Norm: number;
  normL1Norm: number;
  /** ‖w‖₂ and ‖w‖₁ over the whole tensor */
  normL2: number;
  normL1: number;
}

/** The metric names in report order (the fields of FilterQuality after n). */
export const METRICS = Object.freeze(['sparsity', 'varianceEntropy', 'varianceEntropyNorm', 'varianceEntropyClean', 'varianceEntropyCleanNorm',
  'orthogonality', 'normL2Norm', 'normL1Norm', 'normL2', 'normL1'] as const);
export type MetricName = (typeof METRICS)[number];

/**
 * torchconvquality's normaliser of the variance entropy: a logistic curve in log₂ n fitted by the
 * package's authors to the entropy of random filters (l, x0, k, b = 1.2618047, 2.30436435,
 * 0.88767525, −0.31050834). Negative for n ≤ 2, as in the package.
 */
export function entropyMaxThreshold(n: number): number {
  const l = 1.2618047, x0 = 2.30436435, k = 0.88767525, b = -0.31050834;
  return l / (1 + Math.exp(-k * (Math.log2(n) - x0))) + b;
}

function checkDims(dims: readonly number[], w: Float64Array): void {
  if (dims.length !== 4 || dims.some((d) => !Number.isInteger(d) || d < 0)) throw invalidParameter('dims', '[out, in, kh, kw] (4 non-negative integers)', JSON.stringify(dims), RangeError);
  const count = dims[0]! * dims[1]! * dims[2]! * dims[3]!;
  if (w.length !== count) throw new RangeError(`Expected length ${count} for w of dims [${dims.join(', ')}] but received length ${w.length}`);
  for (let i = 0; i < w.length; i++) if (!Number.isFinite(w[i]!)) throw new RangeError(`w contains a non-finite value (${w[i]}) at index ${i}`);
}

/**
 * Sparsity of a conv weight.
 * @param w [O, C, kh, kw] row-major, viewed as (O·C) 2-D filters of kh·kw values
 * @returns the share of sparse filters and the per-filter mask (1 = sparse)
 */
export function sparsity(w: Float64Array, dims: readonly number[], eps = DEFAULT_SPARSITY_EPS): { sparsity: number; mask: Uint8Array } {
  checkDims(dims, w);
  if (!(Number.isFinite(eps) && eps >= 0)) throw invalidParameter('eps', 'a finite non-negative number', eps, RangeError);
  const n = dims[0]! * dims[1]!, k = dims[2]! * dims[3]!;
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]!));
  // the package's guard: an all-zero layer uses threshold 1, so every filter counts as sparse
  const t = max * eps === 0 ? 1 : max * eps;
  const mask = new Uint8Array(n);
  let count = 0;
  for (let r = 0; r < n; r++) {
    let sparse = 1;
    for (let j = 0; j < k; j++) if (Math.abs(w[r * k + j]!) >= t) { sparse = 0; break; }
    mask[r] = sparse;
    count += sparse;
  }
  return { sparsity: n ? count / n : 0, mask };
}

/** The rows of (n × k) `w` picked by `keep` (all when undefined), each column minus its mean. */
function centeredRows(w: Float64Array, n: number, k: number, keep?: Uint8Array): { x: Float64Array; rows: number } {
  let rows = n;
  if (keep) { rows = 0; for (let r = 0; r < n; r++) rows += keep[r]! ? 1 : 0; }
  const x = new Float64Array(rows * k);
  let i = 0;
  for (let r = 0; r < n; r++) {
    if (keep && !keep[r]) continue;
    x.set(w.subarray(r * k, r * k + k), i * k);
    i++;
  }
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * k + j]!;
    const mean = s / rows;
    for (let r = 0; r < rows; r++) x[r * k + j]! -= mean;
  }
  return { x, rows };
}

/**
 * Variance entropy of the 2-D filters of a conv weight.
 * @param w [O, C, kh, kw] row-major; the (O·C) × (kh·kw) filter matrix is centred per column
 * @param keep optional per-filter mask (1 = use the filter), e.g. the non-sparse ones
 * @returns entropy = −Σ p log₁₀ p over the variance ratios p = σᵢ² / Σσ², and entropy / entropyMaxThreshold(rows)
 *
 * Notes: singular values by Householder bidiagonalisation + implicit QR (absolute error ≈ eps·σmax).
 * The package divides σ² by (rows − 1) before normalising; the factor cancels except at rows = 1,
 * where torch gets 0/0 = NaN and we return 0 (one filter has no spread).
 */
export function varianceEntropy(w: Float64Array, dims: readonly number[], keep?: Uint8Array): { entropy: number; norm: number; rows: number } {
  checkDims(dims, w);
  const n = dims[0]! * dims[1]!, k = dims[2]! * dims[3]!;
  if (keep && keep.length !== n) throw new RangeError(`Expected length ${n} for keep but received length ${keep.length}`);
  const { x, rows } = centeredRows(w, n, k, keep);
  let entropy = 0;
  if (rows > 1 && k > 0) {
    const s = singularValues(x, rows, k, { method: 'bidiag' }).s;
    let total = 0;
    for (const v of s) total += v * v;
    if (total > 0) for (const v of s) { const p = (v * v) / total; if (p > 0) entropy -= p * Math.log10(p); }
  }
  const norm = entropy / entropyMaxThreshold(rows);
  return { entropy, norm: norm === 0 ? 0 : norm, rows };
}

/**
 * Orthogonality of the output filters.
 * @param w [O, C, kh, kw] row-major, viewed as O rows of C·kh·kw values, each scaled to unit norm
 *          (all-zero rows stay zero)
 * @returns 1 − Σ|G − I| / (O(O − 1)) with G the rows' Gram matrix; 1 for orthogonal filters,
 *          0 for identical ones; NaN for O = 1 (0/0, as in torch)
 *
 * Notes: a zero row contributes |0 − 1| = 1 on the diagonal, exactly as in the package.
 */
export function orthogonality(w: Float64Array, dims: readonly number[]): number {
  checkDims(dims, w);
  const o = dims[0]!, k = dims[1]! * dims[2]! * dims[3]!;
  if (o < 2) return NaN; // no pair of filters (torch divides by O(O − 1) = 0)
  const u = new Float64Array(w.length);
  for (let r = 0; r < o; r++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += w[r * k + j]! * w[r * k + j]!;
    const t = Math.sqrt(s) || 1;
    for (let j = 0; j < k; j++) u[r * k + j] = w[r * k + j]! / t;
  }
  const g = gemm(u, u, o, o, k, { transB: true });
  let c = 0;
  for (let i = 0; i < o; i++) for (let j = 0; j < o; j++) c += Math.abs(g[i * o + j]! - (i === j ? 1 : 0));
  return 1 - c / (o * (o - 1));
}

/**
 * The package's weight norm over the whole flattened tensor.
 * @param ord 1 or 2
 * @param standardize subtract the mean and divide by the sample standard deviation first
 *        (NaN when the weights are constant, as in torch)
 */
export function weightNorm(w: Float64Array, ord: 1 | 2, standardize: boolean): number {
  let mean = 0, std = 1;
  if (standardize) {
    for (const v of w) mean += v;
    mean /= w.length;
    let ss = 0;
    for (const v of w) ss += (v - mean) ** 2;
    std = Math.sqrt(ss / (w.length - 1));
  }
  let acc = 0;
  for (const v of w) { const z = (v - mean) / std; acc += ord === 1 ? Math.abs(z) : z * z; }
  return ord === 1 ? acc : Math.sqrt(acc);
}

/**
 * All of torchconvquality's per-layer figures for one conv weight.
 * @param w [O, C, kh, kw] row-major (C = input channels per group)
 * @param eps sparsity threshold relative to max|W| (default 0.01)
 * @throws RangeError for dims that are not 4-D, a length that does not match, non-finite weights or a bad eps
 */
export function filterQuality(w: Float64Array, dims: readonly number[], eps = DEFAULT_SPARSITY_EPS): FilterQuality {
  const sp = sparsity(w, dims, eps);
  const all = varianceEntropy(w, dims);
  const clean = varianceEntropy(w, dims, sp.mask.map((s) => 1 - s));
  return {
    n: dims[0]! * dims[1]!,
    sparsity: sp.sparsity,
    varianceEntropy: all.entropy,
    varianceEntropyNorm: all.norm,
    varianceEntropyClean: clean.entropy,
    varianceEntropyCleanNorm: clean.norm,
    orthogonality: orthogonality(w, dims),
    normL2Norm: weightNorm(w, 2, true),
    normL1Norm: weightNorm(w, 1, true),
    normL2: weightNorm(w, 2, false),
    normL1: weightNorm(w, 1, false),
  };
}
