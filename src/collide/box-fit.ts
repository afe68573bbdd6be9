// The box fit: the point of {δ : A δ = 0, lo ≤ δ ≤ hi} closest to a goal g — the exact collision
// x' = x + δ inside the pixel box nearest to the requested x + α·d (or to a target T). A convex
// quadratic program, solved in two stages:
//
// 1. ADMM on δ ∈ ker(A), ζ ∈ box, δ = ζ (scaled form, over-relaxed, ρ balanced between the primal
//    and dual residuals; Boyd et al. 2011): δ ← P((g + ρ(ζ − u))/(1 + ρ)), ζ ← clip(δ + u), u ← u + δ − ζ.
//    Each step is one projection onto ker(A) — with the factored normal equations a few
//    convolutions and a band solve — and a clip. The box ADMM sees is shrunk by a margin (at most
//    a quarter of each side's room), so that once ‖δ − ζ‖∞ is below it the projected δ is inside.
// 2. The exact stage. δ comes out of a projection, so A δ = 0 to round-off. Entries it still has
//    outside the box are held on the bound they crossed and the others completed to A δ = 0 with
//    the least change — δ = w − D Aᵀy, (A D Aᵀ) y = A w (completion()) — for a few rounds. When the
//    free entries cannot absorb the held values (a row of A with all its entries held), those
//    entries are held where x is instead (δ_i = 0: then A w lies in range(A_K), always solvable).
//    Whatever is left is met by shrinking δ towards 0 (δ = 0 is feasible and A(γδ) = 0).
//
// An entry on a bound (room ≤ `freeze` on a side: a white or black pixel) is held at δ = 0 from
// the start, through a projector restricted to the other entries: a projected δ is never exactly
// 0 anywhere, so a saturated pixel would otherwise leave the box by a rounding-sized amount and
// the shrink would have to be 0. (Letting a white pixel darken is a one-sided constraint the
// active-set stage can take in principle; measured on text crops, the held sets it needs leave
// rows of A with almost no free pixels and the completions stall, so the tool does not.)
// Exactness is certified by the caller's float64 residual of the stored x', never by this solver.
import type { LinearOperator } from '../linalg/operator.js';
import { rng } from '../linalg/random.js';

export interface BoxFitOptions {
  /** ADMM iterations at most (default 100) */
  maxIter?: number;
  /** margin (model units) the ADMM box keeps from each bound (default 1e-3) */
  margin?: number;
  /** an entry with room ≤ this on a side is held at δ = 0 (per entry, or one number; default 0) */
  freeze?: number | Float64Array;
  /** the exact stage's completion for a keep set (default: completion() below with `preconditioner`) */
  completeFor?: (keep: Uint8Array) => (w: Float64Array) => Completion;
  /** M ≈ (A D Aᵀ)⁻¹ for the default completion (D = the kept entries) */
  preconditioner?: (r: Float64Array, out: Float64Array) => void;
  /** the default completion's CG: relative tolerance (of ‖A‖‖δ‖) and iteration cap (default 1e-14, 500) */
  tol?: number; maxInner?: number;
  /** ‖A‖₂ (or an upper bound), the scale of the completion's tolerance (default 1) */
  norm?: number;
  /** warm start: ζ and u of an earlier solve for a nearby goal */
  warm?: { zeta: Float64Array; u: Float64Array; rho: number };
}

export interface BoxFitResult {
  /** δ ∈ ker(A) inside [lo, hi] (cols); all zeros when nothing fits */
  delta: Float64Array;
  /** ADMM iterations run */
  iterations: number;
  /** max |δ − ζ| when ADMM stopped (model units) */
  gap: number;
  /** rounds of the exact stage (what crossed held on its bound, the rest completed) */
  pinRounds: number;
  /** shrink applied at the end (1: none) */
  gamma: number;
  /** share of entries on a bound of the box at the end */
  active: number;
  /** share of entries held by the end: at δ = 0 from the start (on a bound), or on a bound by the exact stage */
  frozen: number;
  /** state for a warm start */
  warm: { zeta: Float64Array; u: Float64Array; rho: number };
}

