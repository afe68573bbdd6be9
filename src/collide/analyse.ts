// The once-per-(model, input size) facts about A_img: its norm, a lower bound on its nullity
// and, when that bound is 0, the smallest singular values — which decide between an exact
// collision (σ_min ≈ 0) and the plain statement that none exists at this layer and size.
// Internal: certificate (the block-triangular proof of src/linalg/conv-structure.ts, float64 rule).
import { smallestSingularTriplets } from '../linalg/lanczos.js';
import { EPS64 } from '../linalg/tolerance.js';
import type { ImageOperator } from './operator.js';
import type { NullityFigures } from './report.js';
import type { WindowKernel } from './window.js';
import type { ApproximateBasis } from './approximate.js';
import { convStructure } from '../linalg/conv-structure.js';
import type { FirstLayerSpec } from './layer.js';

export interface AnalyseOptions {
  /** ‖A‖₂ (computed by the caller with opNorm) */
  norm: number;
  /** σ/‖A‖ at or below this counts as zero; default max(rows, cols)·eps (numpy's matrix_rank) */
  rtol?: number;
  /** how many smallest singular triplets to compute when the bound is 0 (kept for approximate mode) */
  k?: number;
  seed?: number;
  /** Lanczos product cap (default 800) */
  maxIter?: number;
  /** compute the smallest singular vectors even when the kernel is proven trivial (approximate mode) */
  wantVectors?: boolean;
}

/** Nullity figures and, when computed, the smallest singular triplets (reused by approximate mode). */
export interface Analysis {
  figures: NullityFigures;
  smallest?: ApproximateBasis;
}

/**
 * Analyses A_img.
 * Notes: a wide operator (or one with unread inputs) has a non-trivial kernel by counting alone;
 * otherwise a block-triangular argument may prove A_img injective for free (certificate() below), and
 * Lanczos on AᵀA (src/linalg/lanczos.ts) estimates σ_min, and the kernel is called
 * trivial when σ_min/‖A‖ exceeds rtol. A Lanczos estimate is an upper bound on σ_min, so
 * "trivial" rests on that estimate having converged (its residual is reported with the vectors).
 */
export function analyse(a: ImageOperator, kernels: WindowKernel[] | undefined, opts: AnalyseOptions): Analysis {
  const rtol = opts.rtol ?? Math.max(a.rows, a.cols) * EPS64;
  const shape = a.rows < a.cols ? 'wide' : a.rows === a.cols ? 'square' : 'tall';
  const figures: NullityFigures = {
    rows: a.rows, cols: a.cols, shape, overlap: a.overlap, freeInputs: a.freeCount,
    lowerBound: a.nullityLowerBound, norm: opts.norm, trivial: false, tol: rtol,
  };
  if (kernels) {
    figures.windowNullity = kernels.map((k) => k.k);
    figures.window = { m: kernels[0]!.m, n: kernels[0]!.n, groups: kernels.length };
  }
  if (a.nullityLowerBound > 0) return { figures };
  const cert = certificate(a.layer);
  figures.certificate = cert;
  if (cert.injective && !opts.wantVectors) { figures.trivial = true; return { figures }; }
  const k = Math.max(1, Math.min(opts.k ?? 4, a.cols));
  const r = smallestSingularTriplets(a.op, k, { seed: opts.seed ?? 0, maxIter: opts.maxIter ?? 800, tol: 1e-8 });
  const values = Float64Array.from(r.values);
  const smallest: ApproximateBasis = {
    values, vectors: Float64Array.from(r.vectors), residuals: Float64Array.from(r.residuals), k: values.length, cols: a.cols,
  };
  const rel = opts.norm > 0 ? values[0]! / opts.norm : 0;
  figures.sigmaMinRelative = rel;
  figures.lanczos = { iterations: r.iterations, converged: r.converged, residual: r.residuals[0]! / (opts.norm * opts.norm || 1) };
  figures.trivial = cert.injective || rel > rtol;
  return { figures, smallest };
}

/**
 * The block-triangular proof of src/linalg/conv-structure.ts, asked whether A_img is injective on
 * the whole image. Its diagonal blocks' ranks use the float64 rule σ_min > σ_max·max(m, n)·eps64:
 * a kernel vector that only float32 rounding hides would still move the first layer.
 */
function certificate(layer: FirstLayerSpec): NonNullable<NullityFigures['certificate']> {
  if (layer.kind !== 'conv') return { injective: false, reason: 'not a convolution' };
  const s = convStructure(layer.weight, layer.geometry, { eps: EPS64 });
  const injective = s.injectiveOnRead === true && s.unreadPixels === 0;
  const reason = s.injectiveOnRead && !injective ? `${s.method}, but ${s.unreadPixels} pixels are read by no window` : s.method;
  return s.blockConditions.length ? { injective, reason, blockCondition: s.blockConditions } : { injective, reason };
}
