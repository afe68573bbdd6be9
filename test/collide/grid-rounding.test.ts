// The PNG grid rounding (src/collide/grid-rounding.ts, assembly/grid_round.ts) checked against a dense
// A_img built from naive convolutions of unit vectors: every sample stays on the grid within one step
// of x′ and inside [0, levels], the residual it reports is the one the naive matrix gives, it is never
// above nearest rounding's, and at convergence no single sample's move to a grid neighbour lowers it
// (a local minimum of ‖A e‖ — checked by trying every move). On a wide layer it cuts the residual.
import t, { type Test } from 'tap';
import { roundToGrid } from '../../src/collide/grid-rounding.js';
import { convOperator } from '../../src/linalg/conv.js';
import { denseOperator } from '../../src/linalg/dense-operator.js';
import { convGeometry, type ConvGeometry } from '../../src/linalg/geometry.js';
import { rng } from '../../src/linalg/random.js';
import { naiveConv, randomGeometry, denseOf, norm } from '../linalg/naive.js';
import type { FirstLayerSpec } from '../../src/collide/layer.js';

interface Case { layer: FirstLayerSpec; dense: Float64Array; rows: number; cols: number; channels: number }

function convCase(g: ConvGeometry, seed: number): Case {
  const r = rng(seed);
  const weight = Float64Array.from({ length: g.outC * (g.c / g.groups) * g.kh * g.kw }, () => r.normal());
  const naive = { rows: naiveConv(new Float64Array(g.c * g.h * g.w), weight, g).length, cols: g.c * g.h * g.w, apply: (x: Float64Array) => naiveConv(x, weight, g) };
  return { layer: { kind: 'conv', weight, geometry: g }, dense: denseOf(naive), rows: naive.rows, cols: naive.cols, channels: g.c };
}

/** ‖M (k − u)·step‖ with the dense matrix. */
function residual(c: Case, k: ArrayLike<number>, u: ArrayLike<number>, step: readonly number[]): number {
  const plane = c.cols / c.channels;
  const y = new Float64Array(c.rows);
  for (let j = 0; j < c.cols; j++) {
    const e = (k[j]! - u[j]!) * step[Math.floor(j / plane)]!;
    if (e !== 0) for (let i = 0; i < c.rows; i++) y[i]! += c.dense[i * c.cols + j]! * e;
  }
  return norm(y);
}

function check(t: Test, c: Case, seed: number, levels: number): { nearest: number; chosen: number } {
  const r = rng(seed);
  const plane = c.cols / c.channels;
  const step = Array.from({ length: c.channels }, () => (0.5 + 1.5 * r.uniform()) / levels);
  // samples on the grid, at the bounds and in between
  const u = Float64Array.from({ length: c.cols }, () => {
    const p = r.uniform();
    return p < 0.1 ? 0 : p < 0.2 ? levels : p < 0.3 ? Math.round(r.uniform() * levels) : r.uniform() * levels;
  });
  const op = c.layer.kind === 'conv' ? convOperator(c.layer.weight, c.layer.geometry) : denseOperator(c.layer.weight, c.layer.m, c.layer.n);
  const g = roundToGrid(c.layer, op, u, step, levels, 200);
  const onGrid = Array.from(g.k).every((k, i) => Number.isInteger(k) && k >= 0 && k <= levels && Math.abs(k - u[i]!) <= 1);
  const nearest = residual(c, u.map((v) => Math.round(v)), u, step);
  const chosen = residual(c, g.k, u, step);
  // every single move to a grid neighbour within one step of u
  const base = chosen * chosen;
  let worst = 0;
  const k = Float64Array.from(g.k);
  // y = M (k − u)·step, then the change of ‖y‖² for every single move
  const y = new Float64Array(c.rows);
  for (let i = 0; i < c.rows; i++) for (let q = 0; q < c.cols; q++) y[i]! += c.dense[i * c.cols + q]! * (k[q]! - u[q]!) * step[Math.floor(q / plane)]!;
  for (let j = 0; j < c.cols; j++) {
    for (const s of [-1, 1]) {
      const nk = k[j]! + s;
      if (nk < 0 || nk > levels || Math.abs(nk - u[j]!) > 1) continue;
      const a = step[Math.floor(j / plane)]! * s;
      let d = 0;
      for (let i = 0; i < c.rows; i++) d += 2 * a * c.dense[i * c.cols + j]! * y[i]! + (a * c.dense[i * c.cols + j]!) ** 2;
      worst = Math.min(worst, d);
    }
  }
  t.same([onGrid, Math.abs(g.nearest - nearest) <= 1e-12 * (nearest || 1), Math.abs(g.chosen - chosen) <= 1e-12 * (nearest || 1), chosen <= nearest * (1 + 1e-12), worst >= -1e-12 * (base || 1)],
    [true, true, true, true, true], `on the grid, residuals as the naive matrix gives (${nearest} → ${chosen}), a local minimum (best move ${worst})`);
  return { nearest, chosen };
}

t.test('roundToGrid on random conv geometries (stride, padding, dilation, groups): on the grid, never worse than nearest, a local minimum', (t) => {
  const u = rng(404);
  for (let s = 0; s < 24; s++) {
    const g = randomGeometry(() => u.uniform());
    check(t, convCase(g, 500 + s), 600 + s, s % 2 ? 255 : 65535);
  }
  t.end();
});

t.test('roundToGrid on a dense layer: the same checks', (t) => {
  const r = rng(77);
  const m = 9, c = 2, h = 3, w = 4, n = c * h * w;
  const weight = Float64Array.from({ length: m * n }, () => r.normal());
  const layer: FirstLayerSpec = { kind: 'dense', weight, m, n, c, h, w };
  check(t, { layer, dense: weight, rows: m, cols: n, channels: c }, 78, 65535);
  t.end();
});

t.test('roundToGrid on a wide strided conv (3×3/2, 8←3): the residual falls well below nearest rounding', (t) => {
  const g = convGeometry({ c: 3, h: 12, w: 14, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const { nearest, chosen } = check(t, convCase(g, 9), 10, 65535);
  t.ok(chosen < 0.7 * nearest, `${nearest} → ${chosen} (${(nearest / chosen).toFixed(2)}×)`);
  t.end();
});
