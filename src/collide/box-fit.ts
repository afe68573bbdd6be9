// The box fit: the point of {δ : A δ = 0, lo ≤ δ ≤ hi} closest to a goal g — the exact collision
// x' = x + δ inside the pixel box nearest to the requested x + α·d (or to a target T). A convex
// quadratic program, solved in two stages:
//
// 1. ADMM on δ ∈ ker(A), ζ ∈ box, δ = ζ (scaled form, ρ balanced between the primal and dual
//    residuals; Boyd et al. 2011): δ ← P((g + ρ(ζ − u))/(1 + ρ)), ζ ← clip(δ + u), u ← u + δ − ζ.
//    Each step is one projection onto ker(A) — with the factored normal equations a few
//    convolutions and a band solve — and a clip. The box ADMM sees is shrunk by a margin, so
//    that once ‖δ − ζ‖∞ is below it the projected δ is inside the true box with room to spare.
// 2. The exact final stage: δ comes out of a projection, so A δ = 0 to round-off; entries still
//    outside the true box are met by shrinking δ towards 0 (δ = 0 is feasible and A(γδ) = 0).
//
// An entry on a bound (room ≤ `freeze` on one side: a white or black pixel) may move inward only.
// ADMM treats it like any other entry; the exact stage then holds at exactly δ = 0 those that ADMM
// left on their bound, by projecting onto ker(A) ∩ {δ = 0 there} (a projector restricted to the
// other entries): a projected δ is never exactly 0 anywhere, so without that a saturated pixel would
// leave the box by a rounding-sized amount and the shrink would have to be 0. Saturated entries that
// moved inward keep a distance of about the margin from their bound, so the re-projection leaves
// them inside; one it pushes across joins the held ones for another round.
//
// Exactness is certified by the caller's float64 residual of the stored x', never by this solver.
// Entries with lo = hi = 0 stay at 0. When nothing fits (γ = 0) δ is all zeros, and says so.
import type { LinearOperator } from '../linalg/operator.js';

export interface BoxFitOptions {
  /** ADMM iterations at most (default 100) */
  maxIter?: number;
  /** margin (model units) the ADMM box keeps from each bound (default 1e-3) */
  margin?: number;
  /** entries with room ≤ this on either side are held at δ = 0 (per entry, or one number; default 0) */
  freeze?: number | Float64Array;
  /** the exact stage's completion for a keep set (default: completion() below with `preconditioner`) */
  completeFor?: (keep: Uint8Array) => (w: Float64Array) => Float64Array | undefined;
  /** M ≈ (A D Aᵀ)⁻¹ for the default completion (D = the kept entries) */
  preconditioner?: (r: Float64Array, out: Float64Array) => void;
  /** the default completion's CG: relative tolerance (of ‖A‖‖δ‖) and iteration cap (default 1e-14, 5000) */
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
  /** rounds of the exact stage's active-set polish */
  pinRounds: number;
  /** shrink applied at the end (1: none) */
  gamma: number;
  /** share of entries on a bound of the box at the end */
  active: number;
  /** share of entries held on a bound by the exact stage (or unable to move: lo = hi = 0) */
  frozen: number;
  /** state for a warm start */
  warm: { zeta: Float64Array; u: Float64Array; rho: number };
}

