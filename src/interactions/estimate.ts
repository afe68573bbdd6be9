// Shapley values and pairwise interactions of a cooperative game v over n units (Wang, Ren et
// al., ICLR 2021: I(i, j) = E_S[v(S∪{i,j}) − v(S∪{i}) − v(S∪{j}) + v(S)] with S ⊆ Ω∖{i, j} drawn
// with the Shapley interaction weighting: size uniform on 0 … n − 2, then uniform). Each round
// relabels Walecki's Hamiltonian paths (paths.ts) by a random permutation and evaluates, per
// path, its prefixes P_1 … P_{n−1} and one extra set P_k ∪ {u_{k+2}} per adjacent pair: n² − n
// evaluations give every pair one sample of Δv and every unit n/2 marginal contributions, whose
// sum telescopes to v(Ω) − v(∅) in every path (efficiency holds exactly, not just in expectation).
// Odd n adds one null unit (no pixels): both indices are invariant to a null player.
import { assertInt } from '../core/errors.js';
import { rng } from '../linalg/random.js';
import { hamiltonianPaths } from './paths.js';

/**
 * Evaluates v on `count` coalitions: masks holds count rows of n bytes (1 = the unit's part of the
 * perturbation is applied), row-major; returns the count values.
 */
export type Game = (masks: Uint8Array, count: number) => Promise<Float64Array>;

export interface InteractionOptions {
  /** rounds: samples of Δv per pair (≥ 1; the standard errors need ≥ 2) */
  samples: number;
  seed?: number;
  /** coalitions handed to the game per call (default 256) */
  chunk?: number;
  /** called after each round */
  onProgress?: (round: number, rounds: number) => void;
}

export interface InteractionEstimate {
  units: number;
  samples: number;
  /** (n × n) row-major, symmetric, zero diagonal: the estimated I(i, j) */
  interaction: Float64Array;
  /** standard error of each I(i, j) across rounds (NaN with one round) */
  interactionSE: Float64Array;
  /** per-unit Shapley values (their sum is vFull − vEmpty to round-off) */
  shapley: Float64Array;
  shapleySE: Float64Array;
  vFull: number;
  vEmpty: number;
  /** mean over pairs i < j of |I(i, j)|, of I(i, j), and of the standard errors */
  meanAbsInteraction: number;
  meanInteraction: number;
  meanInteractionSE: number;
  /** coalitions evaluated (each a model run on one masked image) */
  evaluations: number;
}

function shuffle(n: number, g: ReturnType<typeof rng>): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(g.uniform() * (i + 1));
    const t = p[i]!; p[i] = p[j]!; p[j] = t;
  }
  return p;
}

/**
 * Estimates Shapley values and the pairwise interaction matrix of `game` over n units.
 * @throws RangeError for n < 2 or samples < 1
 *
 * Notes: for a game that is quadratic in the masks Δv is constant, so one round is exact;
 * otherwise each I(i, j) is a mean of `samples` i.i.d. draws (error ∝ 1/√samples).
 */
