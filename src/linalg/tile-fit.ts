// The tile fit: the box fit (min ½‖δ − g‖² over δ ∈ ker(A_img), lo ≤ δ ≤ hi) restricted to the
// span of tile-local null vectors (src/collide/tile-basis.ts), by block coordinate descent over two
// tilings of the image offset by half a tile. Tiles of one tiling are disjoint, so each is an
// independent small problem in the tile's basis coordinates c (orthonormal basis B, so
// ‖Bc − r‖² = ‖c − Bᵀr‖² + const): a tile's step v = B c minimises ‖v − r‖ (r = g − δ on the tile)
// subject to v = 0 on the entries held so far, and is cut to the largest feasible length.
// An entry is held (for the rest of this image's fit) when a step would take it out of the box:
// it stays where it is — on its bound or short of it — and the step is recomputed in
// ker(B_held), a few rounds, the violators that cut the step most first. The held set only
// grows (across sweeps and strength rounds); a tile step factors P[H, H] (P = B Bᵀ, the tile's
// projector; its held block is the Gram matrix of the held rows of B) afresh, a³/6, and a round
// costs n per held entry: v = v₀ − P[:, H] λ, P[H, H] λ = v₀[H]. One-sided room is used: a
// white pixel that a step darkens is not held.
// The step itself is formed as c = c₀ − B_Hᵀλ, v = B c, so it lies in the tile's null space to
// round-off whatever λ is; λ is then refined once on the held entries. A tile step's rounds are
// one WASM call (assembly/tile.ts heldTileStepF64) on copies of the tile's δ, bounds and held flags.
// Where the box binds on many entries of every tile (text on white paper: a third of the pixels at
// 255, more than a tile has null dimensions), holding entries where they are pins whole tiles; there
// runExact solves each tile problem by the primal active-set method instead (constraints join the
// working set on their bound, leave it when their multiplier has the wrong sign; the factor of
// P[W, W] is appended to and downdated by Givens rotations; one WASM call per tile, assembly/tile.ts's
// activeSetTileF64: ~90 steps of a few 768-long combinations each), which lets a white pixel darken while
// its neighbours sit on the bound. On text on paper at exactly 255 even that stalls at δ's own vertex
// (hundreds of bounds with no room meet there, more than k); runOptimal solves each tile problem to
// optimality by the dual active-set method (assembly/tile_dual.ts), from the unconstrained minimiser.
// δ is a sum of such steps
// (each in ker(A_img) to round-off) and inside the box by construction (δ = 0 is feasible and
// every step keeps feasibility); entries within round-off of a bound land on it. Exactness is
// certified by the caller's float64 residual of the stored x', never by this solver.
// Everything lives in WASM memory for one image (tileFitter … dispose): the tile products are the
// core's GEMM; the held-entry step and the primal active-set solve are assembly/tile.ts, the dual
// assembly/tile_dual.ts.
import { core } from '../core/wasm.js';

/** An orthonormal tile null basis (src/collide/tile-basis.ts's TileBasis). */
export interface TileSpace {
  /** tile height and width, and the strides tile origins are multiples of */
  ph: number; pw: number; sh: number; sw: number;
  /** tile entries (c·ph·pw, CHW within the tile) and the local nullity */
  n: number; k: number;
  /** (n, k) and (k, n) row-major: the basis by entry and by vector; (n, n): P = B Bᵀ */
  bt: Float64Array; basis: Float64Array; proj: Float64Array;
}

export interface TileFitOptions {
  /** rounds per tile step that hold every violator (up to a third of the free dimensions; default 3) */
  rounds?: number;
  /** further rounds that hold only the violators cutting the step below half (default 6) */
  extraRounds?: number;
}

export interface TileFitFigures {
  /** sweeps run (each: every tile of both tilings once) */
  sweeps: number;
  /** tile steps cut short by the box (γ < 1), and all tile steps */
  cut: number; steps: number;
  /** share of entries held */
  held: number;
  /** share of entries covered by some tile (the rest stay at δ = 0) */
  covered: number;
}

/** Tile origins (y, x) of the two tilings of an h×w image: at 0, and offset by half a tile (on the stride grid). */
export function tilings(tb: Pick<TileSpace, 'ph' | 'pw' | 'sh' | 'sw'>, h: number, w: number): Array<Array<[number, number]>> {
  const half = (p: number, s: number) => Math.max(s, Math.round(p / 2 / s) * s);
  const grid = (oy: number, ox: number) => {
    const out: Array<[number, number]> = [];
    for (let y = oy; y + tb.ph <= h; y += tb.ph) for (let x = ox; x + tb.pw <= w; x += tb.pw) out.push([y, x]);
    return out;
  };
  return [grid(0, 0), grid(half(tb.ph, tb.sh), half(tb.pw, tb.sw))].filter((t) => t.length > 0);
}

