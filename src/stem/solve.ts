// The point of the stem's polytope closest to a goal: min ½‖δ − g‖² over δ with
//   (A δ)_j = 0 at the winners, l_j ≤ (A δ)_j ≤ u_j at the bounded positions (slacks, in z's
//   units, shrunk by a margin so that the result keeps every bound strictly), lo ≤ δ ≤ hi.
// Two stages, as the box fit (src/collide/box-fit.ts), whose pixel box this extends to rows:
// 1. Chambolle–Pock's primal–dual method, accelerated for the strongly convex ½‖δ − g‖²
//    (Chambolle & Pock 2011, Algorithm 2): one A δ̄ and one Aᵀ y per step, a clamp per row (the
//    row constraints' projection), a clip per pixel (the box). It gets close, not exact.
// 2. The exact stage: hold the winners at 0 and every bound the point breaks at a value inside it
//    (first guess: the primal–dual point's active set), complete the free pixels to meet the held
//    rows with the least change (CG on A_H D A_Hᵀ: completeRows), hold pixels the completion pushed
//    out of the box on their bound, repeat at a loose tolerance while that adds anything (a round
//    that conflicts is undone), complete once tightly; then shrink δ towards 0 for what is left
//    (shrinking keeps the held rows — linear, at 0 or inside their bound — and the box).
// Exactness is certified by the caller's float64 stem output of the stored x′, not by this solver.
import type { LinearOperator } from '../linalg/operator.js';

export interface RowBounds {
  /** per row of A: lb ≤ (A δ)_j ≤ ub; a winner has lb = ub = 0, a free row ±Infinity */
  lb: Float64Array;
  ub: Float64Array;
  /** 1 for the winners (held from the start) */
  equal: Uint8Array;
}

export interface StemSolveOptions {
  /** primal–dual steps (default 100) */
  iterations?: number;
  /** A at lower precision (float32 products) for the primal–dual steps, which only need to get close */
  fast?: LinearOperator;
  /** ‖A‖₂ or an upper bound */
  norm: number;
  /** diag(A_H D A_Hᵀ) for a column set D: the completion's Jacobi preconditioner */
  rowWeights: (keep: Uint8Array) => Float64Array;
  /** a better one for held rows and kept pixels (M ≈ (A_H D A_Hᵀ)⁻¹), used instead when given */
  preconditioner?: (keep: Uint8Array, held: Uint8Array) => (r: Float64Array, out: Float64Array) => void;
  /** pixels held at δ = 0 from the start (on or within `freeze` of a bound) */
  frozen?: Uint8Array;
  /** completion: relative tolerance (of ‖A‖‖δ‖) and CG steps per round (default 1e-14, 1500) */
  tol?: number; maxInner?: number;
  /** rounds of the exact stage (default 10) */
  rounds?: number;
}

export interface StemSolveResult {
  delta: Float64Array;
  /** primal–dual steps run */
  iterations: number;
  /** exact-stage rounds and CG steps in all */
  rounds: number; cgSteps: number;
  /** bounds held as equalities by the exact stage, and pixels held on a bound */
  heldRows: number; heldPixels: number;
  /** shrink applied at the end (1: none; 0: nothing fits) */
  gamma: number;
  /** the completions reached round-off on the held rows */
  ok: boolean;
}

/** Relative tolerance of the rounds that look for what must be held (the last completion is tight). */
const LOOSE = 1e-6;

/** A bound broken by so little that shrinking δ by this factor meets it is not held (saves a round). */
const SHRINK_OK = 0.97;

const debug = typeof process !== 'undefined' && !!process.env?.NULLSPACE_DEBUG_STEM;

function nrm(a: Float64Array): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!; return Math.sqrt(s); }
function dot(a: Float64Array, b: Float64Array): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; }

/**
 * The completion of w on kept columns to held rows: δ = w − D A_Hᵀ y with (A_H D A_Hᵀ) y = A_H w − t_H,
 * so δ = w off `keep`, (A δ)_H = t_H, and ‖δ − w‖ least. Preconditioned CG (`diag`: the diagonal of
 * A_H D A_Hᵀ, or a preconditioner such as tile-precond.ts's), restarted on the true residual; it gives
 * up when 100 steps do not cut the residual by 30%. ok when ‖(A δ)_H − t_H‖ ≤ max(1e-13, 10·tol)·‖A‖‖δ‖.
 */
