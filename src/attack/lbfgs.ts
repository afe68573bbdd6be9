// A box-constrained quasi-Newton minimiser for the L-BFGS attack: projected L-BFGS. Each iteration
// takes the L-BFGS direction (two-loop recursion over the last m pairs) on the free variables — a
// variable at a bound whose gradient pushes outward is held — and a backtracking Armijo search
// along the projected path P(z + t·d). This is the projected variant, not Byrd–Lu–Nocedal–Zhu's
// generalised Cauchy point; on a box it keeps every iterate feasible and reduces to L-BFGS inside.
import { axpy, dot } from '../linalg/blas1.js';

export interface BoxProblem {
  /** f(z) only (cheap: a forward pass) */
  value(z: Float64Array): Promise<number>;
  /** f(z) and ∇f(z) */
  valueAndGradient(z: Float64Array): Promise<{ f: number; g: Float64Array }>;
  lower: number;
  upper: number;
}

export interface LbfgsOptions {
  maxIter: number;
  /** pairs kept (default 8) */
  memory?: number;
  /** stop when the projected gradient's largest entry falls below this (default 1e-6) */
  pgTol?: number;
  /** called after each accepted step; return true to stop */
  onStep?: (z: Float64Array, f: number) => boolean | Promise<boolean>;
}

export interface LbfgsResult { z: Float64Array; f: number; iterations: number; evaluations: number }

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Minimises f over the box [lower, upper]ⁿ from z0 (projected onto the box first). */
export async function minimizeBox(p: BoxProblem, z0: Float64Array, o: LbfgsOptions): Promise<LbfgsResult> {
  const m = o.memory ?? 8, tol = o.pgTol ?? 1e-6;
  const n = z0.length;
  let z = Float64Array.from(z0, (v) => clamp(v, p.lower, p.upper));
  let { f, g } = await p.valueAndGradient(z);
  let evaluations = 1;
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  let it = 0;
  const free = (i: number) => !((z[i]! <= p.lower && g[i]! > 0) || (z[i]! >= p.upper && g[i]! < 0));
  for (; it < o.maxIter; it++) {
    let pg = 0;
    for (let i = 0; i < n; i++) pg = Math.max(pg, Math.abs(clamp(z[i]! - g[i]!, p.lower, p.upper) - z[i]!));
    if (pg < tol) break;
    // two-loop recursion on the free variables
    const d = Float64Array.from(g, (v, i) => (free(i) ? -v : 0));
    const alpha: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) { alpha[k] = rho[k]! * dot(S[k]!, d); axpy(-alpha[k]!, Y[k]!, d); }
    if (S.length) { const last = S.length - 1; const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!); for (let i = 0; i < n; i++) d[i]! *= gamma; }
    for (let k = 0; k < S.length; k++) { const beta = rho[k]! * dot(Y[k]!, d); axpy(alpha[k]! - beta, S[k]!, d); }
    for (let i = 0; i < n; i++) if (!free(i)) d[i] = 0;
    let slope = dot(d, g);
    if (!(slope < 0)) { // not a descent direction: restart from the projected steepest descent
      S.length = 0; Y.length = 0; rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = free(i) ? -g[i]! : 0;
      slope = dot(d, g);
    }
    // first step of a fresh memory: a unit-length move; afterwards the quasi-Newton step t = 1
    let t = S.length ? 1 : 1 / Math.max(1e-12, Math.sqrt(dot(d, d)));
    let zNew = z, fNew = f, accepted = false;
    for (let trial = 0; trial < 20; trial++) {
      zNew = Float64Array.from(z, (v, i) => clamp(v + t * d[i]!, p.lower, p.upper));
      fNew = await p.value(zNew);
      evaluations++;
      let dec = 0;
      for (let i = 0; i < n; i++) dec += g[i]! * (zNew[i]! - z[i]!);
      if (fNew <= f + 1e-4 * dec) { accepted = true; break; }
      t /= 2;
    }
    if (!accepted) break;
    const next = await p.valueAndGradient(zNew);
    evaluations++;
    const s = Float64Array.from(zNew, (v, i) => v - z[i]!);
    const y = Float64Array.from(next.g, (v, i) => v - g[i]!);
    const sy = dot(s, y);
    if (sy > 1e-10 * dot(y, y)) {
      S.push(s); Y.push(y); rho.push(1 / sy);
      if (S.length > m) { S.shift(); Y.shift(); rho.shift(); }
    }
    z = zNew; f = next.f; g = next.g;
    if (o.onStep && (await o.onStep(z, f))) { it++; break; }
  }
  return { z, f, iterations: it, evaluations };
}
