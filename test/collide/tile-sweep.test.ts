// assembly/tile_sweep.ts (the tile fit's gathers and steps on the whole image) against plain loops written
// here: the residual of every tile, a tile's room, and the largest feasible step along a tile's direction on
// an image whose δ sits on its bounds at many entries (zero room on one side or both) — the step's γ, the new
// δ (in the box, entries within round-off of a bound on it, nothing outside the tile touched) and a step that
// no room allows (γ = 0, δ unchanged).
import t from 'tap';
import { core } from '../../src/core/wasm.js';
import { rng } from '../../src/linalg/random.js';

const C = 3, H = 20, W = 24, ph = 8, pw = 8, n = C * ph * pw, N = C * H * W;
const off = new Int32Array(n);
for (let ch = 0, j = 0; ch < C; ch++) for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++, j++) off[j] = ch * H * W + y * W + x;

/** δ in [lo, hi] with a third of the entries on a bound, lo ≤ 0 ≤ hi */
function box(seed: number) {
  const r = rng(seed);
  const lo = new Float64Array(N), hi = new Float64Array(N), d = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    lo[i] = -r.uniform(); hi[i] = r.uniform();
    const u = r.uniform();
    d[i] = u < 0.15 ? hi[i]! : u < 0.3 ? lo[i]! : lo[i]! + r.uniform() * (hi[i]! - lo[i]!);
    if (u < 0.05) { lo[i] = 0; hi[i] = 0; d[i] = 0; }
  }
  return { lo, hi, d };
}

t.test('tileResidualsF64 and tileRoomsF64 agree with plain loops', async (t) => {
  const K = core.kernels; const r = rng(3);
  const { lo, hi, d } = box(1);
  const g = Float64Array.from({ length: N }, () => r.normal());
  const tiles = Int32Array.from([0, 8, 16, 8 * W + 4, 12 * W + 16]);
  const v0 = Float64Array.from({ length: n }, () => r.normal());
  const mark = core.mark();
  try {
    const pOff = core.put(off), pT = core.put(tiles), pG = core.put(g), pD = core.put(d), pHi = core.put(hi), pLo = core.put(lo), pV0 = core.put(v0);
    const pR = core.alloc(tiles.length * n * 8), pUp = core.alloc(n * 8), pDown = core.alloc(n * 8);
    K.tileResidualsF64(tiles.length, n, pT, pOff, pG, pD, pR);
    const R = core.f64(pR, tiles.length * n);
    let bad = 0;
    for (let q = 0; q < tiles.length; q++) for (let j = 0; j < n; j++) { const i = tiles[q]! + off[j]!; if (!Object.is(R[q * n + j], g[i]! - d[i]!)) bad++; }
    t.equal(bad, 0, 'residuals g − δ on every tile');
    const o = tiles[3]!;
    const vmax = K.tileRoomsF64(o, n, pOff, pD, pHi, pLo, pV0, pUp, pDown);
    const up = core.f64(pUp, n), down = core.f64(pDown, n);
    let noUp = 0, noDown = 0, wrong = 0;
    for (let j = 0; j < n; j++) {
      const i = o + off[j]!;
      if (!Object.is(up[j], hi[i]! - d[i]!) || !Object.is(down[j], lo[i]! - d[i]!)) wrong++;
      if (hi[i]! - d[i]! <= 0) noUp++; if (lo[i]! - d[i]! >= 0) noDown++;
    }
    t.ok(wrong === 0 && vmax === Math.max(...Array.from(v0, Math.abs)) && K.tileNoUp() === noUp && K.tileNoDown() === noDown && noUp > 10 && noDown > 10,
      `rooms (${wrong} wrong), max |v0| ${vmax}, no room up ${K.tileNoUp()}/${noUp}, down ${K.tileNoDown()}/${noDown}`);
  } finally { core.release(mark); }
});

t.test('tileStepAlongF64: the largest feasible γ ≤ 1, δ in the box after it, entries outside the tile untouched; γ = 0 leaves δ', async (t) => {
  const K = core.kernels;
  for (const seed of [2, 5, 9]) {
    const r = rng(seed);
    const { lo, hi, d } = box(seed);
    const o = 4 * W + 8;
    // a direction that keeps the zero-room entries (v pointing out of the box there would force γ = 0)
    const v = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const i = o + off[j]!;
      v[j] = r.normal() * 0.5;
      if (d[i]! >= hi[i]! && v[j]! > 0) v[j] = -v[j]!;
      if (d[i]! <= lo[i]! && v[j]! < 0) v[j] = -v[j]!;
      if (hi[i] === lo[i]) v[j] = 0;
    }
    // plain: γ = min over entries the step would push out
    const tau = 1e-13;
    let gamma = 1;
    for (let j = 0; j < n; j++) {
      const i = o + off[j]!; const e = d[i]! + v[j]!;
      if (e > hi[i]! + tau) gamma = Math.min(gamma, Math.max(0, (hi[i]! - d[i]!) / v[j]!));
      else if (e < lo[i]! - tau) gamma = Math.min(gamma, Math.max(0, (lo[i]! - d[i]!) / v[j]!));
    }
    const mark = core.mark();
    try {
      const pOff = core.put(off), pD = core.put(d), pHi = core.put(hi), pLo = core.put(lo), pV = core.put(v);
      const got = K.tileStepAlongF64(o, n, pOff, pD, pHi, pLo, pV, tau);
      const after = core.f64(pD, N).slice();
      let outside = 0, moved = 0, untouchedBad = 0, onBound = 0;
      const inTile = new Uint8Array(N); for (let j = 0; j < n; j++) inTile[o + off[j]!] = 1;
      for (let i = 0; i < N; i++) {
        if (after[i]! > hi[i]! || after[i]! < lo[i]!) outside++;
        if (!inTile[i] && !Object.is(after[i], d[i])) untouchedBad++;
      }
      let err = 0;
      for (let j = 0; j < n; j++) {
        const i = o + off[j]!; const want = Math.min(hi[i]!, Math.max(lo[i]!, d[i]! + got * v[j]!));
        err = Math.max(err, Math.abs(after[i]! - want)); if (after[i] !== d[i]) moved++;
        if (after[i] === hi[i] || after[i] === lo[i]) onBound++;
      }
      t.ok(got === gamma && got > 0 && got < 1 && outside === 0 && untouchedBad === 0 && err === 0 && moved > n / 2 && onBound > 0,
        `seed ${seed}: γ ${got} (plain ${gamma}), ${outside} outside, ${untouchedBad} touched outside the tile, ${moved} moved, ${onBound} on a bound`);
      // a step pushing one entry on a bound out of the box is refused
      const j0 = Array.from(off).findIndex((q) => (after[o + q] === hi[o + q] || after[o + q] === lo[o + q]) && hi[o + q]! > lo[o + q]!);
      const w = new Float64Array(n); w[j0] = after[o + off[j0]!] === hi[o + off[j0]!] ? 1 : -1;
      core.f64(pV, n).set(w);
      const g0 = K.tileStepAlongF64(o, n, pOff, pD, pHi, pLo, pV, tau);
      t.ok(j0 >= 0 && g0 === 0 && core.f64(pD, N).every((x, i) => Object.is(x, after[i])), `γ = 0 for a step out of the box at entry ${j0}: ${g0}, δ unchanged`);
    } finally { core.release(mark); }
  }
});
