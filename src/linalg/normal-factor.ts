// The exact normal-equations solver (A·Aᵀ)⁻¹ of a first layer, factored once: a band Cholesky
// (banded.ts) of A·Aᵀ in a bandwidth-reducing row order (normal-band.ts), kept in a WASM core of
// its own so it outlives the arena scopes of the process-wide core and is freed with its owner.
// As the preconditioner of projectToNullSpace it makes each projection converge in a PCG step or two.
// A conv factor whose rows settle to one image column's (most wide images) is held only up to there
// (periodicFactor; assembly/banded.ts bandSolvePeriodicF64).
import { core, createCoreSync, type Core } from '../core/wasm.js';
import { assertInt, assertLength, invalidParameter } from '../core/errors.js';
import type { ConvGeometry } from './geometry.js';
import { checkFinite } from './arrays.js';
import { checkGeometry } from './im2col.js';
import { convOperator } from './conv.js';
import { convBandDirect, convRowOrder, fillConvBand } from './normal-band.js';
import { gemmPtr } from './gemm.js';
import { bandCholeskyPtr, bandSolvePtr, bandSolvePeriodicPtr } from './banded.js';
import { attachPtrProducts } from './ptr-products.js';
import { denseOperator } from './dense-operator.js';
import type { LinearOperator } from './operator.js';
import { randn, rng } from './random.js';
import { nrm2 } from './blas1.js';
import { opNorm, projectToNullSpace } from './project.js';
import { restrictColumns } from './restrict-columns.js';

const EPS = 2 ** -52;
/** the core's per-allocation cap: no band larger than this can be held */
const MAX_BYTES = 1024 ** 3;

export interface NormalFactorOptions {
  /** largest band to build, in bytes; default (and cap) 1 GiB, the core's per-allocation limit */
  budget?: number;
  /**
   * (cols) factor A_K·A_Kᵀ for A_K = A restricted to the input entries where keep ≠ 0 (a mask, or
   * pixels held at a bound): the exact solver for restrictColumns(A, keep). Default: every entry.
   */
  keep?: Uint8Array;
  /** (conv) hold only the rows before the factor settles to one column's (periodicFactor); default true */
  settle?: boolean;
}

export interface NormalFactor {
  /**
   * out ← (A·Aᵀ)⁻¹ r, both of length rows; out may be r. With dropped rows D it is the inverse on
   * the kept rows S, zero on D: for r in range(A) still a solution of A·Aᵀ·out = r when the rows
   * in D depend exactly on those in S. Carries pointer-level products (ptr-products.ts).
   */
  solve: (r: Float64Array, out: Float64Array) => void;
  /** half-bandwidth b of the permuted A·Aᵀ */
  bandwidth: number;
  /** order of A·Aᵀ (rows of A) */
  rows: number;
  /** bytes held by the factor (band, permutation, two vectors) */
  bytes: number;
  /** bytes held at the set-up's peak: the whole band and, while it is copied, its settled part (≥ bytes) */
  peakBytes: number;
  /** shift μ added to the diagonal (0: none) when near-dependent rows of a restricted A defeat the plain factor */
  shift: number;
  /** rows of A·Aᵀ found to depend on earlier rows (pivot at rounding level) and left out: 0 when A has full row rank */
  dropped: number;
  /** ‖Aᵀ(solve(A·Aᵀ·x) − x)‖ / ‖Aᵀx‖ for a random x, measured after factoring (a figure for reports; acceptance is by a test projection) */
  accuracy: number;
  /** wall time of assembly, factorization and the accuracy check, ms */
  factorMs: number;
  /** rows from which the factor repeats one column's rows (periodicFactor); absent: the whole band is held */
  settledAt?: number;
}

function checkOptions(opts: NormalFactorOptions, cols: number): { budget: number; held?: Int32Array } {
  const { budget = MAX_BYTES, keep } = opts;
  if (!(typeof budget === 'number' && budget >= 0)) throw invalidParameter('budget', 'a number of bytes ≥ 0', budget, RangeError);
  if (keep === undefined) return { budget: Math.min(budget, MAX_BYTES) };
  if (!(keep instanceof Uint8Array)) throw invalidParameter('keep', 'a Uint8Array', keep);
  assertLength('keep', keep, cols);
  const held: number[] = [];
  for (let i = 0; i < cols; i++) if (keep[i] === 0) held.push(i);
  return { budget: Math.min(budget, MAX_BYTES), held: Int32Array.from(held) };
}

