// The point of the stem's polytope closest to a goal: min ½‖δ − g‖² over δ with
//   (A δ)_j = 0 at the winners, l_j ≤ (A δ)_j ≤ u_j at the bounded positions (slacks, in z's
//   units, shrunk by a margin so that the result keeps every bound strictly), lo ≤ δ ≤ hi.
// Two stages, as the box fit (src/collide/box-fit.ts), whose pixel box this extends to rows:
// 1. Chambolle–Pock's primal–dual method, accelerated for the strongly convex ½‖δ − g‖²
//    (Chambolle & Pock 2011, Algorithm 2): one A δ̄ and one Aᵀ y per step, a clamp per row (the
//    row constraints' projection), a clip per pixel (the box). It gets close, not exact.
// 2. The exact stage: hold the winners at 0 and every bound the point breaks at a value inside it
//    (first guess for the pixels: where the primal–dual point clipped them), complete the free pixels to meet the held
//    rows with the least change (CG on A_H D A_Hᵀ: completeRows), hold pixels the completion pushed
//    out of the box on their bound, repeat while that adds anything (a round that conflicts is
//    undone). These rounds need a held bound only to within a share of its margin (`room`), not to
//    round-off: an inequality is kept strictly either way. Only the rows that must not move at all —
//    the winners, and bounds of no room — are then completed to round-off, alone: with the bounds
//    held too the system is near-square on smooth or heavily clipped images (held rows ≈ free
//    pixels), where CG crawls; without them it is the well-conditioned winners' system, and the
//    correction it makes is far inside the margins. Then shrink δ towards 0 for what is left
//    (shrinking keeps the held rows — linear, at 0 or inside their bound — and the box).
// Exactness is certified by the caller's float64 stem output of the stored x′, not by this solver.
import type { LinearOperator } from '../linalg/operator.js';

export interface RowBounds {
  /** per row of A: lb ≤ (A δ)_j ≤ ub; a winner has lb = ub = 0, a free row ±Infinity */
  lb: Float64Array;
  ub: Float64Array;
  /** 1 for the winners (held from the start) */
  equal: Uint8Array;
  /** per row, how far lb/ub sit inside the true bounds (the margin, in z's units; 0: none) — a bound
   * held this loosely is still kept; without it every held row is completed to round-off */
  room?: Float64Array;
}