/** ADMM over-relaxation α ∈ [1.5, 1.8] (Boyd et al. 2011, §3.4.3). */
const RELAX = 1.6;

/** CG steps over which the completion's residual must halve, or it stops. */
const STALL_WINDOW = 40;

/** Rounds of the exact stage at most. */
const MAX_HOLD_ROUNDS = 8;

/**
 * Whether ker(A) has room on the movable entries, counted: a movable entry no row reads is a free
 * direction; else the movable columns must outnumber the rows they reach, or (for a generic A, as
 * trained weights are) only δ = 0 is left. Held entries of a saturated channel can leave exactly
 * that (a light-blue background at B = 255 holds a third of the entries of a 3×3/2 conv 8←3, whose
 * rows are two thirds of the entries): the projections would then run to their iteration cap for
 * nothing. Reach is read off A·w and Aᵀ·r with positive random w, r (zero only where nothing reads).
 */
function roomLeft(op: LinearOperator, movable: Uint8Array, count: number): boolean {
  const g = rng(0);
  const next = () => 1 + g.uniform();
  const w = new Float64Array(op.cols);
  for (let i = 0; i < w.length; i++) if (movable[i]) w[i] = next();
  const y = op.apply(w);
  let reached = 0;
  for (let i = 0; i < y.length; i++) if (y[i] !== 0) reached++;
  const r = Float64Array.from({ length: op.rows }, next);
  const z = op.applyT(r);
  for (let i = 0; i < z.length; i++) if (movable[i] && z[i] === 0) return true;
  return count > reached;
}

function nrm(a: Float64Array): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!; return Math.sqrt(s); }

/**
 * Solves min ½‖δ − g‖² subject to A δ = 0 and lo ≤ δ ≤ hi (lo ≤ 0 ≤ hi, so δ = 0 is feasible).
 * @param op A (rows × cols)
 * @param projectorFor keep ↦ (v ↦ the orthogonal projection of v onto ker(A) ∩ {δ = 0 outside keep},
 *   to round-off), used by ADMM with the entries that cannot move at all (lo = hi); undefined: none
 * @param g the goal (cols); lo, hi the bounds (cols), lo ≤ 0 ≤ hi
 */
