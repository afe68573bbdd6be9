// The two perturbation directions drift compares, built by collide: operator mode (seeded noise
// projected onto ker(A_img)) and the paper's patch mode (a ker(W) vector folded into every window),
// each with its true first-layer residual ‖A δ‖ / (‖A‖ ‖δ‖) in float64.
import { prepareCollider, NoExactCollision } from '../collide/collider.js';
import type { FirstLayerSpec } from '../collide/layer.js';
import { norm2 } from './metrics.js';
import type { ModelProto } from '../onnx/proto.js';
import type { LoadedLayer } from '../collide/model-layer.js';
import { stemChain } from '../stem/chain.js';
import { prepareStem } from '../stem/collider.js';

export interface DriftDirections {
  /** δ ∈ ker(A_img), model space */
  delta: Float64Array;
  /** ‖A δ‖ / (‖A‖ ‖δ‖) */
  residual: number;
  /** solver iterations of the projection */
  iterations?: number;
  /** the patch-mode direction, when ker(W) is non-trivial */
  patch?: Float64Array;
  patchResidual?: number;
  /** why there is no patch direction */
  patchNote?: string;
  /** ‖A_img‖₂ used for the residuals */
  norm: number;
}

/**
 * @param layer collide's first-layer spec at the model's input size
 * @param x the original (model space), the point the search starts from
 * @param affine per model channel mean/std (pixel = model·std + mean)
 * @throws NoExactCollision when ker(A_img) is trivial (drift needs an exact δ)
 */
export function driftDirections(layer: FirstLayerSpec, x: Float64Array, affine: { mean: readonly number[]; std: readonly number[] }, seed = 0): DriftDirections {
  const a = { mean: Float64Array.from(affine.mean), std: Float64Array.from(affine.std) };
  // the raw projected direction: drift scales it itself and measures clipping as its own channel (e)
  const op = prepareCollider(layer, { method: 'operator', direction: 'noise', seed, affine: a, fit: false });
  const m = op.collide(x, 0);
  const residualOf = (d: Float64Array) => {
    const n = norm2((i) => d[i]!, d.length);
    const y = op.image.op.apply(d);
    return n === 0 ? 0 : norm2((i) => y[i]!, y.length) / (op.norm * n);
  };
  const out: DriftDirections = { delta: m.delta, residual: residualOf(m.delta), iterations: m.solver?.iterations, norm: op.norm };
  try {
    const p = prepareCollider(layer, { method: 'patch', direction: 'noise', seed, affine: a }).collide(x, 0);
    out.patch = p.delta;
    out.patchResidual = residualOf(p.delta);
  } catch (e) {
    if (!(e instanceof NoExactCollision) && !(e instanceof RangeError)) throw e;
    out.patchNote = e.message;
  }
  return out;
}

/** drift's direction past an injective first layer: the stem collision at collide's default strength. */
export interface StemDirection {
  /** x′ − x, model space: x + t·δ lies on the level set for t ∈ [0, 1] (the polytope is convex) */
  delta: Float64Array;
  /** L and the certificates of x + δ */
  at: string;
  /** pixel RMS of δ: channel (a) is exact for α up to this */
  rms: number;
  /** ‖A_S δ‖/(‖A_S‖‖δ‖), L's float64 and float32 relative output differences, smallest slack, bounds flipped by float32 rounding */
  equalityResidual: number; residual64: number; residual32: number; minSlack: number; flips32: number;
  equalities: number; inequalities: number;
}

/**
 * The stem collision drift perturbs along when the first layer is injective.
 * @throws NoExactCollision (from the caller's view) when no stem tensor is usable: returns undefined
 */
export function stemDirection(model: ModelProto, layer: LoadedLayer, x: Float64Array, affine: { mean: readonly number[]; std: readonly number[] }, seed = 0): StemDirection | undefined {
  if (layer.spec.kind !== 'conv') return undefined;
  const chain = stemChain(model, layer);
  if (!chain.candidates.some((c) => c.refused === null)) return undefined;
  const a = { mean: Float64Array.from(affine.mean), std: Float64Array.from(affine.std) };
  const st = prepareStem(chain, { affine: a, seed });
  const r = st.collide(x, 0);
  const xp = x.map((v, i) => v + r.delta[i]!);
  const m = st.measure(x, [xp], r.at, r.levelSet)[0]!;
  return {
    delta: r.delta, at: r.level.tensor, rms: r.strength.reached,
    equalityResidual: m.equalityResidual, residual64: m.residual.float64, residual32: m.residual.float32, minSlack: m.minSlack, flips32: m.flips32,
    equalities: r.level.equalities, inequalities: r.level.inequalities,
  };
}
