// Square Attack (Andriushchenko, Croce, Flammarion, Hein, ECCV 2020): score-based and gradient-free
// random search. Each iteration changes the perturbation on one random square window, whose side
// follows the paper's schedule for p (the fraction of pixels changed, halved at iterations 10, 50,
// 200, 500, 1000, 2000, 4000, 6000, 8000 of a 10 000-iteration run, rescaled to the budget), and
// keeps the change only when the loss falls. Loss: the margin z_y − max_{k≠y} z_k untargeted, the
// cross-entropy of the target class targeted (as the paper). L∞: vertical stripes of ±ε to start,
// then a window set to ±ε per channel; every coordinate of the result is x ± ε or a box bound.
// L2: the paper's pseudo-Gaussian bumps, mass moved from a second window into the first, the whole
// perturbation rescaled to ε; the result's ‖r‖₂ is ε or less (clipping to the box only shrinks it).
// Pixels are H×W×K (src/image's layout); the model is only queried for logits.
import { invalidParameter } from '../core/errors.js';
import { rng, type Rng } from '../linalg/random.js';
import type { Classifier } from './classifier.js';
import { logSumExp } from './classifier.js';
import { argmax, type AttackNorm, type AttackResult } from './pgd.js';

export interface SquareOptions {
  norm: AttackNorm;
  /** radius on the [0, 1] pixel scale (L∞: per pixel; L2: of the whole perturbation) */
  eps: number;
  /** most model queries per image, the clean image and the starting point included (≥ 2) */
  queries: number;
  /** first fraction of pixels changed per window (default: the paper's 0.05 for L∞, 0.1 for L2) */
  pInit?: number;
  /** target class; undefined: untargeted (leave the clean top-1 class) */
  label?: number;
  seed?: number;
  /** pixel layout */
  height: number;
  width: number;
  channels: number;
}

/** The paper's schedule: p at iteration `it` of `total` (its schedule is written for 10 000). */
export function squareFraction(pInit: number, it: number, total: number): number {
  const i = Math.floor((it / total) * 10000);
  const cuts = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];
  let p = pInit;
  for (const c of cuts) if (i > c) p /= 2;
  return i > 10000 ? pInit : p;
}

/** The paper's "pseudo-Gaussian" rectangle: nested rectangles around the centre, weights 1/(k+1)². */
function bumpRectangle(rows: number, cols: number): Float64Array {
  const d = new Float64Array(rows * cols);
  const ch = Math.floor(rows / 2) + 1, cw = Math.floor(cols / 2) + 1;
  let r0 = ch - 1, c0 = cw - 1;
  for (let k = 0; k < Math.max(ch, cw); k++) {
    for (let r = Math.max(r0, 0); r < Math.min(r0 + 2 * k + 1, rows); r++) {
      for (let c = Math.max(c0, 0); c < Math.min(c0 + 2 * k + 1, cols); c++) d[r * cols + c]! += 1 / (k + 1) ** 2;
    }
    r0--; c0--;
  }
  return d;
}

function normalize(d: Float64Array): Float64Array {
  let s = 0;
  for (const v of d) s += v * v;
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < d.length; i++) d[i]! /= n;
  return d;
}

/** The L2 update's s×s pattern: a bump on the top half, its negative below, unit norm, transposed half the time. */
function squareBump(s: number, g: Rng): Float64Array {
  const top = Math.floor(s / 2);
  const a = normalize(bumpRectangle(top, s)), b = normalize(bumpRectangle(s - top, s));
  const d = new Float64Array(s * s);
  d.set(a, 0);
  for (let i = 0; i < b.length; i++) d[top * s + i] = -b[i]!;
  normalize(d);
  if (g.uniform() > 0.5) {
    const t = new Float64Array(s * s);
    for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) t[c * s + r] = d[r * s + c]!;
    return t;
  }
  return d;
}

const sign = (g: Rng) => (g.uniform() < 0.5 ? -1 : 1);
const randint = (g: Rng, n: number) => Math.floor(g.uniform() * n); // 0 … n − 1

/**
 * Square Attack from pixels x (H×W×K in [0, 1]).
 * @returns the best point found (the first that reaches the goal), with steps = iterations after the start
 * @throws RangeError/TypeError for bad options
 */
