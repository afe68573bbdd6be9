// Projected gradient descent (Madry et al. 2018) in pixel space: a random start inside the ε-ball,
// then steps along sign(∇) (L∞) or ∇/‖∇‖ (L2) of the cross-entropy — up for an untargeted attack on
// the clean top-1 class, down for a target class — each followed by projection onto the ε-ball
// around x and the pixel box [0, 1]. Stops at the first step that reaches the goal.
import { invalidParameter } from '../core/errors.js';
import { rng } from '../linalg/random.js';
import type { Classifier } from './classifier.js';

export type AttackNorm = 'linf' | 'l2';

export interface PgdOptions {
  norm: AttackNorm;
  /** radius on the [0, 1] pixel scale (L∞: per pixel; L2: of the whole perturbation) */
  eps: number;
  steps: number;
  /** step on the same scale; default 2.5·ε/steps */
  stepSize?: number;
  /** target class; undefined: untargeted (leave the clean top-1 class) */
  label?: number;
  /** random start inside the ball (default true) */
  randomStart?: boolean;
  seed?: number;
}

export interface AttackResult {
  adversarial: Float64Array;
  success: boolean;
  /** steps taken (the step that succeeded, or all of them) */
  steps: number;
  before: Float64Array;
  after: Float64Array;
}

export const argmax = (z: ArrayLike<number>) => { let k = 0; for (let i = 1; i < z.length; i++) if (z[i]! > z[k]!) k = i; return k; };

/** Projects d onto the ε-ball of the norm (in place). */
function projectBall(d: Float64Array, norm: AttackNorm, eps: number): void {
  if (norm === 'linf') { for (let i = 0; i < d.length; i++) d[i] = Math.max(-eps, Math.min(eps, d[i]!)); return; }
  let s = 0;
  for (const v of d) s += v * v;
  const n = Math.sqrt(s);
  if (n > eps) for (let i = 0; i < d.length; i++) d[i]! *= eps / n;
}

/** x + d kept in [0, 1], with d updated to the perturbation that remains. */
function boxed(x: Float64Array, d: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) { out[i] = Math.min(1, Math.max(0, x[i]! + d[i]!)); d[i] = out[i]! - x[i]!; }
  return out;
}

/**
 * PGD from pixels x (H×W×K in [0, 1]).
 * @throws RangeError/TypeError for bad options
 */
export async function pgd(c: Classifier, x: Float64Array, o: PgdOptions): Promise<AttackResult> {
  if (o.norm !== 'linf' && o.norm !== 'l2') throw invalidParameter('norm', 'one of linf, l2', o.norm);
  if (!(o.eps > 0) || !Number.isFinite(o.eps)) throw invalidParameter('eps', 'a positive number', o.eps, RangeError);
  if (!Number.isInteger(o.steps) || o.steps < 1) throw invalidParameter('steps', 'a positive integer', o.steps, RangeError);
  const step = o.stepSize ?? (2.5 * o.eps) / o.steps;
  if (!(step > 0)) throw invalidParameter('step-size', 'a positive number', step, RangeError);
  const before = await c.logits(x);
  const source = argmax(before);
  const targeted = o.label !== undefined;
  const label = o.label ?? source;
  const reached = (z: ArrayLike<number>) => (targeted ? argmax(z) === label : argmax(z) !== source);
  const d = new Float64Array(x.length);
  if (o.randomStart !== false) {
    const g = rng(o.seed ?? 0);
    if (o.norm === 'linf') for (let i = 0; i < d.length; i++) d[i] = (2 * g.uniform() - 1) * o.eps;
    else {
      // uniform in the L2 ball: a Gaussian direction, radius ε·u^(1/n)
      for (let i = 0; i < d.length; i++) d[i] = g.normal();
      let s = 0;
      for (const v of d) s += v * v;
      const r = o.eps * g.uniform() ** (1 / d.length) / Math.sqrt(s);
      for (let i = 0; i < d.length; i++) d[i]! *= r;
    }
  }
  let xa = boxed(x, d);
  let after = before;
  let k = 0;
  while (k < o.steps) {
    k++;
    const { grad } = await c.crossEntropy(xa, label);
    const sign = targeted ? -1 : 1;
    if (o.norm === 'linf') for (let i = 0; i < d.length; i++) d[i]! += sign * step * Math.sign(grad[i]!);
    else {
      let s = 0;
      for (const v of grad) s += v * v;
      const n = Math.sqrt(s) || 1;
      for (let i = 0; i < d.length; i++) d[i]! += (sign * step * grad[i]!) / n;
    }
    projectBall(d, o.norm, o.eps);
    xa = boxed(x, d);
    after = await c.logits(xa);
    if (reached(after)) break;
  }
  return { adversarial: xa, success: reached(after), steps: k, before, after };
}