/** Rounds of holding crossed entries before every entry on a bound is held. */
const MAX_HOLD_ROUNDS = 4;

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
  // a side with no room (≤ freeze) is snapped to 0: the entry may only move away from it
  lo = Float64Array.from(lo); hi = Float64Array.from(hi);
  const base = new Uint8Array(n); // entries that may move at all (lo < hi)
  let movable = 0;
  for (let i = 0; i < n; i++) {
    const f = typeof freeze === 'number' ? freeze : freeze[i]!;
    if (hi[i]! <= f) hi[i] = 0;
    if (-lo[i]! <= f) lo[i] = 0;
    if (lo[i]! < hi[i]!) { base[i] = 1; movable++; }
  }
  // the ADMM box: each side shrunk by the margin, or by a quarter of its room when that is less
  // (δ = 0 stays inside it, so ADMM's problem keeps a feasible point)
  const loM = new Float64Array(n); const hiM = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    loM[i] = lo[i]! + Math.min(margin, -0.25 * lo[i]!);
    hiM[i] = hi[i]! - Math.min(margin, 0.25 * hi[i]!);
  }
  let rho = opts.warm?.rho ?? 1;
  const zeta = opts.warm ? Float64Array.from(opts.warm.zeta) : clipInto(new Float64Array(n), g, loM, hiM);
  if (movable === 0) return { delta: new Float64Array(n), iterations: 0, gap: 0, pinRounds: 0, gamma: 0, active: 1, frozen: 1, warm: { zeta, u: new Float64Array(n), rho } };
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
      const t = delta[i]! + u[i]!;
      const z = t < loM[i]! ? loM[i]! : t > hiM[i]! ? hiM[i]! : t;
      rd2 += (z - zeta[i]!) ** 2;
      zeta[i] = z;
      const r = delta[i]! - z;
      u[i]! += r;
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
  // The exact stage, an active-set polish: hold at exactly their bound the entries that ADMM left on
  // a side with no room (within half a margin) and the entries δ still has outside the box, restore
  // A δ = 0 through the others (completeFor), and repeat with whatever that pushed out.
  const keep = Uint8Array.from(base);
  const value = new Float64Array(n); // the held value of each held entry
  let held = n - movable;
  const eps = 0.5 * margin;
  let added = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    if ((hi[i] === 0 && zeta[i]! >= -eps) || (lo[i] === 0 && zeta[i]! <= eps)) { keep[i] = 0; added++; }
  }
  const holdCrossed = (d: Float64Array): number => {
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      if (d[i]! > hi[i]!) { keep[i] = 0; value[i] = hi[i]!; k++; } else if (d[i]! < lo[i]!) { keep[i] = 0; value[i] = lo[i]!; k++; }
    }
    return k;
  };
  added += holdCrossed(delta);
  let pinRounds = 0;
  for (; added > 0 && pinRounds < MAX_HOLD_ROUNDS; pinRounds++) {
    held += added;
    const w = Float64Array.from(delta);
    for (let i = 0; i < n; i++) if (!keep[i]) w[i] = value[i]!;
    const next = completeFor(keep)(w);
    if (!next) break; // the free entries cannot absorb the held values: keep δ as it is
    delta = next;
    added = holdCrossed(delta);
  }
  // last resort for entries on a side with no room that still cross it: hold every such entry at 0
  // (they cannot cross any more; the other entries have room for the shrink below)
  if (crossesNoRoom(delta, lo, hi, keep)) {
    for (let i = 0; i < n; i++) if (keep[i] && (hi[i] === 0 || lo[i] === 0)) { keep[i] = 0; held++; }
    for (let i = 0; i < n; i++) if (!keep[i]) value[i] = 0;
    const w = Float64Array.from(delta);
    for (let i = 0; i < n; i++) if (!keep[i]) w[i] = 0;
    delta = completeFor(keep)(w) ?? new Float64Array(n);
  }
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

/** Some kept entry is beyond a side that has no room (δ_i > 0 = hi_i or δ_i < 0 = lo_i). */
function crossesNoRoom(d: Float64Array, lo: Float64Array, hi: Float64Array, keep: Uint8Array): boolean {
  for (let i = 0; i < d.length; i++) if (keep[i] && ((hi[i] === 0 && d[i]! > 0) || (lo[i] === 0 && d[i]! < 0))) return true;
  return false;
}

function clipInto(out: Float64Array, v: Float64Array, lo: Float64Array, hi: Float64Array): Float64Array {
  for (let i = 0; i < v.length; i++) out[i] = v[i]! < lo[i]! ? lo[i]! : v[i]! > hi[i]! ? hi[i]! : v[i]!;
  return out;
}

/**
 * The completion of w for a keep set: δ with δ = w outside keep, A δ = 0, and δ − w as small as
 * possible on keep — δ = w − D Aᵀ y with (A D Aᵀ) y = A w, D the kept entries — by preconditioned
 * CG with refinement on the true residual. Undefined when the kept entries cannot absorb A w
 * (the system is inconsistent: residual stuck above 1e-12 of ‖A‖‖w‖).
 */
export function completion(op: LinearOperator, w: Float64Array, keep: Uint8Array,
  opts: { norm?: number; tol?: number; maxInner?: number; preconditioner?: (r: Float64Array, out: Float64Array) => void } = {}): Float64Array | undefined {
  const n = op.cols; const m = op.rows;
  const tol = opts.tol ?? 1e-14; const maxInner = opts.maxInner ?? 5000; const M = opts.preconditioner;
  const delta = Float64Array.from(w);
  const r = op.apply(delta);
  const scale = (opts.norm ?? 1) * nrm(delta);
  const s = new Float64Array(m); const p = new Float64Array(m); const q = new Float64Array(m); const u = new Float64Array(n);
  let iterations = 0; let best = Infinity;
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
      for (let i = 0; i < n; i++) delta[i]! -= a * u[i]!;
      for (let i = 0; i < m; i++) r[i]! -= a * q[i]!;
      if (nrm(r) <= target) break;
      if (M) M(r, s); else s.set(r);
      const rsNew = dotv(r, s);
      const beta = rsNew / rs; rs = rsNew;
      for (let i = 0; i < m; i++) p[i] = s[i]! + beta * p[i]!;
    }
    op.apply(delta, r);
  }
  return nrm(r) <= Math.max(1e-12 * scale, 1e3 * tol * scale) ? delta : undefined;
}

function dotv(a: Float64Array, b: Float64Array): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; }