/** One image's fit: δ (starts at 0), runs towards goals, and the WASM memory it holds until dispose(). */
export interface TileFitter {
  delta: Float64Array;
  /** runs `sweeps` sweeps towards goal g (c·h·w; any scale, the state carries over) */
  run(g: Float64Array, sweeps?: number): void;
  /**
   * runs `sweeps` sweeps whose tile problems are solved by the primal active-set method (constraints
   * added at their bound one at a time, dropped when their multiplier has the wrong sign; at most
   * `iterations` per tile, default 4k + 64; a blocker whose row depends on the working set's swapped in for the
   * member it leans on most at most `swaps` times per tile, default 4, else the tile stops there): slower, for boxes
   * that bind on many entries — text on white paper, where holding entries where they are pins whole tiles
   */
  runExact(g: Float64Array, sweeps: number, iterations?: number, swaps?: number): void;
  /**
   * runs `sweeps` sweeps whose tile problems are solved to optimality by the dual active-set method
   * (assembly/tile_dual.ts; at most `iterations` additions and drops per tile, default 12k; a tile that
   * needs more keeps its δ): slower again, for boxes where the primal method stalls at δ's own vertex —
   * text on pure white, where more entries have no room upwards than a tile has null dimensions
   */
  runOptimal(g: Float64Array, sweeps: number, iterations?: number): void;
  figures(): TileFitFigures;
  /** frees the WASM memory (call last, after any other core allocation made since) */
  dispose(): void;
}

/**
 * A fitter for one image: δ starts at 0 (feasible since lo ≤ 0 ≤ hi) and only takes feasible steps.
 * @param tb the layer's tile basis; shape the image's (c, h, w) with c = tb's channels, CHW entries
 * @param lo, hi bounds on δ (c·h·w), lo ≤ 0 ≤ hi
 * @throws RangeError for mismatched lengths or a tile basis of another size
 */
