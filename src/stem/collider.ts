// Exact collisions at a stem tensor L (DESIGN.md §5): set up once per (model, input size) — the
// folded conv A and its norm, the windows of every usable L — then per image: z = A x + b, the
// level set at the chosen L (program.ts), the goal (x + α·noise, or T), the solve (solve.ts), and
// the figures that certify it: L's output at x′ against x's at float64 and float32, the winners'
// residual ‖A_S δ‖/(‖A_S‖‖δ‖), the smallest slack left, the first layer's change.
import { convOperator, conv2d } from '../linalg/conv.js';
import { convRows } from '../linalg/conv-rows.js';
import { convDualSteps } from './primal-dual.js';
import { opNorm } from '../linalg/project.js';
import { randn } from '../linalg/random.js';
import type { LinearOperator } from '../linalg/operator.js';
import { modelBoxOf, pixelRms, type ChannelAffine } from '../collide/space.js';
import { boundsFor, FREEZE_PIXELS } from '../collide/collider.js';
import { DEFAULT_ALPHA } from '../collide/strength.js';
import type { StemChain, StemCandidate } from './chain.js';
import { flatsOf, levelSet, stemForward, windowsOf, type Flats, type LevelSet, type Windows } from './program.js';
import { stemSolve } from './solve.js';
import { tilePreconditioners } from './tile-precond.js';

// Pixels on or near 0 or 1 keep their one-sided room by default (the box constraint holds them);
// held at δ = 0 instead (FREEZE_PIXELS, the first-layer fit's rule) they leave rows with few free
// pixels, which stalled the exact stage on real photos — that is now the retry. Very large clipped
// regions still stall it (a photo stretched to 36% of its samples at 0 or 255: reported, not written).

/** A constrained row whose free pixels carry less than this share of its weight² has its pixels held too. */
const THIN = 0.5;

/** Margin kept inside every bound, relative to the RMS of z: the slack x′ keeps at least (or a tie is pushed below by). */
const MARGIN = 1e-3;

/**
 * The default L is the shallowest whose dimension bound is at least this share of the free pixels
 * (room for the default strength), else the one with the largest bound.
 */
const ROOMY = 0.25;

/** Strength rounds at most (each a whole solve; the goal grows ≤ 2× a round, ≤ 8× in all). */
const MAX_AIM_ROUNDS = 2;
/** A reached pixel RMS at least this share of the asked one ends the strength rounds (a round is a whole solve). */
const AIM_ENOUGH = 0.6;
/** The first goal when aiming, as a multiple of the asked strength. */
const OVERSHOOT = 2;

export interface StemOptions {
  affine: ChannelAffine;
  /** L by tensor name; default: the shallowest usable L whose dimension bound for the image is ROOMY of its free pixels, else the roomiest */
  at?: string;
  direction?: 'noise' | 'target';
  alpha?: number;
  psnr?: number;
  seed?: number;
  /** primal–dual steps (default 100) */
  iterations?: number;
}

/** One usable L and what set-up built for it. */
export interface StemAt { candidate: StemCandidate; windows: Windows; flats: Flats }

export interface StemSetup {
  chain: StemChain;
  /** A: image (model space) → conv output, BatchNorm and per-channel affine layers folded in, without bias */
  op: LinearOperator;
  norm: number;
  /** usable tensors L, shallowest first */
  usable: StemAt[];
  settings: StemOptions & { seed: number; direction: 'noise' | 'target'; iterations: number };
  setupMs: number;
  collide(x: Float64Array, index: number, target?: Float64Array): StemCollision;
  /** L's output and the certificates for each x′ against x (model space; what depends on x alone is computed once) */
  measure(x: Float64Array, xPrimes: readonly Float64Array[], at: StemAt, ls: LevelSet): StemMeasures[];
}

