// The L-BFGS attack of Szegedy et al. (2014): minimise c·‖r‖₂² + CE(x + r, K) over x + r in the
// pixel box (box-constrained quasi-Newton, lbfgs.ts), with a search over c: the largest c whose
// minimiser still reaches class K gives the smallest r (c grows ×10 while it succeeds, shrinks ×10
// until it does, then bisects geometrically). Without a target, K is the runner-up class at x.
import { argmax, type AttackResult } from './pgd.js';
import type { Classifier } from './classifier.js';
import { logSumExp } from './classifier.js';
import { minimizeBox } from './lbfgs.js';

export interface SzegedyOptions {
  /** target class; default the runner-up at x */
  label?: number;
  /** L-BFGS iterations per value of c */
  iterations: number;
  /** values of c tried (default 8) */
  searchSteps?: number;
  /** first c (default 1) */
  c?: number;
}

export interface SzegedyResult extends AttackResult { c: number | null; label: number; iterations: number }

/** Runs the attack from pixels x (H×W×K in [0, 1]). */
export async function szegedy(cl: Classifier, x: Float64Array, o: SzegedyOptions): Promise<SzegedyResult> {
  const before = await cl.logits(x);
  const top = argmax(before);
  let label = o.label;
  if (label === undefined) { const z = Float64Array.from(before); z[top] = -Infinity; label = argmax(z); }
  const K = label;
  let iterations = 0;
  const run = async (c: number) => {
    const r = await minimizeBox({
      lower: 0, upper: 1,
      async value(z) {
        const logits = await cl.logits(z);
        let s = 0;
        for (let i = 0; i < z.length; i++) s += (z[i]! - x[i]!) ** 2;
        return c * s + logSumExp(logits) - logits[K]!;
      },
      async valueAndGradient(z) {
        const { loss, grad } = await cl.crossEntropy(z, K);
        let s = 0;
        for (let i = 0; i < z.length; i++) { const d = z[i]! - x[i]!; s += d * d; grad[i]! += 2 * c * d; }
        return { f: c * s + loss, g: grad };
      },
    }, x, { maxIter: o.iterations });
    iterations += r.iterations;
    const after = await cl.logits(r.z);
    let n2 = 0;
    for (let i = 0; i < x.length; i++) n2 += (r.z[i]! - x[i]!) ** 2;
    return { z: r.z, after, ok: argmax(after) === K, norm: Math.sqrt(n2) };
  };
  let best: { z: Float64Array; after: Float64Array; norm: number; c: number } | undefined;
  let last: { z: Float64Array; after: Float64Array } = { z: x, after: before };
  let lo: number | undefined, hi: number | undefined; // lo: a c that succeeded, hi: one that failed
  let c = o.c ?? 1;
  for (let k = 0; k < (o.searchSteps ?? 8); k++) {
    const r = await run(c);
    last = r;
    if (r.ok) { if (!best || r.norm < best.norm) best = { z: r.z, after: r.after, norm: r.norm, c }; lo = c; } else hi = c;
    c = lo !== undefined && hi !== undefined ? Math.sqrt(lo * hi) : lo !== undefined ? lo * 10 : hi! / 10;
  }
  const pick = best ?? last;
  return { adversarial: pick.z, success: !!best, steps: iterations, iterations, before, after: pick.after, c: best?.c ?? null, label: K };
}