export function completeRows(op: LinearOperator, w: Float64Array, keep: Uint8Array, held: Uint8Array, t: Float64Array,
  diag: Float64Array | ((r: Float64Array, out: Float64Array) => void), opts: { norm: number; tol?: number; maxInner?: number }): { delta: Float64Array; ok: boolean; steps: number; residual: number } {
  const n = op.cols; const m = op.rows;
  const tol = opts.tol ?? 1e-14; const maxInner = opts.maxInner ?? 1500;
  const delta = Float64Array.from(w);
  const r = new Float64Array(m); const s = new Float64Array(m); const p = new Float64Array(m); const q = new Float64Array(m); const u = new Float64Array(n);
  const residual = () => { op.apply(delta, r); for (let j = 0; j < m; j++) r[j] = held[j] ? r[j]! - t[j]! : 0; return nrm(r); };
  const precond = typeof diag === 'function' ? () => diag(r, s)
    : () => { for (let j = 0; j < m; j++) s[j] = held[j] && diag[j]! > 0 ? r[j]! / diag[j]! : 0; };
  let steps = 0; let rn = residual(); let best = Infinity;
  if (debug) console.error(`  CG start: ${rn.toExponential(2)} (scale ${(opts.norm * nrm(delta)).toExponential(2)})`);
  for (let pass = 0; pass < 4; pass++) {
    const scale = opts.norm * nrm(delta);
    if (rn <= tol * scale || rn > 0.5 * best) break;
    best = rn;
    precond(); p.set(s);
    let rs = dot(r, s); let windowStart = rn;
    while (steps < maxInner) {
      op.applyT(p, u);
      for (let i = 0; i < n; i++) if (!keep[i]) u[i] = 0;
      const uu = dot(u, u);
      if (!(uu > 0) || !(rs > 0)) break;
      op.apply(u, q);
      for (let j = 0; j < m; j++) if (!held[j]) q[j] = 0;
      steps++;
      const a = rs / uu;
      for (let i = 0; i < n; i++) delta[i]! -= a * u[i]!;
      for (let j = 0; j < m; j++) r[j]! -= a * q[j]!;
      const cur = nrm(r);
      if (cur <= 0.25 * tol * scale) break;
      if (steps % 100 === 0) { if (debug) console.error(`  CG ${steps}: ${cur.toExponential(2)}`); if (cur > 0.7 * windowStart) break; windowStart = cur; }
      precond();
      const rsNew = dot(r, s);
      const beta = rsNew / rs; rs = rsNew;
      for (let j = 0; j < m; j++) p[j] = s[j]! + beta * p[j]!;
    }
    rn = residual();
  }
  return { delta, ok: rn <= Math.max(1e-13, 10 * tol) * opts.norm * nrm(delta), steps, residual: rn };
}

/**
 * min ½‖δ − g‖² subject to the row bounds and lo ≤ δ ≤ hi (lo ≤ 0 ≤ hi, lb ≤ 0 ≤ ub: δ = 0 is feasible).
 */
