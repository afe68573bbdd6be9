// The discarding part of a stem — elementwise activations with flat parts and max-pooling, after
// one affine map z = A x + b — as the set of images whose output at L equals x's (DESIGN.md §5).
// Every output o of L is G(max_{j ∈ W_o} z_j): W_o the conv-output positions its pooling windows
// reach (W_o = {o} without pooling), G the activations composed. G is constant on (−∞, a] and on
// [b, ∞) and may be anything between, so the output of o is unchanged when
//   m_o = max z ≤ a:      every z_j, j ∈ W_o, stays ≤ a                       (upper bounds)
//   m_o ≥ b:              the arg-max stays ≥ b                               (one lower bound)
//   a < m_o < b:          one winner keeps its value exactly, the rest stay ≤ m_o (an equality and upper bounds)
// These conditions are sufficient, and convex: the level set they carve is a polytope around x.
// Monotone activations commute with max, so Relu/Clip/HardSigmoid may sit before or after a pool;
// HardSwish (not monotone) only at the very end, where only its flat part z ≤ −3 matters.
import { outputSize } from '../linalg/geometry.js';

/** An activation with flat parts, with its ONNX attributes resolved. */
export type Act =
  | { op: 'Relu' }
  | { op: 'Clip'; min: number; max: number }
  | { op: 'HardSigmoid'; alpha: number; beta: number }
  | { op: 'HardSwish' };

/** A 2-D max-pooling (ONNX MaxPool, batch 1): kernel, strides, dilations, pads (−∞), ceil_mode. */
export interface Pool {
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  padTop: number; padLeft: number; padBottom: number; padRight: number;
  ceil: boolean;
}

export type Step = { kind: 'act'; act: Act } | { kind: 'pool'; pool: Pool };

/** G's flat parts: constant on (−∞, a] and [b, ∞); on (a, b) it is p·z + q when `affine`. */
export interface Flats { a: number; b: number; p: number; q: number; affine: boolean }

/** The flat parts of the activations of `steps`, composed (pools commute with monotone activations). */
export function flatsOf(steps: Step[]): Flats {
  let f: Flats = { a: -Infinity, b: Infinity, p: 1, q: 0, affine: true };
  for (const s of steps) {
    if (s.kind !== 'act') continue;
    if (!f.affine) throw new RangeError(`${s.act.op} after HardSwish: the stem's level set is only built through HardSwish as the last activation`);
    const act = s.act;
    // the act's own flats (a2, b2) and its slope/offset between them, in its input's units
    const [a2, b2, p2, q2, affine] = act.op === 'Relu' ? [0, Infinity, 1, 0, true]
      : act.op === 'Clip' ? [act.min, act.max, 1, 0, true]
      : act.op === 'HardSigmoid' ? [-act.beta / act.alpha, (1 - act.beta) / act.alpha, act.alpha, act.beta, true]
      : [-3, Infinity, 1, 0, false];
    f = { a: Math.max(f.a, (a2 - f.q) / f.p), b: Math.min(f.b, (b2 - f.q) / f.p), p: p2 * f.p, q: p2 * f.q + q2, affine };
  }
  return f;
}

/** One activation at one value (float64; ONNX semantics). */
export function applyAct(act: Act, v: number): number {
  switch (act.op) {
    case 'Relu': return v > 0 ? v : 0;
    case 'Clip': return v < act.min ? act.min : v > act.max ? act.max : v;
    case 'HardSigmoid': { const t = act.alpha * v + act.beta; return t < 0 ? 0 : t > 1 ? 1 : t; }
    case 'HardSwish': { const t = v / 6 + 0.5; return v * (t < 0 ? 0 : t > 1 ? 1 : t); }
  }
}

/** A tensor shape C × H × W. */
export interface Chw { c: number; h: number; w: number }

/** Output size of a MaxPool (floor or ceil; with ceil, a last window must start inside the input or left padding). */
export function poolOutput(p: Pool, h: number, w: number): { oh: number; ow: number } {
  const one = (n: number, k: number, s: number, d: number, lo: number, hi: number): number => {
    const span = n + lo + hi - (d * (k - 1) + 1);
    let o = (p.ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (p.ceil && (o - 1) * s >= n + lo) o--;
    return Math.max(0, o);
  };
  return { oh: one(h, p.kh, p.sh, p.dh, p.padTop, p.padBottom), ow: one(w, p.kw, p.sw, p.dw, p.padLeft, p.padRight) };
}

/**
 * The windows of L's outputs over the conv output (CSR: the positions of output o are
 * index[start[o] .. start[o+1]), each once) and L's shape.
 */
export interface Windows { start: Int32Array; index: Int32Array; out: Chw }

/** W_o for every output o of L, composing the pools of `steps` over a conv output of shape `z`. */
export function windowsOf(steps: Step[], z: Chw): Windows {
  let shape = { ...z };
  let start = new Int32Array(z.c * z.h * z.w + 1);
  let index = new Int32Array(z.c * z.h * z.w);
  for (let i = 0; i < index.length; i++) { index[i] = i; start[i + 1] = i + 1; }
  const seen = new Int32Array(z.c * z.h * z.w).fill(-1);
  for (const s of steps) {
    if (s.kind !== 'pool') continue;
    const p = s.pool;
    const { oh, ow } = poolOutput(p, shape.h, shape.w);
    const count = shape.c * oh * ow;
    const nStart = new Int32Array(count + 1);
    const list: number[] = [];
    for (let c = 0, o = 0; c < shape.c; c++) {
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++, o++) {
          for (let ky = 0; ky < p.kh; ky++) {
            const iy = y * p.sh - p.padTop + ky * p.dh;
            if (iy < 0 || iy >= shape.h) continue;
            for (let kx = 0; kx < p.kw; kx++) {
              const ix = x * p.sw - p.padLeft + kx * p.dw;
              if (ix < 0 || ix >= shape.w) continue;
              const q = (c * shape.h + iy) * shape.w + ix;
              for (let t = start[q]!; t < start[q + 1]!; t++) {
                const j = index[t]!;
                if (seen[j] !== o) { seen[j] = o; list.push(j); }
              }
            }
          }
          nStart[o + 1] = list.length;
        }
      }
    }
    start = nStart; index = Int32Array.from(list); shape = { c: shape.c, h: oh, w: ow };
    seen.fill(-1);
  }
  return { start, index, out: shape };
}

