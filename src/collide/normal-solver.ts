// The preconditioner of the projection onto ker(A_img) for one first layer at one input size,
// chosen once per (model, size): the exact factored (A·Aᵀ)⁻¹ (linalg/normal-factor.ts) when its
// band fits the memory budget — a projection then takes a few PCG steps — otherwise the
// block-Jacobi preconditioner of a conv (hundreds of steps), or none for a dense layer.
import type { FirstLayerSpec } from './layer.js';
import { convNormalFactor, denseNormalFactor, type NormalFactorOptions } from '../linalg/normal-factor.js';
import { convPreconditioner } from '../linalg/preconditioner.js';

export interface NormalSolver {
  /** M ≈ (A·Aᵀ)⁻¹ for projectToNullSpace's `preconditioner`; undefined for kind 'none' */
  preconditioner?: (r: Float64Array, out: Float64Array) => void;
  /** 'banded': the factored (A·Aᵀ)⁻¹; 'block-jacobi': convPreconditioner; 'none': a dense layer over budget */
  kind: 'banded' | 'block-jacobi' | 'none';
  /** half-bandwidth of the factor (banded only) */
  bandwidth?: number;
  /** bytes the factor holds (banded only) */
  bytes?: number;
  /** bytes held at the set-up's peak (banded only; the factor was built whole, then its settled part kept) */
  peakBytes?: number;
  /** rows of A·Aᵀ left out of the factor as dependent on others (banded only; 0 when A has full row rank) */
  dropped?: number;
  /** ‖Aᵀ(M·A·Aᵀ·x − x)‖ / ‖Aᵀx‖ for a random x, measured at set-up (banded only) */
  accuracy?: number;
  /** set-up wall time, ms */
  factorMs: number;
}

/**
 * The fastest available preconditioner for projecting onto ker(A) of this first layer.
 *
 * @param layer a conv (weight, geometry) or dense (W, m, n) first layer
 * @param opts budget: largest factor in bytes (default 1 GiB); keep: factor for the column-restricted
 *   operator restrictColumns(A, keep) instead (pixels held by a mask or at a bound)
 * @returns { preconditioner, kind, bandwidth?, bytes?, dropped?, accuracy?, factorMs }
 * @throws TypeError/RangeError on a malformed layer
 *
 * Notes: without `keep` the factor is of A·Aᵀ for the whole image. Used for a column-restricted A_K
 * it is no longer the exact inverse, but it stays symmetric positive (semi)definite with the range
 * CG needs (rows dropped as dependent in A are dependent in A_K too), so PCG still converges, in
 * more steps — measured on the PP-OCR classifier with 1% of the pixels held as one block: 322 steps
 * (≈ 2.8 s), slower than block-Jacobi's 1438 cheap steps (≈ 1.5 s). With `keep` the restricted
 * A_K·A_Kᵀ is factored instead, exact again (1–2 steps) at the price of one factorization per mask —
 * when it passes its checks: windows cut by a held region make rows that depend on each other
 * through chains, which the unpivoted band factorization cannot always separate from rounding
 * (seen on the PP-OCR classifier with a held 10×28 block); then this falls back to block-Jacobi.
 */
export function normalSolver(layer: FirstLayerSpec, opts: NormalFactorOptions = {}): NormalSolver {
  const t0 = performance.now();
  const f = layer.kind === 'conv'
    ? convNormalFactor(layer.weight, layer.geometry, opts)
    : denseNormalFactor(layer.weight, layer.m, layer.n, opts);
  if (f) return { preconditioner: f.solve, kind: 'banded', bandwidth: f.bandwidth, bytes: f.bytes, peakBytes: f.peakBytes, dropped: f.dropped, accuracy: f.accuracy, factorMs: f.factorMs };
  if (layer.kind === 'dense') return { kind: 'none', factorMs: performance.now() - t0 };
  const preconditioner = convPreconditioner(layer.weight, layer.geometry);
  return { preconditioner, kind: 'block-jacobi', factorMs: performance.now() - t0 };
}
