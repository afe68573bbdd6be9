// The tile fit: the box fit (min ½‖δ − g‖² over δ ∈ ker(A_img), lo ≤ δ ≤ hi) restricted to the
// span of tile-local null vectors (tile-basis.ts), solved by block coordinate descent over two
// tilings of the image offset by half a tile. Tiles of one tiling are disjoint, so each is an
// independent small problem in the tile's basis coordinates c (B orthonormal columns, so
// ‖Bc − r‖² = ‖c − Bᵀr‖² + const): the step v = B c of a tile minimises ‖v − r‖ (r = g − δ on the
// tile) subject to v = 0 on the entries held so far, and is cut to the largest feasible length.
// An entry is held (for the rest of this image's fit) when a step would take it out of the box:
// it stays where it is — on its bound or short of it — and the tile's step is recomputed in
// ker(B_held), a few rounds; that set only grows, so each tile keeps an orthonormal basis of its
// held rows (Gram–Schmidt, reorthogonalised) across sweeps and strength rounds. One-sided room is
// used: a white pixel the step darkens is not held.
// Every δ this produces is a sum of tile vectors, each in ker(A_img) to round-off by construction,
// and inside the box by construction (δ = 0 is feasible, every step keeps feasibility); entries
// within round-off of a bound land on it. Exactness is certified by the caller's float64
// residual of the stored x', never by this solver.
import { gemm } from '../linalg/gemm.js';
import type { TileBasis } from './tile-basis.js';

export interface TileFitOptions {
  /** sweeps (each: every tile of both tilings once; default 2) */
  sweeps?: number;
  /** hold-and-recompute rounds per tile step at most (default 3) */
  rounds?: number;
}

export interface TileFitFigures {
  /** sweeps run (over all calls on this fitter) */
  sweeps: number;
  /** tile steps cut short by the box (γ < 1), and all tile steps */
  cut: number; steps: number;
  /** share of entries held */
  held: number;
  /** share of entries covered by some tile (the rest stay at δ = 0) */
  covered: number;
}

/** Tile origins (y, x) of the two tilings of an h×w image: at 0, and offset by half a tile (on the stride grid). */
export function tilings(tb: TileBasis, h: number, w: number): Array<Array<[number, number]>> {
  const half = (p: number, s: number) => Math.max(s, Math.round(p / 2 / s) * s);
  const grid = (oy: number, ox: number) => {
    const out: Array<[number, number]> = [];
    for (let y = oy; y + tb.ph <= h; y += tb.ph) for (let x = ox; x + tb.pw <= w; x += tb.pw) out.push([y, x]);
    return out;
  };
  return [grid(0, 0), grid(half(tb.ph, tb.sh), half(tb.pw, tb.sw))].filter((t) => t.length > 0);
}

/** One image's fit state: δ, the held entries, each tile's basis of held rows. */
export interface TileFitter {
  delta: Float64Array;
  /** runs `sweeps` sweeps towards goal g (any scale; the state carries over) */
  run(g: Float64Array, sweeps?: number): void;
  figures(): TileFitFigures;
}

interface TileState { y0: number; x0: number; h: Int32Array; l: Float64Array | undefined; acc: number; added: Uint8Array; dead: number }

/**
 * A fitter for one image: δ starts at 0 (feasible since lo ≤ 0 ≤ hi) and only takes feasible steps.
 * @param tb the layer's tile basis; shape the image's (c, h, w), CHW entries
 * @param lo, hi bounds on δ (c·h·w), lo ≤ 0 ≤ hi
 */