export function tileFitter(tb: TileSpace, shape: { c: number; h: number; w: number }, lo: Float64Array, hi: Float64Array, opts: TileFitOptions = {}): TileFitter {
  const { c: C, h: H, w: W } = shape;
  const { n, k, ph, pw } = tb;
  const plane = H * W;
  const N = C * plane;
  if (lo.length !== N || hi.length !== N) throw new RangeError(`tileFitter: expected bounds of length ${N} but received ${lo.length} and ${hi.length}`);
  if (n !== C * ph * pw || tb.bt.length !== n * k || tb.basis.length !== n * k || tb.proj.length !== n * n) throw new RangeError(`tileFitter: the tile basis does not match ${C}×${ph}×${pw} tiles`);
  const rounds = opts.rounds ?? 3;
  const maxRounds = rounds + (opts.extraRounds ?? 6);
  const delta = new Float64Array(N);
  const groups = tilings(tb, H, W);
  const off = new Int32Array(n); // entry j of a tile ↦ image offset from the tile origin
  for (let ch = 0, j = 0; ch < C; ch++) for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++, j++) off[j] = ch * plane + y * W + x;
  const covered = new Uint8Array(N);
  for (const tl of groups) for (const [y0, x0] of tl) for (let j = 0; j < n; j++) covered[y0 * W + x0 + off[j]!] = 1;
  const stats = { sweeps: 0, cut: 0, steps: 0 };
  const count = (a: Uint8Array | Int32Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]!; return s; };
  if (k === 0 || groups.length === 0) return { delta, run: () => {}, runExact: () => {}, runOptimal: () => {}, figures: () => ({ ...stats, held: 0, covered: count(covered) / N }), dispose: () => {} };

  // WASM memory for the whole fit, allocated once (no growth afterwards, so views stay valid): the image-wide
  // δ, bounds, goal and held flags live there (assembly/tile_sweep.ts gathers and steps on them), δ is copied
  // to and from the JS `delta` around each run
  const K = core.kernels;
  const mark = core.mark();
  const pDelta = core.alloc(N * 8); const pBoxHi = core.put(hi); const pBoxLo = core.put(lo); const pG = core.alloc(N * 8);
  const pHeld = core.alloc(N * 4); core.i32(pHeld, N).fill(0);
  const pOff = core.put(off);
  const tmax = Math.max(...groups.map((g) => g.length));
  const pP = core.put(tb.proj); const pBt = core.put(tb.bt); const pBasis = core.put(tb.basis);
  const pR = core.alloc(tmax * n * 8); const pC0 = core.alloc(tmax * k * 8); const pV = core.alloc(tmax * n * 8);
  const pWork = core.alloc(Math.max(K.gemmWorkElems(tmax, k, n, 8), K.gemmWorkElems(tmax, n, k, 8)) * 8);
  const pv = core.alloc(n * 8); const pc = core.alloc(k * 8); const pLam = core.alloc(k * 8);
  // one factor of P[H, H] (and its entries), rebuilt for each tile step from the held entries (a³/6 flops)
  const pL = core.alloc(k * k * 8); const pH = core.alloc(k * 4);
  // the active-set method (runExact): its factor and working set, current and target coordinates
  const pL1 = core.alloc(k * k * 8); const pH1 = core.alloc(k * 4);
  const pCc = core.alloc(k * 8); const pVc = core.alloc(n * 8);
  const pUp = core.alloc(n * 8); const pLo = core.alloc(n * 8); const pBlockAt = core.alloc(n * 8); const pFlags = core.alloc(n * 4);
  const pBeta = core.alloc(k * 8); const pSide = core.alloc(k * 4); const pY = core.alloc(k * 8);
  // the dual method (runOptimal): its basis Jᵀ and triangle R, the active set and multipliers, steps
  const pJt = core.alloc(k * k * 8); const pR2 = core.alloc(k * k * 8); const pAct = core.alloc(k * 4); const pU = core.alloc(k * 8);
  const pBt32 = core.put(Float32Array.from(tb.bt));
  const pD = core.alloc(k * 8); const pZ = core.alloc(k * 8); const pRr = core.alloc(k * 8); const pW = core.alloc(n * 8); const pVd = core.alloc(n * 8);
  // the held-entry step's per-tile copies of δ, the bounds and the held flags, and its candidates
  const pTD = core.alloc(n * 8); const pTHi = core.alloc(n * 8); const pTLo = core.alloc(n * 8); const pTHeld = core.alloc(n * 4);
  const pTAdded = core.alloc(n * 4); const pCandQ = core.alloc(n * 8); const pCandJ = core.alloc(n * 4);
  const tiles = groups.map((tl) => Int32Array.from(tl, ([y0, x0]) => y0 * W + x0)); // each tile's image offset
  const pTiles = tiles.map((tl) => core.put(tl));
  const v = core.f64(pv, n);
  const tally = (gamma: number) => { stats.steps++; if (gamma < 1) stats.cut++; };

  // one held-entry tile step (assembly/tile_sweep.ts heldTileAtF64): the tile's δ, bounds and held flags copied
  // out, every round of assembly/tile.ts heldTileStepF64 (hold the violators that cut the step most, at most a
  // third of the free dimensions a round, holding every violator at once can pin the whole tile; past `rounds`,
  // only those that would cut the step below half), the new held flags back, then the largest feasible step
  const step = (o: number, pc0: number, pv0: number) => {
    tally(K.heldTileAtF64(o, n, k, pOff, pDelta, pBoxHi, pBoxLo, pHeld, pP, pBt, pc0, pv0, pTD, pTHi, pTLo, pTHeld, rounds, maxRounds, pL, pH, pTAdded, pLam, pCandQ, pCandJ, pv, pc));
  };
  /** δ += γ·v on the tile at o, γ ≤ 1 the largest step that keeps every entry in the box (beyond tau). */
  const stepAlong = (o: number, tau: number): void => tally(K.tileStepAlongF64(o, n, pOff, pDelta, pBoxHi, pBoxLo, pv, tau));

  let disposed = false;
  const checkGoal = (g: Float64Array) => {
    if (disposed) throw new RangeError('tileFitter: run after dispose');
    if (g.length !== N) throw new RangeError(`tileFitter: expected a goal of length ${N} but received ${g.length}`);
  };
  // sweeps over the tilings: per tiling, the residual g − δ on every tile, its coefficients Bᵀr and
  // projection B Bᵀr by two GEMMs, then one tile step each (the tiles of a tiling are disjoint)
  const sweepTiles = (g: Float64Array, sweeps: number, stepTile: (o: number, pc0: number, pv0: number) => void) => {
    core.f64(pG, N).set(g); core.f64(pDelta, N).set(delta);
    for (let s = 0; s < sweeps; s++) {
      for (const [ti, tl] of tiles.entries()) {
        const T = tl.length;
        K.tileResidualsF64(T, n, pTiles[ti]!, pOff, pG, pDelta, pR);
        K.gemmF64(0, 0, T, k, n, 1, pR, n, pBt, k, 0, pC0, k, pWork); // (T, k): Bᵀr per tile
        K.gemmF64(0, 0, T, n, k, 1, pC0, k, pBasis, n, 0, pV, n, pWork); // (T, n): B Bᵀr
        for (let t = 0; t < T; t++) stepTile(tl[t]!, pC0 + t * k * 8, pV + t * n * 8);
      }
      stats.sweeps++;
    }
    delta.set(core.f64(pDelta, N));
  };
  const run = (g: Float64Array, sweeps = 1) => {
    checkGoal(g);
    sweepTiles(g, sweeps, step);
  };
  // one tile by the primal active-set method (assembly/tile.ts, one call), from the feasible point c = 0 (v = 0)
  // the room of each entry of the tile at o (relative to δ) into up/down, round-off's scale from the
  // unconstrained step v₀, and how many entries have no room upwards / downwards
  const rooms = (o: number, pv0: number) => {
    const vmax = K.tileRoomsF64(o, n, pOff, pDelta, pBoxHi, pBoxLo, pv0, pUp, pLo);
    return { vmax, noUp: K.tileNoUp(), noDown: K.tileNoDown() };
  };
  const exactStep = (o: number, pv0: number, maxIter: number, swaps: number) => {
    const tau = 1e-13 * rooms(o, pv0).vmax;
    K.activeSetTileF64(n, k, pP, pBt, pv0, pUp, pLo, tau, maxIter, swaps, pL1, pH1, pBeta, pSide, pLam, pv, pBlockAt, pFlags, pCc, pVc, pY);
    // the step: v = B c, exact in the tile's null space; what is left over is cut
    K.gemvNF64(n, k, 1, pBt, k, pCc, 0, pv);
    stepAlong(o, tau);
  };
  const runExact = (g: Float64Array, sweeps: number, iterations = 4 * k + 64, swaps = 4) => {
    checkGoal(g);
    sweepTiles(g, sweeps, (o, _pc0, pv0) => exactStep(o, pv0, iterations, swaps));
  };
  // one tile to optimality (assembly/tile_dual.ts) from the unconstrained minimiser c₀; a capped or failed
  // solve leaves the tile where it is (the dual method's iterates are not feasible until it ends)
  const optimalStep = (o: number, pc0: number, pv0: number, maxIter: number) => {
    const { vmax, noUp, noDown } = rooms(o, pv0);
    // a tile wholly on one bound (paper, a black border) has nowhere to go in practice, and the dual method
    // would spend its whole budget proving it
    if (noUp === n || noDown === n) { tally(1); return; }
    // the solve ends with every bound met to 1e-13 of the step's scale; the cut allows ten times that, for
    // the dependent bounds the solve leaves out at a degenerate vertex (violated at round-off)
    const tol = 1e-13 * vmax;
    const it = K.dualTileF64(n, k, pBt, pBt32, pc0, pUp, pLo, tol, maxIter, pJt, pR2, pAct, pU, pFlags, pD, pZ, pRr, pW, pVd, pCc);
    if (it < 0) { tally(0); return; }
    K.gemvNF64(n, k, 1, pBt, k, pCc, 0, pv);
    // an optimum at δ itself comes back as round-off of the path from c₀ (all-white or all-black tiles: ~1e-10
    // of the goal's scale): no step below 1e-8 of it
    let smax = 0; for (let j = 0; j < n; j++) smax = Math.max(smax, Math.abs(v[j]!));
    if (smax <= 1e-8 * vmax) { tally(1); return; }
    stepAlong(o, 10 * tol);
  };
  const runOptimal = (g: Float64Array, sweeps: number, iterations = 12 * k) => {
    checkGoal(g);
    sweepTiles(g, sweeps, (o, pc0, pv0) => optimalStep(o, pc0, pv0, iterations));
  };
  let heldShare = 0;
  const dispose = () => { if (!disposed) { heldShare = count(core.i32(pHeld, N)) / N; disposed = true; core.release(mark); } };
  return { delta, run, runExact, runOptimal, figures: () => ({ ...stats, held: disposed ? heldShare : count(core.i32(pHeld, N)) / N, covered: count(covered) / N }), dispose };
}
