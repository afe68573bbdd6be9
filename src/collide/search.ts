// --method operator: δ is the projection of a seed direction onto ker(A_img) (or onto
// ker(A_img) ∩ {δ = 0 outside a mask}), computed iteratively with convolution products only.
// Seed directions: seeded noise, t − x for a target image, or a ker(W) vector folded into every window.
import type { LinearOperator } from '../linalg/operator.js';
import { opNorm, projectToNullSpace } from '../linalg/project.js';
import { randn } from '../linalg/random.js';
import { restrictColumns } from '../linalg/restrict-columns.js';
import { foldWindows, windowVectors } from './patch.js';
import type { FirstLayerSpec } from './layer.js';
import type { WindowKernel } from './window.js';

/** Where the perturbation starts before projection. */
export type Direction =
  | { kind: 'noise' }
  | { kind: 'target'; /** model-space target tensor (CHW), same size as x */ target: Float64Array }
  | { kind: 'basis'; /** row of ker(W_g) to fold */ index: number };

/** The result of projecting one direction. */
export interface Projection {
  /** δ ∈ ker(A_img) (model space, CHW) */
  delta: Float64Array;
  /** the unprojected seed v */
  seed: Float64Array;
  /** ‖δ‖/‖v‖: share of the seed the null space holds (for --target: of ‖t − x‖) */
  captured: number;
  iterations: number;
  converged: boolean;
}

/** Projector onto ker(A_img), or onto ker(A_img) ∩ {δ = 0 where keep = 0}. */
export interface Projector {
  project(v: Float64Array): Projection;
  /** the operator it projects for (restricted when a mask is given) */
  op: LinearOperator;
}

export interface ProjectorOptions {
  /** relative tolerance of the solver (default 1e-13) */
  tol?: number;
  /** iteration cap (default 3000) */
  maxIter?: number;
  /** entries δ may use (1) or must leave at 0 (0); undefined: all */
  keep?: Uint8Array;
  /** ‖A‖₂ when known (saves an estimate per call; ignored with keep, whose sub-operator has its own) */
  norm?: number;
  /** with keep: ‖A restricted to keep‖₂ when known, or an upper bound such as ‖A‖₂ (default: estimated) */
  keepNorm?: number;
  /** M ≈ (A Aᵀ)⁻¹ on the rows (e.g. convPreconditioner); still SPD for a column-restricted A */
  preconditioner?: (r: Float64Array, out: Float64Array) => void;
}

/**
 * A projector for A_img. With `keep`, the operator is restricted to a column subset first, so
 * the result stays an exact null vector (masking after projecting would not).
 */
export function projector(op: LinearOperator, opts: ProjectorOptions = {}): Projector {
  const tol = opts.tol ?? 1e-13;
  const maxIter = opts.maxIter ?? 3000;
  const norm = (a: Float64Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!; return Math.sqrt(s); };
  if (!opts.keep) {
    return {
      op,
      project(v) {
        const r = projectToNullSpace(op, v, { tol, maxIter, norm: opts.norm, preconditioner: opts.preconditioner });
        const nv = norm(v);
        return { delta: r.delta, seed: v, captured: nv > 0 ? norm(r.delta) / nv : 0, iterations: r.iterations, converged: r.converged };
      },
    };
  }
  const sub = restrictColumns(op, opts.keep);
  const subNorm = opts.keepNorm ?? opNorm(sub.op);
  return {
    op: sub.op,
    project(v) {
      const r = projectToNullSpace(sub.op, sub.gather(v), { tol, maxIter, norm: subNorm, preconditioner: opts.preconditioner });
      const delta = sub.scatter(r.delta);
      const nv = norm(v);
      return { delta, seed: v, captured: nv > 0 ? norm(delta) / nv : 0, iterations: r.iterations, converged: r.converged };
    },
  };
}

/**
 * The seed direction v for one image (model space, CHW).
 * @param x the model-space image
 * @param weights optional per-entry multipliers (a mask) applied to the seed
 * @param seed noise seed (--seed, offset by the image index)
 */
export function seedDirection(dir: Direction, layer: FirstLayerSpec, kernels: WindowKernel[] | undefined, x: Float64Array, seed: number, weights?: Float64Array): Float64Array {
  let v: Float64Array;
  if (dir.kind === 'noise') v = randn(x.length, seed);
  else if (dir.kind === 'target') {
    v = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) v[i] = dir.target[i]! - x[i]!;
  } else {
    if (!kernels) throw new RangeError('--basis needs ker(W), but the window matrix is too large to factor');
    if (kernels.every((k) => k.k === 0)) throw new RangeError('--basis needs ker(W), but every window matrix W has a trivial kernel');
    v = foldWindows(layer, windowVectors(kernels, dir.index, seed));
  }
  if (weights) for (let i = 0; i < v.length; i++) v[i]! *= weights[i]!;
  return v;
}