export async function estimateInteractions(game: Game, n: number, opts: InteractionOptions): Promise<InteractionEstimate> {
  assertInt('units', n, 2);
  assertInt('samples', opts.samples, 1);
  const chunk = opts.chunk ?? 256;
  assertInt('chunk', chunk, 1);
  const R = opts.samples;
  const m = n % 2 ? n + 1 : n; // with a null unit m − 1 when n is odd
  const paths = hamiltonianPaths(m);
  const g = rng(opts.seed ?? 0);
  let evaluations = 0;

  const ends = new Uint8Array(2 * n);
  ends.fill(1, n);
  const [vEmpty, vFull] = await game(ends, 2);
  evaluations += 2;

  const pairSum = new Float64Array(n * n), pairSq = new Float64Array(n * n);
  const shapSum = new Float64Array(n), shapSq = new Float64Array(n);
  const roundShap = new Float64Array(n);
  // per path: values of P_0 … P_m and of the extra sets E_0 … E_{m−2} (NaN: not needed)
  const prefixV = new Float64Array(m + 1), extraV = new Float64Array(m - 1);

  for (let r = 0; r < R; r++) {
    const relabel = shuffle(m, g);
    roundShap.fill(0);
    // paths are handled in groups so that each call to the game gets about `chunk` coalitions
    const perPath = 2 * m;
    const group = Math.max(1, Math.floor(chunk / perPath));
    for (let p0 = 0; p0 < paths.length; p0 += group) {
      const ps = paths.slice(p0, p0 + group).map((p) => Int32Array.from(p, (v) => relabel[v]!));
      // collect the coalitions to evaluate and where each value goes
      const masks: Uint8Array[] = [];
      const slots: { path: number; kind: 0 | 1; k: number }[] = [];
      for (const [pi, seq] of ps.entries()) {
        const cur = new Uint8Array(n);
        // P_{m−1} is Ω itself when the null unit comes last: reuse v(Ω) (below) rather than rerun it
        const last = seq[m - 1]! >= n ? m - 1 : m;
        for (let k = 1; k < last; k++) {
          const u = seq[k - 1]!;
          if (u < n) { cur[u] = 1; masks.push(cur.slice()); slots.push({ path: pi, kind: 0, k }); }
        }
        const pre = new Uint8Array(n);
        for (let k = 0; k <= m - 2; k++) {
          const a = seq[k]!, b = seq[k + 1]!;
          if (a < n && b < n) {
            const e = pre.slice();
            e[b] = 1;
            masks.push(e); slots.push({ path: pi, kind: 1, k });
          }
          if (a < n) pre[a] = 1;
        }
      }
      const flat = new Uint8Array(masks.length * n);
      masks.forEach((mk, i) => flat.set(mk, i * n));
      const values = new Float64Array(masks.length);
      for (let s = 0; s < masks.length; s += chunk) {
        const c = Math.min(chunk, masks.length - s);
        const v = await game(flat.subarray(s * n, (s + c) * n), c);
        if (v.length !== c) throw new Error(`internal: the game returned ${v.length} values for ${c} coalitions`);
        values.set(v, s);
      }
      evaluations += masks.length;
      let si = 0;
      for (const [pi, seq] of ps.entries()) {
        prefixV.fill(NaN); extraV.fill(NaN);
        for (; si < slots.length && slots[si]!.path === pi; si++) {
          const sl = slots[si]!;
          if (sl.kind === 0) prefixV[sl.k] = values[si]!; else extraV[sl.k] = values[si]!;
        }
        prefixV[0] = vEmpty!; prefixV[m] = vFull!;
        // a null unit adds nothing: its prefix repeats the previous value exactly
        for (let k = 1; k < m; k++) if (seq[k - 1]! >= n) prefixV[k] = prefixV[k - 1]!;
        if (seq[m - 1]! >= n) prefixV[m - 1] = vFull!;
        for (let k = 1; k <= m; k++) {
          const u = seq[k - 1]!;
          if (u < n) roundShap[u]! += prefixV[k]! - prefixV[k - 1]!;
        }
        for (let k = 0; k <= m - 2; k++) {
          const a = seq[k]!, b = seq[k + 1]!;
          if (a >= n || b >= n) continue;
          const d = prefixV[k + 2]! - extraV[k]! - prefixV[k + 1]! + prefixV[k]!;
          pairSum[a * n + b]! += d; pairSq[a * n + b]! += d * d;
          pairSum[b * n + a]! += d; pairSq[b * n + a]! += d * d;
        }
      }
    }
    for (let i = 0; i < n; i++) {
      const v = roundShap[i]! / (m / 2);
      shapSum[i]! += v; shapSq[i]! += v * v;
    }
    opts.onProgress?.(r + 1, R);
  }

  const se = (sum: number, sq: number) => {
    if (R < 2) return NaN;
    const mean = sum / R;
    return Math.sqrt(Math.max(0, sq / R - mean * mean) * R / (R - 1) / R);
  };
  const interaction = new Float64Array(n * n), interactionSE = new Float64Array(n * n);
  let abs = 0, signed = 0, seSum = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (i === j) continue;
    const v = pairSum[i * n + j]! / R;
    interaction[i * n + j] = v;
    interactionSE[i * n + j] = se(pairSum[i * n + j]!, pairSq[i * n + j]!);
    if (i < j) { abs += Math.abs(v); signed += v; seSum += interactionSE[i * n + j]!; }
  }
  const pairs = (n * (n - 1)) / 2;
  const shapley = shapSum.map((s) => s / R);
  const shapleySE = shapSum.map((s, i) => se(s, shapSq[i]!));
  return {
    units: n, samples: R, interaction, interactionSE, shapley, shapleySE, vFull: vFull!, vEmpty: vEmpty!,
    meanAbsInteraction: abs / pairs, meanInteraction: signed / pairs, meanInteractionSE: seSum / pairs, evaluations,
  };
}
