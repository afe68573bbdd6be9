// --fit: keep x' = x + δ inside the pixel box while δ stays in ker(A_img), by alternating
// projections between the affine set x + ker(A_img) and the box (per-channel in model space).
// Because δ is already in the kernel, each round projects only the box correction c:
// P(δ + c) = δ + P(c), which keeps the solver's absolute error proportional to ‖c‖, not ‖δ‖.
// The last step is the clip, so x' is a valid image; the residual left is reported by the caller.

/** What the fit did. */
export interface FitResult {
  /** δ after the final clip: clip(x + δ) − x (model space) */
  delta: Float64Array;
  /** alternating rounds run */
  iterations: number;
  /** the box violation fell below tol before the final clip */
  converged: boolean;
  /** largest box violation (model units) just before the final clip */
  violation: number;
}

export interface FitOptions { maxIter?: number; tol?: number }

/**
 * Alternating projections (von Neumann) between x + ker(A) and the box.
 * @param x model-space image (CHW), inside the box
 * @param delta δ ∈ ker(A) (model space); not modified
 * @param project v ↦ P_ker(v)
 * @param box per-channel bounds in model space; plane = h·w
 */
export function fitToBox(
  x: Float64Array, delta: Float64Array, project: (v: Float64Array) => Float64Array,
  box: { lo: Float64Array; hi: Float64Array }, plane: number, opts: FitOptions = {},
): FitResult {
  const maxIter = opts.maxIter ?? 60;
  const tol = opts.tol ?? 1e-9;
  const d = Float64Array.from(delta);
  const corr = new Float64Array(d.length);
  let violation = Infinity;
  let it = 0;
  for (;; it++) {
    violation = boxCorrection(x, d, box, plane, corr);
    if (violation <= tol || it >= maxIter) break;
    const pc = project(corr);
    for (let i = 0; i < d.length; i++) d[i]! += pc[i]!;
  }
  boxCorrection(x, d, box, plane, corr);
  for (let i = 0; i < d.length; i++) d[i]! += corr[i]!;
  return { delta: d, iterations: it, converged: violation <= tol, violation };
}

/** corr = clip(x + d) − (x + d); returns max |corr|. */
function boxCorrection(x: Float64Array, d: Float64Array, box: { lo: Float64Array; hi: Float64Array }, plane: number, corr: Float64Array): number {
  let worst = 0;
  for (let c = 0; c < box.lo.length; c++) {
    const lo = box.lo[c]!; const hi = box.hi[c]!;
    for (let i = c * plane; i < (c + 1) * plane; i++) {
      const v = x[i]! + d[i]!;
      const k = v < lo ? lo - v : v > hi ? hi - v : 0;
      corr[i] = k;
      if (Math.abs(k) > worst) worst = Math.abs(k);
    }
  }
  return worst;
}