export async function squareAttack(cl: Classifier, x: Float64Array, o: SquareOptions): Promise<AttackResult> {
  if (o.norm !== 'linf' && o.norm !== 'l2') throw invalidParameter('norm', 'one of linf, l2', o.norm);
  if (!(o.eps > 0) || !Number.isFinite(o.eps)) throw invalidParameter('eps', 'a positive number', o.eps, RangeError);
  if (!Number.isInteger(o.queries) || o.queries < 2) throw invalidParameter('queries', 'an integer ≥ 2', o.queries, RangeError);
  const pInit = o.pInit ?? (o.norm === 'linf' ? 0.05 : 0.1);
  if (!(pInit > 0 && pInit <= 1)) throw invalidParameter('p-init', 'a number in (0, 1]', pInit, RangeError);
  const H = o.height, W = o.width, K = o.channels;
  if (H * W * K !== x.length) throw new RangeError(`square: ${H}×${W}×${K} pixels expected but received ${x.length} values`);
  const g = rng(o.seed ?? 0);
  const before = await cl.logits(x);
  const source = argmax(before);
  const targeted = o.label !== undefined;
  const y = o.label ?? source;
  const reached = (z: ArrayLike<number>) => (targeted ? argmax(z) === y : argmax(z) !== source);
  const loss = (z: Float64Array) => {
    if (targeted) return logSumExp(z) - z[y]!;
    let other = -Infinity;
    for (let k = 0; k < z.length; k++) if (k !== y) other = Math.max(other, z[k]!);
    return z[y]! - other;
  };
  const clip = (v: number) => Math.min(1, Math.max(0, v));
  const at = (r: number, c: number, k: number) => (r * W + c) * K + k;

  // the starting point
  let best: Float64Array = new Float64Array(x.length);
  if (o.norm === 'linf') {
    for (let c = 0; c < W; c++) for (let k = 0; k < K; k++) {
      const e = sign(g) * o.eps;
      for (let r = 0; r < H; r++) best[at(r, c, k)] = clip(x[at(r, c, k)]! + e);
    }
  } else {
    const d = new Float64Array(x.length);
    const s = Math.max(1, Math.floor(H / 5));
    const start = Math.max(0, Math.floor((H - 5 * s) / 2));
    for (let i = 0; i < Math.floor(H / s); i++) for (let j = 0; j < Math.floor(W / s); j++) {
      const r0 = start + i * s, c0 = start + j * s;
      const bump = squareBump(s, g);
      for (let k = 0; k < K; k++) {
        const e = sign(g);
        for (let r = 0; r < s && r0 + r < H; r++) for (let c = 0; c < s && c0 + c < W; c++) d[at(r0 + r, c0 + c, k)]! += e * bump[r * s + c]!;
      }
    }
    best = rescaled(x, d, o.eps);
  }
  let zBest: Float64Array = await cl.logits(best);
  let lBest = loss(zBest);
  const iterations = o.queries - 2;
  let it = 0;
  while (it < iterations && !reached(zBest)) {
    const p = squareFraction(pInit, it, iterations);
    it++;
    const side = Math.min(H, W);
    const delta = Float64Array.from(best, (v, i) => v - x[i]!);
    let cand: Float64Array;
    if (o.norm === 'linf') {
      const s = Math.min(Math.max(Math.round(Math.sqrt(p * H * W)), 1), Math.max(1, side - 1));
      const r0 = randint(g, H - s + 1), c0 = randint(g, W - s + 1);
      // redraw the window's signs until they change the current point (the paper's loop; ≤ 2^K
      // patterns, at least one differs, so a few draws suffice)
      for (let tries = 0; tries < 64; tries++) {
        const e = Array.from({ length: K }, () => sign(g) * o.eps);
        let changed = false;
        for (let r = r0; r < r0 + s; r++) for (let c = c0; c < c0 + s; c++) for (let k = 0; k < K; k++) {
          const i = at(r, c, k);
          delta[i] = e[k]!;
          if (Math.abs(clip(x[i]! + e[k]!) - best[i]!) >= 1e-7) changed = true;
        }
        if (changed) break;
      }
      cand = Float64Array.from(x, (v, i) => clip(v + delta[i]!));
    } else {
      let s = Math.max(Math.round(Math.sqrt(p * H * W)), 3);
      if (s % 2 === 0) s++;
      s = Math.min(s, Math.max(1, side - 1));
      const r1 = randint(g, H - s + 1), c1 = randint(g, W - s + 1);
      const r2 = randint(g, H - s + 1), c2 = randint(g, W - s + 1);
      const inW = (r: number, c: number, r0: number, c0: number) => r >= r0 && r < r0 + s && c >= c0 && c < c0 + s;
      let total = 0;
      for (const v of delta) total += v * v;
      const bump = squareBump(s, g);
      for (let k = 0; k < K; k++) {
        // per channel: the norm in window 1, and in the union of both windows (moved into window 1)
        let n1 = 0, nu = 0;
        for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) {
          const in1 = inW(r, c, r1, c1);
          if (!in1 && !inW(r, c, r2, c2)) continue;
          const v = delta[at(r, c, k)]! ** 2;
          nu += v;
          if (in1) n1 += v;
        }
        const e = sign(g);
        const upd = new Float64Array(s * s);
        for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) upd[r * s + c] = e * bump[r * s + c]! + delta[at(r1 + r, c1 + c, k)]! / (1e-10 + Math.sqrt(n1));
        normalize(upd);
        const scale = Math.sqrt(Math.max(o.eps * o.eps - total, 0) / K + nu);
        for (let r = r2; r < r2 + s; r++) for (let c = c2; c < c2 + s; c++) delta[at(r, c, k)] = 0;
        for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) delta[at(r1 + r, c1 + c, k)] = upd[r * s + c]! * scale;
      }
      cand = rescaled(x, delta, o.eps);
    }
    const z = await cl.logits(cand);
    const l = loss(z);
    if (l < lBest) { best = cand; zBest = z; lBest = l; }
  }
  return { adversarial: best, success: reached(zBest), steps: it, before, after: zBest };
}

/** x + ε·d/‖d‖₂, clipped to the pixel box (d = 0 gives x). */
function rescaled(x: Float64Array, d: Float64Array, eps: number): Float64Array {
  let s = 0;
  for (const v of d) s += v * v;
  const f = s > 0 ? eps / Math.sqrt(s) : 0;
  return Float64Array.from(x, (v, i) => Math.min(1, Math.max(0, v + f * d[i]!)));
}
