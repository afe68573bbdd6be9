// The trivial-kernel case: when ker(A_img) = {0} no exact collision exists at this layer for this
// input size. --allow-approximate then perturbs along the right singular vectors of A_img with the
// smallest singular values and predicts the relative change of the first-layer output from them.
import type { LinearOperator } from '../linalg/operator.js';
import { smallestSingularTriplets } from '../linalg/lanczos.js';

/** The k smallest singular triplets' right vectors, computed once per (model, input size). */
export interface ApproximateBasis {
  /** σ ascending */
  values: Float64Array;
  /** (k, cols) row-major right singular vectors of the operator they were computed for */
  vectors: Float64Array;
  /** ‖Aᵀ A v − σ² v‖ or the solver's own residual measure, per vector */
  residuals: Float64Array;
  k: number;
  cols: number;
}

export interface ApproximateOptions { k?: number; seed?: number; maxIter?: number; tol?: number }

/**
 * The k smallest singular values of op and their right vectors (Lanczos, src/linalg/lanczos.ts).
 * @param op A_img, or A_img restricted to a mask's columns
 */
export function approximateBasis(op: LinearOperator, opts: ApproximateOptions = {}): ApproximateBasis {
  const k = Math.min(opts.k ?? 4, op.cols);
  const r = smallestSingularTriplets(op, k, { seed: opts.seed ?? 0, maxIter: opts.maxIter ?? 600, tol: opts.tol ?? 1e-8 });
  return { values: Float64Array.from(r.values), vectors: Float64Array.from(r.vectors), residuals: Float64Array.from(r.residuals), k: r.values.length, cols: op.cols };
}

/** δ in the span of the smallest singular vectors, with its predicted first-layer effect. */
export interface ApproximateDirection {
  /** δ = Σ c_i v_i (in the basis' column space) */
  delta: Float64Array;
  coefficients: Float64Array;
  /** ‖A δ‖ predicted from the singular values: sqrt(Σ c_i² σ_i²) */
  predictedNorm: number;
  /** ‖δ‖/‖v‖ */
  captured: number;
}

/**
 * Projects a seed direction v onto span(v_1 … v_k): c_i = ⟨v_i, v⟩, δ = Σ c_i v_i.
 * A zero projection (v ⟂ span) falls back to the smallest vector alone.
 */
export function approximateDirection(b: ApproximateBasis, v: Float64Array): ApproximateDirection {
  const n = b.cols;
  const c = new Float64Array(b.k);
  for (let i = 0; i < b.k; i++) {
    const row = b.vectors.subarray(i * n, (i + 1) * n);
    let s = 0;
    for (let j = 0; j < n; j++) s += row[j]! * v[j]!;
    c[i] = s;
  }
  if (c.every((ci) => ci === 0)) c[0] = 1;
  const delta = new Float64Array(n);
  let pred = 0; let cn = 0;
  for (let i = 0; i < b.k; i++) {
    const row = b.vectors.subarray(i * n, (i + 1) * n);
    for (let j = 0; j < n; j++) delta[j]! += c[i]! * row[j]!;
    pred += c[i]! * c[i]! * b.values[i]! * b.values[i]!;
    cn += c[i]! * c[i]!;
  }
  let nv = 0;
  for (let j = 0; j < n; j++) nv += v[j]! * v[j]!;
  return { delta, coefficients: c, predictedNorm: Math.sqrt(pred), captured: nv > 0 ? Math.sqrt(cn / nv) : 0 };
}