export function stemSolve(op: LinearOperator, rows: RowBounds, g: Float64Array, lo: Float64Array, hi: Float64Array, opts: StemSolveOptions): StemSolveResult {
  const n = op.cols; const m = op.rows;
  const { lb, ub, equal } = rows;
  const L = opts.norm;
  const base = new Uint8Array(n).fill(1);
  lo = Float64Array.from(lo); hi = Float64Array.from(hi);
  if (opts.frozen) for (let i = 0; i < n; i++) if (opts.frozen[i]) { base[i] = 0; lo[i] = 0; hi[i] = 0; }
  // 1. accelerated primal–dual (τσ‖A‖² < 1; γ = 1 from ½‖δ − g‖²)
  let tau = 0.99 / L; let sigma = 0.99 / L;
  const x = new Float64Array(n); const xbar = new Float64Array(n); const xo = new Float64Array(n);
  const y = new Float64Array(m); const ax = new Float64Array(m); const aty = new Float64Array(n);
  const iterations = opts.iterations ?? 100;
  const pd = opts.fast ?? op;
  const t0 = performance.now();
  for (let k = 0; k < iterations; k++) {
    pd.apply(xbar, ax);
    for (let j = 0; j < m; j++) {
      const v = y[j]! + sigma * ax[j]!;
      const c = v / sigma;
      y[j] = v - sigma * (c < lb[j]! ? lb[j]! : c > ub[j]! ? ub[j]! : c);
    }
    pd.applyT(y, aty);
    xo.set(x);
    for (let i = 0; i < n; i++) {
      const v = (x[i]! - tau * aty[i]! + tau * g[i]!) / (1 + tau);
      x[i] = v < lo[i]! ? lo[i]! : v > hi[i]! ? hi[i]! : v;
    }
    const theta = 1 / Math.sqrt(1 + 2 * tau);
    tau *= theta; sigma /= theta;
    for (let i = 0; i < n; i++) xbar[i] = x[i]! + theta * (x[i]! - xo[i]!);
  }
  if (debug) console.error(`stem primal–dual: ${iterations} steps, ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  // 2. the exact stage: rounds at a loose tolerance find what must be held, then one tight completion
  let delta: Float64Array = x;
  const keep = Uint8Array.from(base);
  const held = Uint8Array.from(equal);
  const t = new Float64Array(m);
  const value = new Float64Array(n);
  const fresh = new Uint8Array(n);
  let rounds = 0; let cgSteps = 0; let heldRows = 0; let ok = false;
  const maxRounds = opts.rounds ?? 10;
  const complete = (tol: number) => {
    const w = Float64Array.from(delta);
    for (let i = 0; i < n; i++) if (!keep[i]) w[i] = value[i]!;
    const t1 = performance.now();
    const M = opts.preconditioner ? opts.preconditioner(keep, held) : opts.rowWeights(keep);
    const t2 = performance.now();
    const c = completeRows(op, w, keep, held, t, M, { norm: L, tol, maxInner: opts.maxInner });
    cgSteps += c.steps;
    if (debug) console.error(`stem round ${rounds}: held rows ${count(held)}, kept pixels ${count(keep)}, preconditioner ${((t2 - t1) / 1000).toFixed(2)} s, CG ${c.steps} in ${((performance.now() - t2) / 1000).toFixed(2)} s, residual ${c.residual.toExponential(2)}${c.ok ? '' : ' (not met)'}`);
    return c;
  };
  // the primal–dual point's active set is the first guess: rows whose multiplier is not 0 are held on
  // their bound, pixels it clipped are held on theirs (fewer rounds than finding them one by one)
  for (let j = 0; j < m; j++) {
    if (held[j] || y[j] === 0) continue;
    const b = y[j]! > 0 ? ub[j]! : lb[j]!;
    if (!Number.isFinite(b)) continue;
    held[j] = 1; t[j] = (ub[j]! < 0 || lb[j]! > 0) ? 0 : b; heldRows++;
  }
  for (let i = 0; i < n; i++) {
    if (keep[i] && lo[i]! < hi[i]! && (x[i] === lo[i] || x[i] === hi[i])) { keep[i] = 0; value[i] = x[i]!; fresh[i] = 1; }
  }
  const guessed = Uint8Array.from(held);
  for (; rounds < maxRounds; rounds++) {
    const z = op.apply(delta);
    let added = 0;
    const before = { held: Uint8Array.from(held), t: Float64Array.from(t), heldRows };
    for (let j = 0; j < m; j++) {
      if (held[j]) continue;
      // a broken bound is held on its margin-shifted value, inside the true bound — a tie
      // (ub < 0 = lb: slack 0 at x) that did not move strictly below is held as it is, still tied
      // (after the first round, a bound the final shrink can meet by γ ≥ SHRINK_OK is left to it)
      const tie = ub[j]! < 0 || lb[j]! > 0;
      const over = z[j]! > ub[j]! ? ub[j]! : z[j]! < lb[j]! ? lb[j]! : NaN;
      if (Number.isNaN(over)) continue;
      if (rounds > 0 && !tie && over / z[j]! >= SHRINK_OK) continue;
      held[j] = 1; t[j] = tie ? 0 : over; added++; heldRows++;
    }
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      if (delta[i]! > hi[i]!) { keep[i] = 0; value[i] = hi[i]!; fresh[i] = 1; added++; } else if (delta[i]! < lo[i]!) { keep[i] = 0; value[i] = lo[i]!; fresh[i] = 1; added++; }
    }
    if (!added && rounds > 0) break;
    let c = complete(LOOSE);
    // pixels held on their bound that the free ones cannot absorb are held where x is; else let the shrink decide
    if (!c.ok) { for (let i = 0; i < n; i++) if (fresh[i]) value[i] = 0; c = complete(LOOSE); }
    if (!c.ok && rounds === 0) {
      // the first guess itself conflicts (held values or bounds no free pixel can meet): start over
      // from the winners alone, as the later rounds would find them
      for (let i = 0; i < n; i++) if (fresh[i]) keep[i] = 1;
      for (let j = 0; j < m; j++) if (guessed[j] && !equal[j]) { held[j] = 0; t[j] = 0; heldRows--; }
      c = complete(LOOSE);
    }
    // a later round that conflicts is undone: the tight completion and the shrink take the last good state
    if (!c.ok) { for (let i = 0; i < n; i++) if (fresh[i]) keep[i] = 1; if (rounds > 0) { held.set(before.held); t.set(before.t); heldRows = before.heldRows; } break; }
    fresh.fill(0);
    delta = c.delta;
    ok = true;
  }
  if (ok) {
    const c = complete(opts.tol ?? 1e-14);
    ok = c.ok;
    if (ok) delta = c.delta;
  }
  // What the tight completion pushed across a bound with no room at all (a pixel on 0 or 1, a tie
  // below its maximum) would make the shrink 0: hold those too and complete again, a few times
  for (let fix = 0; ok && fix < 3; fix++) {
    const z = op.apply(delta);
    let added = 0;
    const before = { held: Uint8Array.from(held), t: Float64Array.from(t), keep: Uint8Array.from(keep), heldRows };
    for (let j = 0; j < m; j++) {
      if (held[j]) continue;
      if ((z[j]! > ub[j]! && ub[j]! <= 0) || (z[j]! < lb[j]! && lb[j]! >= 0)) { held[j] = 1; t[j] = 0; added++; heldRows++; }
    }
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      if ((delta[i]! > hi[i]! && hi[i]! <= 0) || (delta[i]! < lo[i]! && lo[i]! >= 0)) { keep[i] = 0; value[i] = 0; added++; }
    }
    if (!added) break;
    rounds++;
    const c = complete(opts.tol ?? 1e-14);
    // the last good δ stays, with what it holds; the shrink decides
    if (!c.ok) { held.set(before.held); t.set(before.t); keep.set(before.keep); heldRows = before.heldRows; break; }
    delta = c.delta;
  }
  let heldPixels = 0;
  for (let i = 0; i < n; i++) if (base[i] && !keep[i]) heldPixels++;
  if (!ok) return { delta: new Float64Array(n), iterations, rounds, cgSteps, heldRows, heldPixels, gamma: 0, ok };
  // 3. shrink for bounds and box entries still broken (held rows stay met: 0, or inside their bound)
  const z = op.apply(delta);
  let gamma = 1;
  for (let j = 0; j < m; j++) {
    if (held[j]) continue;
    if (z[j]! > ub[j]!) gamma = Math.min(gamma, ub[j]! > 0 ? ub[j]! / z[j]! : 0);
    else if (z[j]! < lb[j]!) gamma = Math.min(gamma, lb[j]! < 0 ? lb[j]! / z[j]! : 0);
  }
  for (let i = 0; i < n; i++) {
    const d = delta[i]!;
    if (d > hi[i]!) gamma = Math.min(gamma, hi[i]! > 0 ? hi[i]! / d : 0);
    else if (d < lo[i]!) gamma = Math.min(gamma, lo[i]! < 0 ? lo[i]! / d : 0);
  }
  if (gamma < 1) for (let i = 0; i < n; i++) delta[i]! *= gamma;
  for (let i = 0; i < n; i++) { const d = delta[i]!; if (d > hi[i]!) delta[i] = hi[i]!; else if (d < lo[i]!) delta[i] = lo[i]!; }
  return { delta, iterations, rounds, cgSteps, heldRows, heldPixels, gamma, ok };
}

function count(a: Uint8Array): number { let k = 0; for (let i = 0; i < a.length; i++) if (a[i]) k++; return k; }