/** L's output from the conv output z (with bias): G(max over each window), at float64 or rounded to float32 per op. */
export function stemForward(steps: Step[], win: Windows, z: Float64Array, f32 = false): Float64Array {
  const r = f32 ? Math.fround : (v: number) => v;
  const acts = steps.filter((s): s is { kind: 'act'; act: Act } => s.kind === 'act').map((s) => s.act);
  const n = win.start.length - 1;
  const out = new Float64Array(n);
  for (let o = 0; o < n; o++) {
    let m = -Infinity;
    for (let t = win.start[o]!; t < win.start[o + 1]!; t++) { const v = z[win.index[t]!]!; if (v > m) m = v; }
    let v = r(m);
    for (const a of acts) v = r(applyAct(a, v));
    out[o] = v;
  }
  return out;
}

/** What the level set of x asks of each conv-output position j. */
export interface LevelSet {
  /** 1: z_j is held at its value (a winner) */
  equal: Uint8Array;
  /** z_j ≤ upper[j] (Infinity: no upper bound) */
  upper: Float64Array;
  /** z_j ≥ lower[j] (−Infinity: none) */
  lower: Float64Array;
  equalities: number;
  /** positions with a bound (not held) */
  inequalities: number;
  /** bounds with zero slack at x: tied maxima, values exactly on a flat part's edge */
  tight: number;
  /** outputs of L whose window maximum sits on a flat part of G (no equality) */
  flatOutputs: number;
}

/**
 * The level set of the stem at x through z = A x + b: one equality per window maximum in G's
 * non-flat part (a tied maximum shares a winner already held when it can, the other tied
 * positions get a bound of zero slack), bounds for every other position.
 */
export function levelSet(win: Windows, flats: Flats, z: Float64Array): LevelSet {
  const n = z.length;
  const equal = new Uint8Array(n);
  const upper = new Float64Array(n).fill(Infinity);
  const lower = new Float64Array(n).fill(-Infinity);
  const outs = win.start.length - 1;
  const winner = new Int32Array(outs).fill(-1);
  let flatOutputs = 0;
  // first the winners (so that a tie can reuse a position another window already holds)
  const cap = new Float64Array(outs);
  for (let o = 0; o < outs; o++) {
    let m = -Infinity; let arg = -1;
    for (let t = win.start[o]!; t < win.start[o + 1]!; t++) { const j = win.index[t]!; if (z[j]! > m) { m = z[j]!; arg = j; } }
    cap[o] = m;
    if (arg < 0) continue;
    if (m <= flats.a) { flatOutputs++; cap[o] = flats.a; continue; }
    if (m >= flats.b) { flatOutputs++; if (flats.b > lower[arg]!) lower[arg] = flats.b; cap[o] = Infinity; continue; }
    winner[o] = arg;
  }
  // windows with one maximum hold it; a tied window then takes a tied position already held, if any
  const ties = new Uint8Array(outs);
  for (let o = 0; o < outs; o++) {
    if (winner[o]! < 0) continue;
    let k = 0;
    for (let t = win.start[o]!; t < win.start[o + 1]!; t++) if (z[win.index[t]!] === cap[o]) k++;
    if (k > 1) ties[o] = 1; else equal[winner[o]!] = 1;
  }
  for (let o = 0; o < outs; o++) {
    if (!ties[o]) continue;
    for (let t = win.start[o]!; t < win.start[o + 1]!; t++) { const j = win.index[t]!; if (z[j] === cap[o] && equal[j]) { winner[o] = j; break; } }
    equal[winner[o]!] = 1;
  }
  for (let o = 0; o < outs; o++) {
    const c = cap[o]!;
    if (c === Infinity) continue;
    for (let t = win.start[o]!; t < win.start[o + 1]!; t++) { const j = win.index[t]!; if (!equal[j] && c < upper[j]!) upper[j] = c; }
  }
  let equalities = 0; let inequalities = 0; let tight = 0;
  for (let j = 0; j < n; j++) {
    if (equal[j]) { equalities++; upper[j] = Infinity; lower[j] = -Infinity; continue; }
    const hasU = upper[j]! < Infinity; const hasL = lower[j]! > -Infinity;
    if (hasU || hasL) inequalities++;
    if ((hasU && upper[j] === z[j]) || (hasL && lower[j] === z[j])) tight++;
  }
  return { equal, upper, lower, equalities, inequalities, tight, flatOutputs };
}