/** The figures of one image's level set at L. */
export interface StemLevel {
  /** L: tensor and the node producing it */
  tensor: string; node: string;
  /** winners held (equality rows), bounded positions (inequality rows), bounds of zero slack at x, outputs on a flat part */
  equalities: number; inequalities: number; tight: number; flatOutputs: number;
  /** pixels strictly inside the box at x */
  interior: number;
  /** proven: dim(polytope) ≥ interior − equalities − tight */
  dimensionBound: number;
}

export interface StemMeasures {
  /** ‖h_L(x′) − h_L(x)‖ / ‖h_L(x)‖ at float64, and with every op rounded to float32 */
  residual: { float64: number; float32: number };
  /** ‖A_S δ‖ / (‖A_S‖ ‖δ‖) over the winners (‖A_S‖ by power iteration: a lower estimate, so this is not flattering) */
  equalityResidual: number;
  /** the smallest slack of any bounded position at x′ (z's units; > 0: every bound strict), and bounds broken beyond round-off */
  minSlack: number; broken: number;
  /** bounds of zero slack at x (ties) that x′ keeps tied, to round-off: equalities in effect */
  tiesKept: number;
  /** bounds x′ keeps at float64 but breaks in float32 arithmetic (against x's float32 level set): strict inequalities flipped by rounding */
  flips32: number;
  /** ‖A δ‖ / ‖A x + b‖: the first layer's output does change (the collision is at L) */
  firstLayerChange: number;
}

export interface StemCollision {
  delta: Float64Array;
  alpha: number;
  seed: number;
  at: StemAt;
  level: StemLevel;
  levelSet: LevelSet;
  /** every L tried, shallowest first */
  tried: StemLevel[];
  strength: { asked: number; reached: number };
  /** retried: the first solve's completion stalled and it ran again with the saturated pixels free (one-sided) */
  solver: { iterations: number; rounds: number; cgSteps: number; heldRows: number; heldPixels: number; gamma: number; ok: boolean; aimRounds: number; retried: boolean };
}

/** The pixel box around x in model space (δ's bounds, lo ≤ 0 ≤ hi) and the count of pixels strictly inside it. */
export function pixelBox(x: Float64Array, affine: ChannelAffine, plane: number): { lo: Float64Array; hi: Float64Array; interior: number } {
  const { lo, hi } = boundsFor(x, modelBoxOf(affine), plane);
  let interior = 0;
  for (let i = 0; i < x.length; i++) if (lo[i]! < 0 && hi[i]! > 0) interior++;
  return { lo, hi, interior };
}

/** The figures of a level set at L: its rows, and the proven dimension bound (the tight bounds count as equalities). */
export function levelFor(c: StemCandidate, ls: LevelSet, interior: number): StemLevel {
  return {
    tensor: c.tensor, node: c.node,
    equalities: ls.equalities, inequalities: ls.inequalities, tight: ls.tight, flatOutputs: ls.flatOutputs,
    interior, dimensionBound: Math.max(0, interior - ls.equalities - ls.tight),
  };
}

/**
 * The level set of x at every tensor after the stem, usable or not (`inspect --image`): L, whether
 * it is a cut, and its rows and dimension bound.
 */
export function stemLevels(chain: StemChain, x: Float64Array, affine: ChannelAffine): { candidate: StemCandidate; level: StemLevel }[] {
  const g = chain.conv.geometry;
  const z = convOutput(convOperator(chain.conv.weight, g), chain.conv.bias ?? new Float64Array(g.outC), x);
  const { interior } = pixelBox(x, affine, g.h * g.w);
  return chain.candidates.map((candidate) => ({ candidate, level: levelFor(candidate, levelSet(windowsOf(candidate.steps, chain.z), flatsOf(candidate.steps), z), interior) }));
}

/** z = A x + b, b per output channel (CHW): the folded conv's output. */
function convOutput(op: LinearOperator, bias: Float64Array, x: Float64Array): Float64Array {
  const z = op.apply(x);
  const per = z.length / bias.length;
  for (let j = 0; j < z.length; j++) z[j]! += bias[Math.floor(j / per)]!;
  return z;
}