export function boxFit(op: LinearOperator, projectorFor: (keep: Uint8Array | undefined) => (v: Float64Array) => Float64Array,
  g: Float64Array, lo: Float64Array, hi: Float64Array, opts: BoxFitOptions = {}): BoxFitResult {
  const n = op.cols;
  const freeze = opts.freeze ?? 0;
  const maxIter = opts.maxIter ?? 100;
  const margin = opts.margin ?? 1e-3;
  // an entry with a side of no room (≤ freeze) is held: lo = hi = 0
  lo = Float64Array.from(lo); hi = Float64Array.from(hi);
  const base = new Uint8Array(n); // entries that may move
  let movable = 0;
  for (let i = 0; i < n; i++) {
    const f = typeof freeze === 'number' ? freeze : freeze[i]!;
    if (hi[i]! <= f || -lo[i]! <= f) { lo[i] = 0; hi[i] = 0; } else { base[i] = 1; movable++; }
  }
  // the ADMM box: each side shrunk by the margin, or by a quarter of its room when that is less
  const loM = new Float64Array(n); const hiM = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    loM[i] = lo[i]! + Math.min(margin, -0.25 * lo[i]!);
    hiM[i] = hi[i]! - Math.min(margin, 0.25 * hi[i]!);
  }
  let rho = opts.warm?.rho ?? 1;
  const zeta = opts.warm ? Float64Array.from(opts.warm.zeta) : clipInto(new Float64Array(n), g, loM, hiM);
  if (movable === 0 || !roomLeft(op, base, movable)) return { delta: new Float64Array(n), iterations: 0, gap: 0, pinRounds: 0, gamma: 0, active: 1, frozen: 1 - movable / n, warm: { zeta, u: new Float64Array(n), rho } };
  const project = projectorFor(movable < n ? base : undefined);
  const completeFor = opts.completeFor ?? ((k: Uint8Array) => (w: Float64Array) => completion(op, w, k, opts));
  const u = opts.warm ? Float64Array.from(opts.warm.u) : new Float64Array(n);
  const v = new Float64Array(n);
  let delta: Float64Array = new Float64Array(n);
  let gap = Infinity; let it = 0; let lastGap = Infinity;
  const gn = Math.max(nrm(g), 1e-300);
  for (; it < maxIter; it++) {
    for (let i = 0; i < n; i++) v[i] = (g[i]! + rho * (zeta[i]! - u[i]!)) / (1 + rho);
    delta = project(v);
    let rp2 = 0; let rd2 = 0; gap = 0;
    for (let i = 0; i < n; i++) {
      // over-relaxed (Boyd et al. §3.4.3): δ̂ = αδ + (1 − α)ζ
      const dh = RELAX * delta[i]! + (1 - RELAX) * zeta[i]!;
      const t = dh + u[i]!;
      const z = t < loM[i]! ? loM[i]! : t > hiM[i]! ? hiM[i]! : t;
      rd2 += (z - zeta[i]!) ** 2;
      const r = delta[i]! - z;
      zeta[i] = z;
      u[i]! += dh - z;
      rp2 += r * r;
      if (Math.abs(r) > gap) gap = Math.abs(r);
    }
    const rp = Math.sqrt(rp2); const rd = rho * Math.sqrt(rd2);
    if (gap <= 0.25 * margin && rd <= 1e-3 * gn) { it++; break; }
    // stalled: the exact stage below takes what ADMM reached
    if (it % 20 === 19) { if (gap > 0.9 * lastGap) { it++; break; } lastGap = gap; }
    // residual balancing (Boyd et al. §3.4.1); u is scaled by 1/ρ
    if (rp > 10 * rd) { rho *= 2; for (let i = 0; i < n; i++) u[i]! *= 0.5; }
    else if (rd > 10 * rp) { rho *= 0.5; for (let i = 0; i < n; i++) u[i]! *= 2; }
  }
  const warm = { zeta: Float64Array.from(zeta), u: Float64Array.from(u), rho };
  // the exact stage: hold what is outside on the bound it crossed (else, when the free entries
  // cannot absorb that, where x is), complete the rest, a few rounds
  const keep = Uint8Array.from(base);
  const value = new Float64Array(n);
  const fresh = new Uint8Array(n);
  let pinRounds = 0;
  for (; pinRounds < MAX_HOLD_ROUNDS; pinRounds++) {
    let added = 0;
    fresh.fill(0);
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      if (delta[i]! > hi[i]!) { keep[i] = 0; value[i] = hi[i]!; fresh[i] = 1; added++; } else if (delta[i]! < lo[i]!) { keep[i] = 0; value[i] = lo[i]!; fresh[i] = 1; added++; }
    }
    if (!added) break;
    const attempt = (): Completion => {
      const w = Float64Array.from(delta);
      for (let i = 0; i < n; i++) if (!keep[i]) w[i] = value[i]!;
      return completeFor(keep)(w);
    };
    let c = attempt();
    if (!c.ok) { for (let i = 0; i < n; i++) if (fresh[i]) value[i] = 0; c = attempt(); }
    if (!c.ok) { for (let i = 0; i < n; i++) if (fresh[i]) keep[i] = 1; break; } // δ as it was: the shrink decides
    delta = c.delta;
  }
  const held = n - count(keep);
  const frozen = held / n;
  // shrink towards 0 for what is left outside (entries with room on the violated side)
  let gamma = 1;
  for (let i = 0; i < n; i++) {
    const d = delta[i]!;
    if (d > hi[i]!) gamma = Math.min(gamma, hi[i]! > 0 ? hi[i]! / d : 0);
    else if (d < lo[i]!) gamma = Math.min(gamma, lo[i]! < 0 ? lo[i]! / d : 0);
  }
  if (gamma < 1) for (let i = 0; i < n; i++) delta[i]! *= gamma;
  // entries within rounding of a bound land on it (x' ∈ [0, 1] exactly, not 1 + 1 ulp)
  let active = 0;
  for (let i = 0; i < n; i++) {
    const d = delta[i]!;
    if (d >= hi[i]!) { delta[i] = Math.min(d, hi[i]!); active++; } else if (d <= lo[i]!) { delta[i] = Math.max(d, lo[i]!); active++; }
  }
  return { delta, iterations: it, gap, pinRounds, gamma, active: n ? active / n : 0, frozen, warm };
}