/** factorChecked's factor, with its test projection: the direction, the norm bound used, the PCG steps taken. */
type Checked = Omit<NormalFactor, 'bandwidth' | 'rows' | 'factorMs' | 'peakBytes'> & { probe: { v: Float64Array; norm: number; iterations: number } };

/**
 * Assembles and factors the band, dropping the pivots of rows that depend on earlier rows, and
 * keeps the factor only if (1) the dropped rows of A that are not zero lie in the span of the kept
 * rows (spanError ≤ 1e-10, two random-sign combinations) and (2) a projection
 * of a random direction with it converges (to 1e-13 in ≤ 20 PCG steps, ≤ 5 when rows were
 * dropped). Dropping is tried with |pivot| ≤ 16·(b+1)·eps·A[k,k] (the rounding bound of the
 * factorization), then 1e-12, 1e-11 and 1e-10·A[k,k]: rows that depend on several others through
 * a chain of overlapping windows (pixels held in a block) come out with pivots of 1e-12 … 1e-11
 * relative, above the bound, and break the factorization if kept. A row dropped although it was
 * only nearly dependent leaves a direction CG cannot reach (its Krylov space lies in range(M)):
 * measured, CG then stalls at 1e-9 … 1e-4 for some random directions and not for others, so (1)
 * tests the rows themselves rather than relying on (2) alone.
 */
function factorChecked(fc: Core, n: number, b: number, ld: number, bandPtr: number, perm: Int32Array | undefined,
  assemble: () => void, op: LinearOperator): Checked | undefined {
  const { solve, bytes } = solverOf(fc, n, b, ld, bandPtr, perm);
  const norm = opNorm(op, { iters: 10 }); // a lower bound of ‖A‖: makes the check a little stricter
  const v = randn(op.cols, 0);
  const diag = new Float64Array(n);
  for (const dropTol of [16 * (b + 1) * EPS, 1e-12, 1e-11, 1e-10]) {
    assemble();
    let band = fc.f64(bandPtr, n * ld);
    for (let i = 0; i < n; i++) diag[i] = band[i * ld + b]!;
    if (bandCholeskyPtr(fc, n, b, ld, bandPtr, dropTol) !== 0) continue;
    band = fc.f64(bandPtr, n * ld);
    let dropped = 0;
    const suspects: number[] = []; // dropped rows of A that are not zero: each must lie in the span of the kept rows
    for (let i = 0; i < n; i++) if (band[i * ld + b] === 0) { dropped++; if (diag[i]! > 0) suspects.push(perm ? perm[i]! : i); }
    if (suspects.length > 0 && !(spanError(op, solve, suspects, 1) <= SPAN_TOL && spanError(op, solve, suspects, 2) <= SPAN_TOL)) continue;
    const check = projectToNullSpace(op, v, { preconditioner: solve, norm, tol: 1e-13, maxIter: dropped > 0 ? 5 : 20 });
    // captured ≈ 0: ker(A) is trivial, δ shrinks to rounding and no ratio can reach tol; nothing to project
    if (check.converged || check.captured < 1e-8) return { solve, bytes, dropped, accuracy: accuracyOf(op, solve), shift: 0, probe: { v, norm, iterations: check.iterations } };
    if (dropped === 0) break; // not a matter of dropping: A·Aᵀ is too ill-conditioned for the factor
  }
  // Near-dependent rows of a column-restricted A (held pixels leave a chain of windows only a few
  // free pixels): neither keeping nor dropping their tiny pivots passes the checks. A small shift μ
  // on the diagonal gives a factor that is no longer exact but still a preconditioner good enough
  // for PCG, where block-Jacobi would take thousands of steps. The shift must not be too small: at
  // 1e-12 of the largest diagonal the test projection stalls at 4e-4 (the 1/μ directions the
  // docs above warn of), at 1e-10 at 2e-10, at 1e-8 it converges in 13 steps (PP-OCR classifier,
  // its sample with 12% of the pixels held). Kept only when the test projection converges.
  for (const rel of [1e-8, 1e-6]) {
    assemble();
    const band = fc.f64(bandPtr, n * ld);
    let maxDiag = 0;
    for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, band[i * ld + b]!);
    const mu = rel * maxDiag;
    for (let i = 0; i < n; i++) band[i * ld + b]! += mu;
    if (bandCholeskyPtr(fc, n, b, ld, bandPtr, 16 * (b + 1) * EPS) !== 0) continue;
    let dropped = 0;
    const f = fc.f64(bandPtr, n * ld);
    for (let i = 0; i < n; i++) if (f[i * ld + b] === 0) dropped++;
    const check = projectToNullSpace(op, v, { preconditioner: solve, norm, tol: 1e-13, maxIter: 60 });
    if (check.converged || check.captured < 1e-8) return { solve, bytes, dropped, accuracy: accuracyOf(op, solve), shift: mu, probe: { v, norm, iterations: check.iterations } };
  }
  return undefined;
}