function nrm(a: Float64Array): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!; return Math.sqrt(s); }

/** A restricted to a row set (other rows read and write 0). */
function rowsOf(op: LinearOperator, keep: Uint8Array): LinearOperator {
  return {
    rows: op.rows, cols: op.cols,
    apply: (x, out) => { const y = op.apply(x, out); for (let j = 0; j < y.length; j++) if (!keep[j]) y[j] = 0; return y; },
    applyT: (y, out) => { const t = Float64Array.from(y); for (let j = 0; j < t.length; j++) if (!keep[j]) t[j] = 0; return op.applyT(t, out); },
  };
}

/** Set-up for the stem of a chain; throws RangeError when `at` names no usable tensor. */
export function prepareStem(chain: StemChain, options: StemOptions): StemSetup {
  const t0 = performance.now();
  const settings = { seed: 0, direction: 'noise' as const, iterations: 100, ...options };
  const g = chain.conv.geometry;
  const op = convOperator(chain.conv.weight, g);
  const sq = convOperator(chain.conv.weight.map((v) => v * v), g);
  const abs = convOperator(chain.conv.weight.map(Math.abs), g);
  // the primal–dual steps only need to get close: float32 products, their row side kept in WASM
  const dual = convDualSteps(chain.conv.weight, g);
  const bias = chain.conv.bias ?? new Float64Array(g.outC);
  // power iteration is a lower estimate; the primal–dual steps need an upper one
  const norm = 1.02 * opNorm(op, { iters: 60 });
  const pick = settings.at ? chain.candidates.filter((c) => c.tensor === settings.at || c.node === settings.at) : chain.candidates.filter((c) => c.refused === null);
  if (settings.at && pick.length === 0) throw new RangeError(`--at ${settings.at}: not a tensor after the stem's discarding layers (candidates: ${chain.candidates.map((c) => c.tensor).join(', ') || 'none'})`);
  if (settings.at && pick[0]!.refused) throw new RangeError(`--at ${settings.at}: not a cut of the graph — ${pick[0]!.refused}`);
  const usable: StemAt[] = pick.map((candidate) => ({ candidate, windows: windowsOf(candidate.steps, chain.z), flats: flatsOf(candidate.steps) }));
  const plane = g.h * g.w;
  const box = modelBoxOf(settings.affine);
  const zOf = (x: Float64Array) => convOutput(op, bias, x);

  const collide = (x: Float64Array, index: number, target?: Float64Array): StemCollision => {
    const n = x.length;
    const z = zOf(x);
    const { lo, hi, interior } = pixelBox(x, settings.affine, plane);
    // L: the one asked for, else the shallowest with room (ROOMY), else the roomiest
    const tried: StemLevel[] = [];
    let chosen: { at: StemAt; ls: LevelSet; level: StemLevel } | undefined;
    for (const at of usable) {
      const ls = levelSet(at.windows, at.flats, z);
      const level = levelFor(at.candidate, ls, interior);
      tried.push(level);
      // the roomiest so far: the larger bound, or (both 0) the fewer rows pinning x
      const pins = (l: StemLevel) => l.equalities + l.tight;
      if (!chosen || level.dimensionBound > chosen.level.dimensionBound || (level.dimensionBound === chosen.level.dimensionBound && pins(level) < pins(chosen.level))) chosen = { at, ls, level };
      if (settings.at || level.dimensionBound >= ROOMY * interior) { chosen = { at, ls, level }; break; }
    }
    if (!chosen) throw new RangeError('no usable tensor after the stem');
    const { at, ls, level } = chosen;
    // row bounds in δ's terms, each kept a margin inside its true bound; a bound of zero slack (a tie,
    // or a value on a flat part's edge) must move strictly inside: by the margin, when free pixels reach it
    let s2 = 0; for (let j = 0; j < z.length; j++) s2 += z[j]! * z[j]!;
    const mu = MARGIN * Math.sqrt(s2 / z.length);
    const m = z.length;
    // What is held at δ = 0, and the row bounds that follow. `saturated`: pixels within FREEZE_PIXELS
    // of 0/1 are held (the retry of a stalled solve); by default they keep their one-sided room —
    // held, they leave rows with few free pixels, and the exact stage's CG crawled (a real photo
    // brightened to 0.6% white: 1 766 CG steps held, 243 free).
    const holdSet = (saturated: boolean) => {
      const frozen = new Uint8Array(n);
      if (saturated) {
        for (let c = 0; c < box.lo.length; c++) {
          const f = FREEZE_PIXELS / Math.abs(settings.affine.std[c]!);
          for (let i = c * plane; i < (c + 1) * plane; i++) if (-lo[i]! <= f || hi[i]! <= f) frozen[i] = 1;
        }
      }
      // Ties (tied window maxima: flat regions, white paper, clipped highlights) pin their pixels in
      // practice — a flat patch cannot lower all its tied responses while keeping its winners — and
      // held as equalities they make the exact stage's system overdetermined. Their pixels are held
      // at δ = 0 instead, so every tie stays exactly as it is.
      const tieRows = new Float64Array(m);
      let ties = 0;
      for (let j = 0; j < m; j++) if (!ls.equal[j] && (ls.upper[j] === z[j] || ls.lower[j] === z[j])) { tieRows[j] = 1; ties++; }
      if (ties) { const read = abs.applyT(tieRows); for (let i = 0; i < n; i++) if (read[i]! > 0) frozen[i] = 1; }
      // A constrained row that reads mostly held pixels leaves the few free ones to satisfy it and its
      // neighbours together — near-dependent rows that stall the exact stage: hold its pixels too
      if (saturated) {
        const part = sq.apply(Float64Array.from(frozen, (f) => (f ? 0 : 1)));
        const full = sq.apply(new Float64Array(n).fill(1));
        const thin = new Float64Array(m);
        let k = 0;
        for (let j = 0; j < m; j++) {
          const constrained = ls.equal[j] || ls.upper[j]! < Infinity || ls.lower[j]! > -Infinity;
          if (constrained && part[j]! > 0 && part[j]! < THIN * full[j]!) { thin[j] = 1; k++; }
        }
        if (k) { const read = abs.applyT(thin); for (let i = 0; i < n; i++) if (read[i]! > 0) frozen[i] = 1; }
      }
      const reach = sq.apply(Float64Array.from(frozen, (f) => (f ? 0 : 1)));
      const lb = new Float64Array(m).fill(-Infinity); const ub = new Float64Array(m).fill(Infinity);
      const equal = Uint8Array.from(ls.equal);
      const room = new Float64Array(m);
      for (let j = 0; j < m; j++) {
        if (equal[j]) { lb[j] = 0; ub[j] = 0; continue; }
        if (reach[j] === 0 && (ls.upper[j]! < Infinity || ls.lower[j]! > -Infinity)) { lb[j] = 0; ub[j] = 0; continue; } // no free pixel reaches it: it stays
        // each bound sits its margin (`room`: min(μ, half the slack), 0 for no slack) inside the true one
        let r = Infinity;
        if (ls.upper[j]! < Infinity) { const sl = ls.upper[j]! - z[j]!; const rm = sl > 0 ? Math.min(mu, 0.5 * sl) : 0; ub[j] = sl > 0 ? sl - rm : -mu; r = rm; }
        if (ls.lower[j]! > -Infinity) { const sl = z[j]! - ls.lower[j]!; const rm = sl > 0 ? Math.min(mu, 0.5 * sl) : 0; lb[j] = sl > 0 ? -(sl - rm) : mu; r = Math.min(r, rm); }
        room[j] = Number.isFinite(r) ? r : 0;
      }
      return { frozen, rows: { lb, ub, equal, room } };
    };
    // the goal
    const seed = settings.seed + index;
    let dir: Float64Array;
    let asked: number; let alpha: number;
    if (settings.direction === 'target') {
      if (!target) throw new RangeError('--target needs a target image');
      dir = new Float64Array(n); for (let i = 0; i < n; i++) dir[i] = target[i]! - x[i]!;
      alpha = settings.alpha ?? 1;
      for (let i = 0; i < n; i++) dir[i]! *= alpha;
      asked = pixelRms(dir, settings.affine, plane);
      if (settings.psnr !== undefined) { const s = 10 ** (-settings.psnr / 20) / asked; for (let i = 0; i < n; i++) dir[i]! *= s; asked *= s; }
    } else {
      dir = randn(n, seed);
      const raw = pixelRms(dir, settings.affine, plane);
      asked = settings.psnr !== undefined ? 10 ** (-settings.psnr / 20) : settings.alpha ?? DEFAULT_ALPHA;
      alpha = asked;
      for (let i = 0; i < n; i++) dir[i]! *= asked / raw;
    }
    const aim = settings.alpha === undefined && (settings.direction !== 'target' || settings.psnr !== undefined);
    const rowWeights = (keep: Uint8Array) => sq.apply(Float64Array.from(keep));
    // one factor cache for the rounds' held rows, one for the exact rows alone (each reused as it stays)
    // the loose rounds' tiles in float32 (half the bytes a CG step streams), the exact rows' in float64
    const tiles = g.groups === 1 ? [tilePreconditioners(chain.conv.weight, g, 'f32'), tilePreconditioners(chain.conv.weight, g)] : undefined;
    const heldRows = g.groups === 1 ? (held: Uint8Array) => convRows(chain.conv.weight, g, held) : undefined;
    const preconditioner = tiles ? (keep: Uint8Array, held: Uint8Array, exact: boolean, index: Int32Array) => tiles[exact ? 1 : 0]!(held, keep, index) : undefined;
    // aiming, the goal starts beyond the asked strength (the polytope takes a share of it) and an
    // x′ that overshoots is scaled back: δ → γδ, γ < 1, stays on the level set (it is convex and holds x)
    let grown = aim ? OVERSHOOT : 1; let goal = aim ? dir.map((v) => v * grown) : dir; let aimRounds = 0;
    let best: { delta: Float64Array; res: ReturnType<typeof stemSolve>; rms: number } | undefined;
    let hold = holdSet(false);
    let retried = false;
    for (; aimRounds < (aim ? MAX_AIM_ROUNDS : 1); aimRounds++) {
      let res = stemSolve(op, hold.rows, goal, lo, hi, { norm, rowWeights, frozen: hold.frozen, iterations: settings.iterations, dual, preconditioner, rowsOf: heldRows });
      // a completion that stalls is tried once more with the pixels on or near a bound held at δ = 0
      if (!res.ok && !retried) { retried = true; hold = holdSet(true); res = stemSolve(op, hold.rows, goal, lo, hi, { norm, rowWeights, frozen: hold.frozen, iterations: settings.iterations, dual, preconditioner, rowsOf: heldRows }); }
      const rms = pixelRms(res.delta, settings.affine, plane);
      if (!best || rms > best.rms) best = { delta: res.delta, res, rms };
      if (!res.ok || rms >= AIM_ENOUGH * asked || grown >= 8) { aimRounds++; break; }
      const k = Math.min(2, 8 / grown, asked / Math.max(rms, 1e-3 * asked));
      grown *= k;
      goal = dir.map((v) => v * grown);
    }
    if (aim && best!.rms > asked) {
      const g = asked / best!.rms;
      for (let i = 0; i < n; i++) best!.delta[i]! *= g;
      best!.rms = asked;
    }
    const { res } = best!;
    return {
      delta: best!.delta, alpha, seed, at, level, levelSet: ls, tried,
      strength: { asked, reached: best!.rms },
      solver: { iterations: res.iterations, rounds: res.rounds, cgSteps: res.cgSteps, heldRows: res.heldRows, heldPixels: res.heldPixels, gamma: res.gamma, ok: res.ok, aimRounds, retried },
    };
  };

  const measure = (x: Float64Array, xPrimes: readonly Float64Array[], at: StemAt, ls: LevelSet): StemMeasures[] => {
    const rel = (a: Float64Array, b: Float64Array) => { let d = 0; for (let i = 0; i < a.length; i++) d += (a[i]! - b[i]!) ** 2; const s = nrm(a); return s > 0 ? Math.sqrt(d) / s : Math.sqrt(d); };
    // what x gives, once for every x′: L's output at float64 and with every op rounded to float32
    // (the conv in float32 arithmetic), x's float32 level set, ‖A_S‖
    const b32 = Float32Array.from(bias); const w32 = Float32Array.from(chain.conv.weight);
    const z32Of = (v: Float64Array) => Float64Array.from(conv2d(Float32Array.from(v), w32, g, b32));
    const z = zOf(x); const z32 = z32Of(x);
    const h = stemForward(at.candidate.steps, at.windows, z);
    const h32 = stemForward(at.candidate.steps, at.windows, z32, true);
    const ls32 = levelSet(at.windows, at.flats, z32);
    const aS = opNorm(g.groups === 1 ? convRows(chain.conv.weight, g, ls.equal).op : rowsOf(op, ls.equal), { iters: 20 });
    let zmax = 0; for (let j = 0; j < z.length; j++) zmax = Math.max(zmax, Math.abs(z[j]!));
    const roundoff = 1e-12 * zmax;
    return xPrimes.map((xPrime) => {
      const zp = zOf(xPrime); const zp32 = z32Of(xPrime);
      const hp = stemForward(at.candidate.steps, at.windows, zp);
      const hp32 = stemForward(at.candidate.steps, at.windows, zp32, true);
      // the bounds x′ breaks in x's float32 level set though it keeps them at float64: a strict
      // inequality whose slack is below float32 rounding flips
      let flips32 = 0;
      for (let j = 0; j < zp32.length; j++) {
        if (ls32.equal[j] || ls.equal[j]) continue;
        const s64 = Math.min(ls.upper[j]! - zp[j]!, zp[j]! - ls.lower[j]!);
        const s32 = Math.min(ls32.upper[j]! - zp32[j]!, zp32[j]! - ls32.lower[j]!);
        if (s64 > 0 && s32 < 0) flips32++;
      }
      const d = new Float64Array(x.length); for (let i = 0; i < d.length; i++) d[i] = xPrime[i]! - x[i]!;
      const ad = op.apply(d);
      let eq2 = 0; for (let j = 0; j < ad.length; j++) if (ls.equal[j]) eq2 += ad[j]! * ad[j]!;
      const dn = nrm(d);
      // a bound of zero slack at x that x' keeps to round-off (a tie the solver held) is an equality
      // in effect: counted apart, not as the smallest slack; a bound is broken beyond round-off only
      let minSlack = Infinity; let broken = 0; let tiesKept = 0;
      for (let j = 0; j < zp.length; j++) {
        if (ls.equal[j]) continue;
        const s = Math.min(ls.upper[j]! - zp[j]!, zp[j]! - ls.lower[j]!);
        if (s === Infinity) continue;
        const s0 = Math.min(ls.upper[j]! - z[j]!, z[j]! - ls.lower[j]!);
        if (s0 === 0 && Math.abs(s) <= roundoff) { tiesKept++; continue; }
        if (s < minSlack) minSlack = s;
        if (s < -roundoff) broken++;
      }
      return {
        residual: { float64: rel(h, hp), float32: rel(h32, hp32) },
        equalityResidual: dn === 0 ? 0 : Math.sqrt(eq2) / (aS * dn),
        minSlack, broken, tiesKept, flips32,
        firstLayerChange: nrm(ad) / (nrm(z) || 1),
      };
    });
  };
  return { chain, op, norm, usable, settings, setupMs: performance.now() - t0, collide, measure };
}