export interface StemSolveOptions {
  /** primal–dual steps (default 100) */
  iterations?: number;
  /** A at lower precision (float32 products) for the primal–dual steps, which only need to get close */
  fast?: LinearOperator;
  /** better still: the steps' whole row side where the products run (src/stem/primal-dual.ts) */
  dual?: (lb: Float64Array, ub: Float64Array) => { step(xbar: Float64Array, sigma: number, aty: Float64Array): void; dispose(): void };
  /** ‖A‖₂ or an upper bound */
  norm: number;
  /** diag(A_H D A_Hᵀ) for a column set D: the completion's Jacobi preconditioner */
  rowWeights: (keep: Uint8Array) => Float64Array;
  /** a better one for held rows and kept pixels (M ≈ (A_H D A_Hᵀ)⁻¹), used instead when given; it acts on
   * vectors over the held rows alone, in the order `index` gives (index[k] = row of A) */
  preconditioner?: (keep: Uint8Array, held: Uint8Array, exact: boolean, index: Int32Array) => (r: Float64Array, out: Float64Array) => void;
  /** pixels held at δ = 0 from the start (on or within `freeze` of a bound) */
  frozen?: Uint8Array;
  /** completion: relative tolerance (of ‖A‖‖δ‖) and CG steps per round (default 1e-14, 1500) */
  tol?: number; maxInner?: number;
  /** rounds of the exact stage (default 10) */
  rounds?: number;
  /** the held rows as an operator of their own (e.g. src/linalg/conv-rows.ts); default: gathered from op's products */
  rowsOf?: (held: Uint8Array) => { op: LinearOperator; index: Int32Array };
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

/** The held rows of a full operator as an operator of their own (products over every row, then gathered). */
export function gatheredRows(op: LinearOperator, held: Uint8Array): { op: LinearOperator; index: Int32Array } {
  const index = Int32Array.from(held.reduce<number[]>((acc, v, j) => { if (v) acc.push(j); return acc; }, []));
  const full = new Float64Array(op.rows);
  const rows: LinearOperator = {
    rows: index.length, cols: op.cols,
    apply: (x, out) => { op.apply(x, full); const o = out ?? new Float64Array(index.length); for (let k = 0; k < index.length; k++) o[k] = full[index[k]!]!; return o; },
    applyT: (y, out) => { full.fill(0); for (let k = 0; k < index.length; k++) full[index[k]!] = y[k]!; return op.applyT(full, out); },
  };
  return { op: rows, index };
}

/**
 * The completion of w on kept columns to held rows: δ = w − D A_Hᵀ y with (A_H D A_Hᵀ) y = A_H w − t_H,
 * so δ = w off `keep`, (A δ)_H = t_H, and ‖δ − w‖ least. Preconditioned CG (`diag`: the diagonal of
 * A_H D A_Hᵀ, or a preconditioner such as tile-precond.ts's), restarted on the true residual; it gives
 * up when 100 steps do not cut the residual by 30%. ok when ‖(A δ)_H − t_H‖ ≤ max(1e-13, 10·tol)·‖A‖‖δ‖,
 * or, given per-row tolerances, when every held row is within its own.
 * `rows`: the held rows as an operator of their own (A_H, with index[k] its row of A); all vectors
 * of the iteration are then as long as the held set, not as A; `compactPreconditioner`: `diag` is a
 * function over those compact vectors too.
 */
export function completeRows(op: LinearOperator, w: Float64Array, keep: Uint8Array, held: Uint8Array, t: Float64Array,
  diag: Float64Array | ((r: Float64Array, out: Float64Array) => void),
  opts: { norm: number; tol?: number; maxInner?: number; rowTol?: Float64Array; rows?: { op: LinearOperator; index: Int32Array }; compactPreconditioner?: boolean }): { delta: Float64Array; ok: boolean; steps: number; residual: number } {
  const { op: opH, index } = opts.rows ?? gatheredRows(op, held);
  const h = index.length; const m = op.rows; const n = op.cols;
  const gather = (full: Float64Array) => { const o = new Float64Array(h); for (let k = 0; k < h; k++) o[k] = full[index[k]!]!; return o; };
  const tH = gather(t);
  const rowTol = opts.rowTol ? gather(opts.rowTol) : undefined;
  let precond: (r: Float64Array, out: Float64Array) => void;
  if (typeof diag === 'function' && opts.compactPreconditioner) {
    precond = diag;
  } else if (typeof diag === 'function') {
    // the preconditioner speaks full rows: scatter in, gather out
    const rf = new Float64Array(m); const of = new Float64Array(m);
    precond = (r, out) => { for (let k = 0; k < h; k++) rf[index[k]!] = r[k]!; diag(rf, of); for (let k = 0; k < h; k++) out[k] = of[index[k]!]!; };
  } else {
    const d = gather(diag);
    precond = (r, out) => { for (let k = 0; k < h; k++) out[k] = d[k]! > 0 ? r[k]! / d[k]! : 0; };
  }
  const tol = opts.tol ?? 1e-14; const maxInner = opts.maxInner ?? 1500;
  const delta = Float64Array.from(w);
  const r = new Float64Array(h); const s = new Float64Array(h); const p = new Float64Array(h); const q = new Float64Array(h); const u = new Float64Array(n);
  const residual = () => { opH.apply(delta, r); for (let k = 0; k < h; k++) r[k] = r[k]! - tH[k]!; return nrm(r); };
  const within = () => { if (!rowTol) return false; for (let k = 0; k < h; k++) if (Math.abs(r[k]!) > rowTol[k]!) return false; return true; };
  let steps = 0; let rn = residual(); let best = Infinity;
  if (debug) console.error(`  CG start: ${rn.toExponential(2)} (scale ${(opts.norm * nrm(delta)).toExponential(2)}, ${h} rows)`);
  for (let pass = 0; pass < 4; pass++) {
    const scale = opts.norm * nrm(delta);
    if (rn <= tol * scale || within() || rn > 0.5 * best) break;
    best = rn;
    precond(r, s); p.set(s);
    let rs = dot(r, s); let windowStart = rn;
    while (steps < maxInner) {
      opH.applyT(p, u);
      for (let i = 0; i < n; i++) if (!keep[i]) u[i] = 0;
      const uu = dot(u, u);
      if (!(uu > 0) || !(rs > 0)) break;
      opH.apply(u, q);
      steps++;
      const a = rs / uu;
      for (let i = 0; i < n; i++) delta[i]! -= a * u[i]!;
      for (let k = 0; k < h; k++) r[k]! -= a * q[k]!;
      const cur = nrm(r);
      if (cur <= 0.25 * tol * scale || (steps % 2 === 0 && within())) break;
      if (steps % 100 === 0) { if (debug) console.error(`  CG ${steps}: ${cur.toExponential(2)}`); if (cur > 0.7 * windowStart) break; windowStart = cur; }
      precond(r, s);
      const rsNew = dot(r, s);
      const beta = rsNew / rs; rs = rsNew;
      for (let k = 0; k < h; k++) p[k] = s[k]! + beta * p[k]!;
    }
    rn = residual();
  }
  return { delta, ok: rn <= Math.max(1e-13, 10 * tol) * opts.norm * nrm(delta) || within(), steps, residual: rn };
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
  const aty = new Float64Array(n);
  const iterations = opts.iterations ?? 100;
  const pd = opts.fast ?? op;
  const dual = opts.dual?.(lb, ub);
  const y = dual ? undefined : new Float64Array(m); const ax = dual ? undefined : new Float64Array(m);
  const t0 = performance.now();
  try {
    for (let k = 0; k < iterations; k++) {
      if (dual) dual.step(xbar, sigma, aty);
      else {
        pd.apply(xbar, ax);
        for (let j = 0; j < m; j++) {
          const v = y![j]! + sigma * ax![j]!;
          const c = v / sigma;
          y![j] = v - sigma * (c < lb[j]! ? lb[j]! : c > ub[j]! ? ub[j]! : c);
        }
        pd.applyT(y!, aty);
      }
      xo.set(x);
      for (let i = 0; i < n; i++) {
        const v = (x[i]! - tau * aty[i]! + tau * g[i]!) / (1 + tau);
        x[i] = v < lo[i]! ? lo[i]! : v > hi[i]! ? hi[i]! : v;
      }
      const theta = 1 / Math.sqrt(1 + 2 * tau);
      tau *= theta; sigma /= theta;
      for (let i = 0; i < n; i++) xbar[i] = x[i]! + theta * (x[i]! - xo[i]!);
    }
  } finally { dual?.dispose(); }
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
  // rows that must be met to round-off: the winners, and held bounds of no room (ties held as they are)
  const room = rows.room;
  const exactRows = (): Uint8Array => { const e = Uint8Array.from(held); if (room) for (let j = 0; j < m; j++) if (e[j] && !equal[j] && room[j]! > 0) e[j] = 0; return e; };
  // loose rounds: a held bound within a quarter of its room, a row that must be exact within a
  // twentieth of the largest room (what its later correction may move the bounds by)
  let mu = 0; if (room) for (let j = 0; j < m; j++) mu = Math.max(mu, room[j]!);
  const looseTol = room && mu > 0 ? Float64Array.from(room, (v) => (v > 0 ? 0.25 * v : 0.05 * mu)) : undefined;
  const solveHeld = (h: Uint8Array, tol: number, rowTol: Float64Array | undefined, exact: boolean) => {
    const w = Float64Array.from(delta);
    for (let i = 0; i < n; i++) if (!keep[i]) w[i] = value[i]!;
    const t1 = performance.now();
    const rowsH = opts.rowsOf ? opts.rowsOf(h) : gatheredRows(op, h);
    const M = opts.preconditioner ? opts.preconditioner(keep, h, exact, rowsH.index) : opts.rowWeights(keep);
    const t2 = performance.now();
    const c = completeRows(op, w, keep, h, t, M, { norm: L, tol, maxInner: opts.maxInner, rowTol, rows: rowsH, compactPreconditioner: !!opts.preconditioner });
    cgSteps += c.steps;
    if (debug) console.error(`stem round ${rounds}${exact ? ' (exact rows)' : ''}: held rows ${count(h)}, kept pixels ${count(keep)}, preconditioner ${((t2 - t1) / 1000).toFixed(2)} s, CG ${c.steps} in ${((performance.now() - t2) / 1000).toFixed(2)} s, residual ${c.residual.toExponential(2)}${c.ok ? '' : ' (not met)'}`);
    return c;
  };
  const complete = (mode: 'loose' | 'exact') => {
    if (mode === 'loose') return solveHeld(held, LOOSE, looseTol, false);
    if (!looseTol) return solveHeld(held, opts.tol ?? 1e-14, undefined, true);
    // the loose solution first (a no-op right after a loose round), then the exact rows alone
    const c = solveHeld(held, LOOSE, looseTol, false);
    if (!c.ok) return c;
    const keepDelta = delta; delta = c.delta;
    const e = solveHeld(exactRows(), opts.tol ?? 1e-14, undefined, true);
    delta = keepDelta;
    return { ...e, steps: c.steps + e.steps };
  };
  // the first round holds the winners and what the primal–dual point breaks, not its whole active
  // set: holding every row with a multiplier (most of them satisfied, with room) made the held
  // system near-square — 1 400 CG steps against 330 on a real 224×224 photo, at the same distance.
  // Pixels it clipped are held on their bound.
  for (let i = 0; i < n; i++) {
    if (keep[i] && lo[i]! < hi[i]! && (x[i] === lo[i] || x[i] === hi[i])) { keep[i] = 0; value[i] = x[i]!; fresh[i] = 1; }
  }
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
    let c = complete('loose');
    // pixels held on their bound that the free ones cannot absorb are held where x is; else let the shrink decide
    if (!c.ok) { for (let i = 0; i < n; i++) if (fresh[i]) value[i] = 0; c = complete('loose'); }
    if (!c.ok && rounds === 0) {
      // the first round conflicts: free the pixels the guess held (the later rounds find those that must be)
      for (let i = 0; i < n; i++) if (fresh[i]) keep[i] = 1;
      c = complete('loose');
    }
    // a later round that conflicts is undone: the tight completion and the shrink take the last good state
    if (!c.ok) { for (let i = 0; i < n; i++) if (fresh[i]) keep[i] = 1; if (rounds > 0) { held.set(before.held); t.set(before.t); heldRows = before.heldRows; } break; }
    fresh.fill(0);
    delta = c.delta;
    ok = true;
  }
  if (ok) {
    const c = complete('exact');
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
    const c = complete('exact');
    // the last good δ stays, with what it holds; the shrink decides
    if (!c.ok) { held.set(before.held); t.set(before.t); keep.set(before.keep); heldRows = before.heldRows; break; }
    delta = c.delta;
  }
  let heldPixels = 0;
  for (let i = 0; i < n; i++) if (base[i] && !keep[i]) heldPixels++;
  if (!ok) return { delta: new Float64Array(n), iterations, rounds, cgSteps, heldRows, heldPixels, gamma: 0, ok };
  // 3. shrink for bounds and box entries still broken (rows held exactly stay met: 0, or on a value
  // inside their bound; a row held loosely may have been moved by the exact rows' correction, so it is
  // checked as any other)
  const z = op.apply(delta);
  const exact = exactRows();
  let gamma = 1;
  for (let j = 0; j < m; j++) {
    if (exact[j]) continue;
    // a loosely held row may use half its room beyond lb/ub (the loose rounds met it within a quarter)
    const give = held[j] && room ? 0.5 * room[j]! : 0;
    const u = ub[j]! + give; const l = lb[j]! - give;
    if (z[j]! > u) gamma = Math.min(gamma, u > 0 ? u / z[j]! : 0);
    else if (z[j]! < l) gamma = Math.min(gamma, l < 0 ? l / z[j]! : 0);
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