/** spanError above this rejects a factor with dropped rows (see factorChecked) */
const SPAN_TOL = 1e-10;

/**
 * How far rows D of A lie outside the span of the kept rows, all at once: for a = Aᵀ·(±1 on D, seeded
 * signs), ‖Aᵀ·M·A·a − a‖ / ‖a‖ (M = solve: on the kept rows (A·Aᵀ)⁻¹, so Aᵀ·M·A projects onto their span).
 * Rounding puts an exactly dependent set at ~1e-14 … 1e-12; one row that is only nearly dependent
 * shows with its own distance / √|D|.
 */
function spanError(op: LinearOperator, solve: NormalFactor['solve'], rows: number[], seed: number): number {
  const e = new Float64Array(op.rows);
  const g = rng(seed);
  for (const d of rows) e[d] = g.uniform() < 0.5 ? -1 : 1;
  const a = op.applyT(e);
  const z = new Float64Array(op.rows);
  solve(op.apply(a), z);
  const w = op.applyT(z);
  for (let i = 0; i < w.length; i++) w[i] -= a[i]!;
  return nrm2(w) / nrm2(a);
}

/**
 * How well solve inverts A·Aᵀ where it matters for a projection: ‖Aᵀ(solve(A·Aᵀ·x) − x)‖ / ‖Aᵀx‖
 * for a seeded random x (0 when A = 0). Dropping a row that was only nearly dependent shows here.
 */
function accuracyOf(op: LinearOperator, solve: NormalFactor['solve']): number {
  const u = op.applyT(randn(op.rows, 0));
  const un = nrm2(u);
  if (un === 0) return 0;
  const z = new Float64Array(op.rows);
  solve(op.apply(u), z);
  const e = op.applyT(z);
  for (let i = 0; i < e.length; i++) e[i] -= u[i]!;
  return nrm2(e) / un;
}

/** Wraps a factor held in core fc as a preconditioner-shaped solve with pointer-level products on the process-wide core. */
function solverOf(fc: Core, n: number, b: number, ld: number, bandPtr: number, perm: Int32Array | undefined,
  periodic?: { r0: number; period: number }): { solve: NormalFactor['solve']; bytes: number } {
  const permPtr = perm ? fc.put(perm) : 0;
  const vecPtr = fc.alloc(n * 8);
  const workPtr = fc.alloc(n * 8);
  const bandSolveIn = periodic
    ? (p: number) => bandSolvePeriodicPtr(fc, n, b, ld, bandPtr, permPtr, p, workPtr, p, periodic.r0, periodic.period)
    : (p: number) => bandSolvePtr(fc, n, b, ld, bandPtr, permPtr, p, workPtr, p);
  // the vectors live in the process-wide core (where the PCG keeps them): copy in, solve, copy out
  const ptr = {
    core,
    apply(rPtr: number, outPtr: number): void {
      if (n === 0) return;
      fc.f64(vecPtr, n).set(core.f64(rPtr, n));
      bandSolveIn(vecPtr);
      core.f64(outPtr, n).set(fc.f64(vecPtr, n));
    },
  };
  const solve = (r: Float64Array, out: Float64Array): void => {
    if (!(r instanceof Float64Array)) throw invalidParameter('r', 'a Float64Array', r);
    if (!(out instanceof Float64Array)) throw invalidParameter('out', 'a Float64Array', out);
    assertLength('r', r, n);
    assertLength('out', out, n);
    if (n === 0) return;
    fc.f64(vecPtr, n).set(r);
    bandSolveIn(vecPtr);
    out.set(fc.f64(vecPtr, n));
  };
  return { solve: attachPtrProducts(solve, ptr), bytes: fc.used };
}