export function tileFitter(tb: TileBasis, shape: { c: number; h: number; w: number }, lo: Float64Array, hi: Float64Array, opts: TileFitOptions = {}): TileFitter {
  const { c: C, h: H, w: W } = shape;
  const rounds = opts.rounds ?? 3;
  const maxRounds = rounds + 6;
  const { n, k, ph, pw, bt, basis, proj: P } = tb;
  const plane = H * W;
  const N = C * plane;
  const delta = new Float64Array(N);
  const held = new Uint8Array(N);
  const tiles = tilings(tb, H, W).map((tl) => tl.map(([y0, x0]): TileState => ({ y0, x0, h: new Int32Array(k), l: undefined, acc: 0, added: new Uint8Array(n), dead: 0 })));
  const covered = new Uint8Array(N);
  // entry j of a tile (CHW within the tile) ↦ image offset from the tile origin
  const off = new Int32Array(n);
  for (let ch = 0, j = 0; ch < C; ch++) for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++, j++) off[j] = ch * plane + y * W + x;
  for (const tl of tiles) for (const t of tl) { const o = t.y0 * W + t.x0; for (let j = 0; j < n; j++) covered[o + off[j]!] = 1; }
  const stats = { sweeps: 0, cut: 0, steps: 0 };
  const cand: Array<[number, number]> = [];
  const v = new Float64Array(n); const c = new Float64Array(k); const lam = new Float64Array(k); const rhs = new Float64Array(k);

  // adds the tile's newly held entries to the Cholesky factor L of P[H, H] (P = B Bᵀ, the tile's
  // projector; its held block is the Gram matrix of the held rows of B); an entry whose row of B
  // is (numerically) in the span of the held ones is not added: it follows them
  const absorb = (t: TileState, o: number) => {
    for (let j = 0; j < n; j++) {
      if (t.added[j] || !held[o + off[j]!]) continue;
      t.added[j] = 1;
      if (t.acc >= k) continue;
      t.l ??= new Float64Array(k * k);
      const L = t.l; const a = t.acc; const pj = j * n;
      let s2 = 0;
      for (let r = 0; r < a; r++) {
        let s = P[pj + t.h[r]!]!;
        const lr = r * k;
        for (let i = 0; i < r; i++) s -= L[lr + i]! * L[a * k + i]!;
        const e = s / L[lr + r]!;
        L[a * k + r] = e; s2 += e * e;
      }
      const d2 = P[pj + j]! - s2;
      if (!(d2 > 1e-6 * P[pj + j]!)) continue;
      L[a * k + a] = Math.sqrt(d2);
      t.h[a] = j; t.acc++;
    }
  };
  // lam = P[H,H]⁻¹ rhs (forward and back substitution with L)
  const solve = (t: TileState) => {
    const L = t.l!; const a = t.acc;
    for (let r = 0; r < a; r++) { let s = rhs[r]!; const lr = r * k; for (let i = 0; i < r; i++) s -= L[lr + i]! * lam[i]!; lam[r] = s / L[lr + r]!; }
    for (let r = a - 1; r >= 0; r--) { let s = lam[r]!; for (let i = r + 1; i < a; i++) s -= L[i * k + r]! * lam[i]!; lam[r] = s / L[r * k + r]!; }
  };

  // one tile's step: v = B c with c the projection of c₀ = Bᵀr onto {B_H c = 0}, i.e.
  // v = v₀ − P[:, H] λ with P[H, H] λ = v₀[H] (refined once), v₀ = B c₀
  const step = (t: TileState, c0: Float64Array, v0: Float64Array) => {
    const o = t.y0 * W + t.x0;
    if (t.dead > 1) return;
    absorb(t, o);
    let tau = 0;
    for (let round = 0; ; round++) {
      v.set(v0); c.set(c0);
      const a = t.acc;
      if (a > 0) {
        for (let pass = 0; pass < 2; pass++) {
          for (let r = 0; r < a; r++) rhs[r] = v[t.h[r]!]!;
          solve(t);
          // c −= B_Hᵀλ, v = B c: v stays in the tile's null space to round-off however large λ is
          for (let r = 0; r < a; r++) {
            const lr = lam[r]!; const br = t.h[r]! * k;
            for (let i = 0; i < k; i++) c[i]! -= lr * bt[br + i]!;
          }
          for (let j = 0; j < n; j++) { const bj = j * k; let d = 0; for (let i = 0; i < k; i++) d += bt[bj + i]! * c[i]!; v[j] = d; }
        }
      }
      let vmax = 0; for (let j = 0; j < n; j++) vmax = Math.max(vmax, Math.abs(v[j]!));
      tau = 1e-13 * vmax;
      if (round >= maxRounds) break;
      // hold the violators that cut the step most (room / |v| smallest), at most a third of the
      // free dimensions per round: holding every violator at once can pin the whole tile
      cand.length = 0;
      for (let j = 0; j < n; j++) {
        const i = o + off[j]!;
        if (held[i]) continue;
        const vj = v[j]!; const d = delta[i]! + vj;
        if (d > hi[i]! + tau) cand.push([(hi[i]! - delta[i]!) / vj, i]);
        else if (d < lo[i]! - tau) cand.push([(lo[i]! - delta[i]!) / vj, i]);
      }
      const room = Math.floor((k - t.acc) / 3);
      if (!cand.length || room < 1) break;
      cand.sort((a, b) => a[0] - b[0]);
      let added = 0;
      for (; added < Math.min(room, cand.length); added++) held[cand[added]![1]] = 1;
      if (!added) break;
      absorb(t, o);
    }
    // the largest feasible step along v (held entries have v at round-off: they land where they are)
    let gamma = 1;
    for (let j = 0; j < n; j++) {
      const i = o + off[j]!; const vj = v[j]!;
      const d = delta[i]! + vj;
      if (d > hi[i]! + tau) gamma = Math.min(gamma, Math.max(0, (hi[i]! - delta[i]!) / vj));
      else if (d < lo[i]! - tau) gamma = Math.min(gamma, Math.max(0, (lo[i]! - delta[i]!) / vj));
    }
    stats.steps++;
    if (gamma < 1) stats.cut++;
    if (gamma === 0) { t.dead++; return; }
    for (let j = 0; j < n; j++) {
      const i = o + off[j]!;
      let d = delta[i]! + gamma * v[j]!;
      if (d > hi[i]!) d = hi[i]!; else if (d < lo[i]!) d = lo[i]!; // within round-off of the bound: on it
      delta[i] = d;
    }
  };

  const run = (g: Float64Array, sweeps = 2) => {
    if (k === 0) return;
    for (let s = 0; s < sweeps; s++) {
      for (const tl of tiles) {
        const T = tl.length;
        const R = new Float64Array(T * n);
        for (let t = 0; t < T; t++) {
          const o = tl[t]!.y0 * W + tl[t]!.x0;
          for (let j = 0; j < n; j++) { const i = o + off[j]!; R[t * n + j] = g[i]! - delta[i]!; }
        }
        const C0 = gemm(R, bt, T, k, n); // (T, k): Bᵀr per tile
        const V = gemm(C0, basis, T, n, k); // (T, n): B Bᵀr
        for (let t = 0; t < T; t++) step(tl[t]!, C0.subarray(t * k, (t + 1) * k), V.subarray(t * n, (t + 1) * n));
      }
      stats.sweeps++;
    }
  };
  const count = (a: Uint8Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]!; return s; };
  return { delta, run, figures: () => ({ ...stats, held: count(held) / N, covered: count(covered) / N }) };
}