function count(keep: Uint8Array): number { let k = 0; for (let i = 0; i < keep.length; i++) if (keep[i]) k++; return k; }

function clipInto(out: Float64Array, v: Float64Array, lo: Float64Array, hi: Float64Array): Float64Array {
  for (let i = 0; i < v.length; i++) out[i] = v[i]! < lo[i]! ? lo[i]! : v[i]! > hi[i]! ? hi[i]! : v[i]!;
  return out;
}

/**
 * The completion of w for a keep set: δ with δ = w outside keep, A δ = 0, and δ − w as small as
 * possible on keep — δ = w − D Aᵀ y with (A D Aᵀ) y = A w, D the kept entries — by preconditioned
 * CG with refinement on the true residual. Not ok when the kept entries cannot absorb A w (the
 * system is inconsistent: residual stuck above 1e-12 of ‖A‖‖w‖) or CG ran out of iterations.
 */
export interface Completion {
  /** δ: = w outside keep, A δ = 0 when ok */
  delta: Float64Array;
  /** Aᵀy (cols), the multiplier term: on keep, δ = w − Aᵀy */
  aty: Float64Array;
  /** A δ reached to round-off; false: the kept entries cannot absorb A w (or CG ran out) */
  ok: boolean;
  /** A δ (rows): where it is not 0, the held values conflict */
  residual: Float64Array;
}

export function completion(op: LinearOperator, w: Float64Array, keep: Uint8Array,
  opts: { norm?: number; tol?: number; maxInner?: number; preconditioner?: (r: Float64Array, out: Float64Array) => void } = {}): Completion {
  const n = op.cols; const m = op.rows;
  const tol = opts.tol ?? 1e-14; const maxInner = opts.maxInner ?? 500; const M = opts.preconditioner;
  const delta = Float64Array.from(w);
  const r = op.apply(delta);
  const scale = (opts.norm ?? 1) * nrm(delta);
  const s = new Float64Array(m); const p = new Float64Array(m); const q = new Float64Array(m); const u = new Float64Array(n);
  const y = new Float64Array(m);
  let iterations = 0; let best = Infinity; let windowStart = Infinity;
  for (let pass = 0; pass < 4; pass++) {
    const rn = nrm(r);
    if (rn <= tol * scale || rn > 0.5 * best) break;
    best = rn;
    const target = 0.25 * tol * scale;
    if (M) M(r, s); else s.set(r);
    p.set(s);
    let rs = dotv(r, s);
    while (iterations < maxInner) {
      op.applyT(p, u);
      for (let i = 0; i < n; i++) if (!keep[i]) u[i] = 0;
      const uu = dotv(u, u);
      if (!(uu > 0) || !(rs > 0)) break;
      op.apply(u, q);
      iterations++;
      const a = rs / uu;
      for (let i = 0; i < m; i++) y[i]! += a * p[i]!;
      for (let i = 0; i < n; i++) delta[i]! -= a * u[i]!;
      for (let i = 0; i < m; i++) r[i]! -= a * q[i]!;
      const rn = nrm(r);
      if (rn <= target) break;
      // an inconsistent system (held values no free entry can absorb) or a poor preconditioner: CG
      // stops making progress; give up early rather than wander for thousands of steps
      if (iterations % STALL_WINDOW === 0) { if (rn > 0.5 * windowStart) break; windowStart = rn; }
      if (M) M(r, s); else s.set(r);
      const rsNew = dotv(r, s);
      const beta = rsNew / rs; rs = rsNew;
      for (let i = 0; i < m; i++) p[i] = s[i]! + beta * p[i]!;
    }
    op.apply(delta, r);
  }
  return { delta, aty: op.applyT(y), ok: nrm(r) <= Math.max(1e-12 * scale, 1e3 * tol * scale), residual: r };
}

function dotv(a: Float64Array, b: Float64Array): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; }