/**
 * The factored (A·Aᵀ)⁻¹ of the conv operator convOperator(weight, geometry).
 *
 * @param weight (outC, c/groups, kh, kw) Float64Array
 * @param geometry stride, asymmetric padding, dilation, groups (overlapping or not)
 * @param opts budget (bytes, default 1 GiB); keep (c·h·w): factor for restrictColumns(A, keep)
 * @returns { solve, bandwidth, rows, bytes, dropped, accuracy, factorMs }, or undefined when the
 *   band would exceed the memory budget, or A·Aᵀ is so near singular that the factor without
 *   pivoting breaks down (a pivot clearly negative, or a test projection that does not converge:
 *   see factorChecked; seen when A has more rows than its rank): the caller then falls back to an
 *   iterative preconditioner (convPreconditioner)
 * @throws TypeError/RangeError on a bad geometry, weight or budget
 *
 * Notes: band of A·Aᵀ from the weights (by probing with conv products when columns are held;
 * normal-band.ts), then band Cholesky, n·b²/2 multiply–adds, and a
 * solve of 2·n·b. A·Aᵀ may be singular (dependent rows of W, windows that read only padding, more
 * rows than pixels): rows whose pivot falls to rounding level are dropped, so M = E_S (A·Aᵀ)_SS⁻¹ E_Sᵀ
 * on the independent rows S. That M is symmetric semidefinite and solves every consistent system
 * exactly, so preconditioned CG on A·Aᵀ z = A·v still ends in a step or two. (A diagonal shift
 * instead would give M eigenvalues 1/shift on ker(Aᵀ), where rounding puts a little of every
 * residual, and that pollutes CG's inner products: measured, CG then stalls.)
 */
export function convNormalFactor(weight: Float64Array, geometry: ConvGeometry, opts: NormalFactorOptions = {}): NormalFactor | undefined {
  const { oh, ow } = checkGeometry(geometry);
  const g: ConvGeometry = { ...geometry };
  const K = (g.c / g.groups) * g.kh * g.kw;
  if (!(weight instanceof Float64Array)) throw invalidParameter('weight', 'a Float64Array', weight);
  assertLength('weight', weight, g.outC * K);
  checkFinite('weight', weight);
  const { budget, held } = checkOptions(opts, g.c * g.h * g.w);
  const t0 = performance.now();
  const n = g.outC * oh * ow;
  const { perm, bandwidth: b, slow } = convRowOrder(g, oh, ow);
  const ld = b + 1;
  if (n * ld * 8 > budget) return undefined;
  const fc = createCoreSync();
  const bandPtr = fc.alloc(n * ld * 8);
  const view = () => fc.f64(bandPtr, n * ld);
  const assemble = held?.length
    ? (): void => void fillConvBand(weight, g, oh, ow, perm, b, ld, view, held)
    : (): void => void convBandDirect(weight, g, oh, ow, perm, b, ld, view);
  const op = convOperator(weight, g);
  const f = factorChecked(fc, n, b, ld, bandPtr, perm, assemble, opts.keep ? restrictColumns(op, opts.keep).op : op);
  if (!f) return undefined;
  const { probe, ...factor } = f;
  // one group, every pixel free, nothing dropped or shifted: the rows may settle to one column's (periodicFactor)
  const settled = opts.settle !== false && !held?.length && g.groups === 1 && f.dropped === 0 && f.shift === 0
    ? periodicFactor(fc, n, b, ld, bandPtr, perm, slow, op, probe) : undefined;
  return { ...factor, ...settled, peakBytes: factor.bytes + (settled?.bytes ?? 0), bandwidth: b, rows: n, factorMs: performance.now() - t0 };
}

/**
 * Largest entry-wise difference, relative to the factor's largest entry, for a row block to stand in
 * for another: an eighth of the band factorization's own rounding level, (b + 1)·eps. (The settled
 * blocks jitter by 1–2e-15 of the largest entry on the PP-OCR classifier, 2e-16 on random weights.)
 */
const settledTol = (b: number) => (b + 1) * EPS / 8;

/**
 * In the row order of convRowOrder (one slow index after another — S of them, n/S rows each), the band
 * Cholesky factor of a convolution's A·Aᵀ is the same recurrence applied column after column of
 * the image: away from the first columns its row blocks converge geometrically to a fixed block
 * (measured on the PP-OCR classifier's 48×192 layer: a factor ≈ 50 every four columns, round-off
 * level — 1–2e-15 of the largest entry — from the 36th of 96 columns on; the entries then jitter in
 * the last bits and never settle exactly). Once every block from j0 on lies within settledTol(b) of
 * the last one, the factor is kept as its first j0 blocks and the last, which the rows from block j0
 * on read (assembly/banded.ts bandSolvePeriodicF64): the solve then streams a third of the band, and
 * the held memory shrinks with it. The perturbation is below the factorization's own rounding; the
 * shorter factor is kept only if the test projection converges in as few PCG steps as with the whole.
 */
function periodicFactor(fc: Core, n: number, b: number, ld: number, bandPtr: number, perm: Int32Array, S: number, op: LinearOperator,
  probe: Checked['probe']): Pick<NormalFactor, 'solve' | 'bytes' | 'accuracy' | 'settledAt'> | undefined {
  if (S < 4) return undefined;
  const period = n / S; // rows per column (one group: every output channel at every fast position)
  const band = fc.f64(bandPtr, n * ld);
  const blockLen = period * ld;
  const max = fc.kernels.maxAbsF64(bandPtr, n * ld);
  // each block's distance to the last one; j0: from there on every block within tol of it
  const tol = settledTol(b) * max;
  const last = (S - 1) * blockLen;
  let j0 = S - 1;
  for (let j = S - 2; j >= 0; j--) {
    const o = j * blockLen;
    let d = 0;
    for (let t = 0; t < blockLen; t++) d = Math.max(d, Math.abs(band[o + t]! - band[last + t]!));
    if (!(d <= tol)) break;
    j0 = j;
  }
  // worth it only when the kept part is clearly smaller
  if (j0 + 1 > 0.75 * S) return undefined;
  // rows from block j0 on read the last block, the most settled one (every block from j0 lies within tol of it)
  const pc = createCoreSync();
  const keepPtr = pc.alloc((j0 + 1) * blockLen * 8);
  const kept = pc.f64(keepPtr, (j0 + 1) * blockLen);
  kept.set(band.subarray(0, j0 * blockLen));
  kept.set(band.subarray(last, last + blockLen), j0 * blockLen);
  const short = solverOf(pc, n, b, ld, keepPtr, perm, { r0: j0 * period, period });
  // factorChecked's test projection again, with the shorter factor
  const check = projectToNullSpace(op, probe.v, { preconditioner: short.solve, norm: probe.norm, tol: 1e-13, maxIter: 20 });
  if (!check.converged || check.iterations > probe.iterations) return undefined;
  return { solve: short.solve, bytes: short.bytes, accuracy: accuracyOf(op, short.solve), settledAt: j0 * period };
}

/**
 * The factored (W·Wᵀ)⁻¹ of a dense first layer y = W x: a Cholesky of the m × m Gram matrix
 * through the band code with b = m − 1 (no permutation).
 *
 * @param w (m, n) row-major Float64Array
 * @param opts budget (bytes, default 1 GiB); keep (n): factor for restrictColumns(A, keep)
 * @returns as convNormalFactor; undefined when m²·8 bytes exceed the budget or the factor breaks down
 * @throws TypeError/RangeError on bad sizes, a wrong length, non-finite entries or a bad budget
 *
 * Notes: the Gram matrix by the WASM GEMM in the factor's own core, m³/6 multiply–adds to factor.
 * Rows of W that are dependent (m > n, repeated rows) make W·Wᵀ singular: dropped as for a conv.
 */
export function denseNormalFactor(w: Float64Array, m: number, n: number, opts: NormalFactorOptions = {}): NormalFactor | undefined {
  if (!(w instanceof Float64Array)) throw invalidParameter('w', 'a Float64Array', w);
  assertInt('m', m); assertInt('n', n);
  assertLength('w', w, m * n);
  checkFinite('w', w);
  const { budget, held } = checkOptions(opts, n);
  const t0 = performance.now();
  const b = Math.max(m - 1, 0), ld = b + 1;
  // A_K = W with the held columns zeroed
  const wk = held?.length ? w.slice() : w;
  if (held?.length) for (let i = 0; i < m; i++) for (const q of held) wk[i * n + q] = 0;
  if (m * ld * 8 > budget) return undefined;
  const fc = createCoreSync();
  const bandPtr = fc.alloc(m * ld * 8);
  const assemble = (): void => {
    if (m === 0) return;
    fc.scoped(() => {
      const wPtr = fc.put(wk);
      // G = W·Wᵀ row-major into the band's memory, then row i shifted right by b − i: column k at i·ld + k − i + b
      gemmPtr(fc, true, false, true, m, m, n, 1, wPtr, n, wPtr, n, 0, bandPtr, ld);
    });
    const band = fc.f64(bandPtr, m * ld);
    for (let i = 0; i < m; i++) band.copyWithin(i * ld + b - i, i * ld, i * ld + i + 1);
  };
  const f = factorChecked(fc, m, b, ld, bandPtr, undefined, assemble, denseOperator(wk, m, n));
  if (!f) return undefined;
  const { probe: _probe, ...factor } = f;
  return { ...factor, peakBytes: factor.bytes, bandwidth: b, rows: m, factorMs: performance.now() - t0 };
}
